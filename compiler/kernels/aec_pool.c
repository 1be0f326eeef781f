/* Pooling and upsampling (contract: aec_conv.h): factor 2 along W as explicit
 * even/odd vector code, other factors element by element. Rows are counted
 * over the whole range: row r (of plane c of sample n) is r = (n*C + c)*H + i
 * of the smaller tensor, so the larger one's rows start at r*SH. */
#include "aec_conv_layout.h"

AEC_KAPI void aec_pool_forward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W,
                               int64_t SH, int64_t SW, int kind, const float *x, float *y) {
  if (kind == 2) {
    const int64_t r1 = n1 * C * H, Wo = W * SW;
    for (int64_t r = n0 * C * H; r < r1; ++r)
      for (int64_t u = 0; u < SH; ++u)
        upsample_row(x + r * W, W, SW, y + (r * SH + u) * Wo, (r1 - 1 - r) * W);
    return;
  }
  const int64_t Ho = H / SH, Wo = W / SW, r1 = n1 * C * Ho;
  const float inv = 1.0f / (float)(SH * SW);
  for (int64_t r = n0 * C * Ho; r < r1; ++r) {
    const float *s = x + r * SH * W;
    float *d = y + r * Wo;
    if (SW == 2) {
      const int64_t after = (r1 - 1 - r) * Wo;
      for (int64_t j = 0; j < Wo; j += AEC_VW) {
        const int64_t m = row_m(Wo - j, after);
        vf e, o;
        load_pair(s + 2 * j, m, &e, &o);
        vf mx = o > e ? o : e, sum = e + o;
        for (int64_t u = 1; u < SH; ++u) {
          load_pair(s + u * W + 2 * j, m, &e, &o);
          mx = e > mx ? e : mx;
          mx = o > mx ? o : mx;
          sum += e + o;
        }
        store_m(d + j, kind == 0 ? mx : sum * inv, m);
      }
      continue;
    }
    for (int64_t j = 0; j < Wo; ++j) {
      float mx = s[j * SW];
      float a = 0.0f;
      for (int64_t u = 0; u < SH; ++u)
        for (int64_t v = 0; v < SW; ++v) {
          const float e = s[u * W + j * SW + v];
          mx = e > mx ? e : mx;
          a += e;
        }
      d[j] = kind == 0 ? mx : a * inv;
    }
  }
}

/* One row of blocks of a max/avg pool's input gradient, factor 2 along W:
 * g, yo: the row of dy and y; s, d, yb: the first of the SH rows of x, dx and
 * dact_y (row stride W); after: as for row_m. */
AEC_INLINE void pool_grad_row2(const float *g, const float *yo, const float *s, float *d,
                               const float *yb, int64_t Wo, int64_t W, int64_t SH, int kind,
                               float inv, int dact, int64_t after) {
  for (int64_t j = 0; j < Wo; j += AEC_VW) {
    const int64_t m = row_m(Wo - j, after);
    /* Rows u < SH-1 of the block were written for earlier j already:
     * only the block's last row may run over (into the next block). */
    const int64_t m_exact = lanes_left(Wo, j);
    const vf gv = load_m(g + j, m);
    const vf yv = load_m(yo + j, m);
    vi taken = 0;
    for (int64_t u = 0; u < SH; ++u) {
      vf e = 0.0f, o = 0.0f, de, dd;
      if (kind == 1) {
        de = dd = gv * inv;
      } else {
        /* the first position of the block (row-major) equal to the max */
        load_pair(s + u * W + 2 * j, m, &e, &o);
        vi he = (e == yv) & ~taken;
        taken |= he;
        vi ho = (o == yv) & ~taken;
        taken |= ho;
        de = vmask(gv, he);
        dd = vmask(gv, ho);
      }
      if (yb) {
        vf ye = e, yo2 = o; /* the derivative through x itself (relu, maxpool) reuses its load */
        if (yb != s || kind == 1)
          load_pair(yb + u * W + 2 * j, m, &ye, &yo2);
        de *= v_dact(ye, dact);
        dd *= v_dact(yo2, dact);
      }
      store_pair(d + u * W + 2 * j, de, dd, u + 1 < SH ? m_exact : m);
    }
  }
}

AEC_KAPI void aec_pool_backward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W,
                                int64_t SH, int64_t SW, int kind, const float *dy,
                                const float *x, const float *y, float *dx, const float *dact_y,
                                int dact) {
  if (kind == 2) {
    const int64_t r1 = n1 * C * H, Wo = W * SW;
    for (int64_t r = n0 * C * H; r < r1; ++r)
      upsample_grad_row(dy + r * SH * Wo, Wo, W, SH, SW, dx + r * W,
                        dact_y ? dact_y + r * W : 0, dact, (r1 - 1 - r) * W);
    return;
  }
  const int64_t Ho = H / SH, Wo = W / SW, r1 = n1 * C * Ho;
  const float inv = 1.0f / (float)(SH * SW);
  for (int64_t r = n0 * C * Ho; r < r1; ++r) {
    const float *g = dy + r * Wo, *yo = y + r * Wo, *s = x + r * SH * W;
    float *d = dx + r * SH * W;
    const float *yb = dact_y ? dact_y + r * SH * W : 0;
    if (SW == 2) {
      pool_grad_row2(g, yo, s, d, yb, Wo, W, SH, kind, inv, dact, (r1 - 1 - r) * Wo);
      continue;
    }
    for (int64_t j = 0; j < Wo; ++j) {
      if (kind == 1) {
        for (int64_t u = 0; u < SH; ++u)
          for (int64_t v = 0; v < SW; ++v)
            d[u * W + j * SW + v] = g[j] * inv;
      } else {
        int found = 0;
        for (int64_t u = 0; u < SH; ++u)
          for (int64_t v = 0; v < SW; ++v) {
            const int hit = !found && s[u * W + j * SW + v] == yo[j];
            found |= hit;
            d[u * W + j * SW + v] = hit ? g[j] : 0.0f;
          }
      }
    }
    if (yb)
      for (int64_t u = 0; u < SH; ++u)
        for (int64_t j = 0; j < W; ++j)
          d[u * W + j] *= dact1(yb[u * W + j], dact);
  }
}
