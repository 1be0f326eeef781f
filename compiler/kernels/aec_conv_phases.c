/* Upsample by 2 + 3x3 conv ("upconv", contract: aec_conv.h) computed at the
 * input's resolution. Output phase (dy, dx) (y[2i+dy][2j+dx]) of the conv of
 * the nearest-neighbour upsample sees only the 2x2 low-resolution pixels
 * x[i-1+dy+r][j-1+dx+s] (r, s in {0, 1}), with the 3x3 taps that land on the
 * same pixel summed (phase_weights): 4 MACs per input channel and output
 * instead of 9, and no full-resolution plane. Each phase is a 2x2 conv run by
 * the same register-blocked tap loop as every conv (aec_conv_block.h). */
#include "aec_conv_block.h"

/* The pixel (0: the lower, 1: the higher of the two) that 3x3 kernel row k
 * reads in output phase d (0: even output rows, 1: odd): d = 0 reads rows
 * i-1, i, i; d = 1 rows i, i, i+1 (the same along columns). */
AEC_INLINE int64_t phase_pixel(int64_t d, int64_t k) { return (k + 1 - d) / 2; }

/* wp[p][o][c][r*2+s] (p = dy*2+dx) = the sum of w[o][c][ky][kx] over the taps
 * that phase p reads from its pixel (r, s), in (ky, kx) order. */
AEC_INLINE void phase_weights(const float *w, int64_t Co, int64_t Ci, float *wp) {
  zero_floats(wp, 16 * Co * Ci);
  AEC_ROLLED
  for (int64_t p = 0; p < 4; ++p)
    AEC_ROLLED
    for (int64_t oc = 0; oc < Co * Ci; ++oc)
      for (int64_t ky = 0; ky < 3; ++ky)
        for (int64_t kx = 0; kx < 3; ++kx)
          wp[(p * Co * Ci + oc) * 4 + phase_pixel(p / 2, ky) * 2 + phase_pixel(p % 2, kx)] +=
              w[oc * 9 + ky * 3 + kx];
}

/* The output plane yo [2H][2W] of one channel from its 4 phase planes (phase
 * p at plane + p*4*Lr): interleaved, plus bias, activation. */
AEC_INLINE void upconv_epilogue(const conv_geom *g, const float *plane, int64_t H, int64_t W,
                                float *yo, float bo, int act) {
  const int64_t X = 2 * W;
  for (int64_t i = 0; i < H; ++i)
    for (int64_t dy = 0; dy < 2; ++dy) {
      const float *e = plane + (dy * 2) * 4 * g->Lr + i * g->Wp;
      const float *d = plane + (dy * 2 + 1) * 4 * g->Lr + i * g->Wp;
      for (int64_t j = 0; j < W; j += AEC_VW) {
        const int64_t m = lanes_left(W, j);
        store_pair(yo + (2 * i + dy) * X + 2 * j, v_act(load_m(e + j, m) + bo, act),
                   v_act(load_m(d + j, m) + bo, act), m);
      }
    }
}
AEC_SHARED void upconv_epilogue_by_act(const conv_geom *g, const float *plane, int64_t H,
                                       int64_t W, float *yo, float bo, int act) {
  AEC_WITH_ACT(act, upconv_epilogue(g, plane, H, W, yo, bo, act_));
}

AEC_KAPI void aec_upconv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                 int64_t Co, const float *x, const float *w, const float *bias,
                                 float *y, int act, float *scratch) {
  if (n1 <= n0) return;
  /* x padded by one pixel (the 3x3 geometry at the low resolution); phase
   * (dy, dx) reads it from row dy, column dx on. */
  const conv_geom g = conv_geometry(H, W, 3, 3, 1, 1);
  float *wp = scratch, *in_buf = wp + 16 * Co * Ci, *planes = in_buf + Ci * g.PS;
  phase_weights(w, Co, Ci, wp);
  zero_floats(in_buf, Ci * g.PS);
  const int64_t Y = 2 * H, X = 2 * W;
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, x + n * Ci * H * W, Ci, H, W, 1, 1, g.Wp, g.PS);
    for (int64_t a = 0; a < Co;) {
      /* planes[ph][q]: the block's 4 (or 1) output channels per phase */
      int64_t nb = 0;
      for (int64_t ph = 0; ph < 4; ++ph) {
        /* built here, so its shape fields stay constants for the tap loop */
        const conv_pass p = {in_buf + (ph / 2) * g.Wp + ph % 2, g.PS, Ci,
                             geom_taps(&g, 2, 2, 1, 1), wp + ph * Co * Ci * 4, Ci * 4, 4, 0, 2,
                             1, g.Lr};
        nb = conv_planes_from(&p, a, Co, planes + ph * 4 * g.Lr);
      }
      for (int64_t q = 0; q < nb; ++q) {
        const int64_t o = a + q;
        upconv_epilogue_by_act(&g, planes + q * g.Lr, H, W, y + (n * Co + o) * Y * X,
                               bias ? bias[o] : 0.0f, act);
      }
      a += nb;
    }
  }
}

AEC_KAPI void aec_upconv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                       int64_t Co, const float *dy, const float *w, float *dx,
                                       const float *dact_y, int dact, float *scratch) {
  if (n1 <= n0) return;
  /* dx[c][i][j] = sum over o, phases (py, px), r, s of
   * wp[p][o][c][r][s] * dy_p[o][i+1-py-r][j+1-px-s]: a 2x2 conv with the kernel
   * flipped over the 4*Co phase planes of dy, plane p shifted by (py, px). */
  const conv_geom g = conv_geometry(H, W, 2, 2, 1, 1);
  float *wp = scratch, *in_buf = wp + 16 * Co * Ci, *planes = in_buf + 4 * Co * g.PS;
  phase_weights(w, Co, Ci, wp);
  zero_floats(in_buf, 4 * Co * g.PS);
  const conv_pass p = {in_buf, g.PS, 4 * Co, geom_taps(&g, 2, 2, 1, 1), wp, 4, Ci * 4, 3, -2, -1,
                       g.Lr};
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t o = 0; o < Co; ++o)
      split_phases(in_buf + o * g.PS, Co * g.PS, 1, dy + (n * Co + o) * 4 * H * W, H, W, g.Wp);
    for (int64_t a = 0; a < Ci;) {
      const int64_t nb = conv_planes_from(&p, a, Ci, planes);
      for (int64_t q = 0; q < nb; ++q) {
        const int64_t c = a + q, off = (n * Ci + c) * H * W;
        plane_to_rows_by_act(planes + q * g.Lr, g.Wp, H, W, dx + off, dact_y ? dact_y + off : 0,
                             dact, rows_after(n, n1, c, Ci, H - 1, H) * W);
      }
      a += nb;
    }
  }
}

/* The lane sums (dv: vector p*4 + t) of phase p, tap t for the P output
 * channels (stride dvs) of one input channel xc (x planes of the block,
 * stride xk) and the phase planes dq[k][p][P][Lr] of the block's gradient. */
AEC_INLINE void upconv_wg_channel(const int P, const float *xc, int64_t xk, const float *dq,
                                  int64_t nn, int64_t Lr, int64_t Wp, float *dv, int64_t dvs) {
  const conv_taps tp = {2, 2, 1, 1, 0, Wp}; /* (Ho: unused at stride 1) */
  for (int64_t ph = 0; ph < 4; ++ph)
    wg_dot(P, xc + (ph / 2) * Wp + ph % 2, xk, dq + ph * AEC_CONV_WG_P * Lr,
           4 * AEC_CONV_WG_P * Lr, nn, Lr, &tp, dv + ph * 4 * AEC_VW, dvs);
}

AEC_KAPI void aec_upconv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M,
                                         int64_t Ci, int64_t H, int64_t W, int64_t Co,
                                         const float *x, const float *dy, float *dw, float *db,
                                         int accumulate, float *partials, float *scratch) {
  if (u1 <= u0) return;
  const conv_geom geo = conv_geometry(H, W, 3, 3, 1, 1);
  const int64_t Wp = geo.Wp, Lr = geo.Lr, PS = geo.PS, NBK = AEC_CONV_WG_BLOCK;
  const int64_t o_first = u0 / G, o_last = (u1 - 1) / G;
  const int64_t cmin = o_first == o_last ? (u0 % G) * Ci / G : 0;
  const int64_t cmax = o_first == o_last ? ((u1 - 1) % G + 1) * Ci / G : Ci;
  /* the chunk's slot: x planes of the block's samples, then their gradient
   * phase planes; 16 phase taps of lane sums per (o, c) in partials */
  float *xp = scratch, *dq = xp + NBK * (cmax - cmin) * PS;
  zero_floats(xp, NBK * ((cmax - cmin) * PS + 4 * AEC_CONV_WG_P * Lr));
  wg_zero_partials(partials, u0, u1, G, Ci, 16);
  for (int64_t u = u0; u < u1; ++u)
    if (!accumulate && db && u % G == 0) db[u / G] = 0.0f;
  const int64_t xk = (cmax - cmin) * PS, Y = 2 * H, X = 2 * W;
  for (int64_t nb = 0; nb < M; nb += NBK) {
    const int64_t nn = M - nb < NBK ? M - nb : NBK;
    for (int64_t k = 0; k < nn; ++k)
      scatter_planes(xp + k * xk, x + ((nb + k) * Ci + cmin) * H * W, cmax - cmin, H, W, 1, 1, Wp,
                     PS);
    int64_t dq_o = -1; /* the output channel whose gradient dq holds (G > 1) */
    for (int64_t u = u0; u < u1;) {
      const int64_t o = u / G, g = u % G, c0 = g * Ci / G, c1 = (g + 1) * Ci / G;
      const int64_t left = G == 1 ? u1 - u : 1;
      const int P = wg_channels(left, G == 1 && ((u0 | u1) & 3) == 0);
      for (int64_t k = 0; k < nn && o != dq_o; ++k)
        for (int q = 0; q < P; ++q) {
          const float *dyo = dy + ((nb + k) * Co + o + q) * Y * X;
          split_phases(dq + (k * 4 * AEC_CONV_WG_P + q) * Lr, AEC_CONV_WG_P * Lr, 0, dyo, H, W,
                       Wp);
          if (db && g == 0) db[o + q] += plane_sum(dyo, Y * X);
        }
      for (int64_t c = c0; c < c1; ++c) {
        const float *xc = xp + (c - cmin) * PS;
        float *dv = wg_partials(partials, o, c, Ci, 16);
        const int64_t dvs = Ci * 16 * AEC_VW;
        if (P == 4)
          upconv_wg_channel(4, xc, xk, dq, nn, Lr, Wp, dv, dvs);
        else if (P == 2)
          upconv_wg_channel(2, xc, xk, dq, nn, Lr, Wp, dv, dvs);
        else
          upconv_wg_channel(1, xc, xk, dq, nn, Lr, Wp, dv, dvs);
      }
      dq_o = P == 1 ? o : -1;
      u += P;
    }
  }
  /* Each 3x3 tap is the sum of the phase taps that read it, one per phase. */
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t o = u / G, g = u % G;
    AEC_ROLLED
    for (int64_t c = g * Ci / G; c < (g + 1) * Ci / G; ++c) {
      const float *d = wg_partials(partials, o, c, Ci, 16);
      float *dwc = dw + (o * Ci + c) * 9;
      for (int64_t ky = 0; ky < 3; ++ky)
        for (int64_t kx = 0; kx < 3; ++kx) {
          vf v = 0.0f;
          for (int64_t ph = 0; ph < 4; ++ph)
            v += vload(d + (ph * 4 + phase_pixel(ph / 2, ky) * 2 + phase_pixel(ph % 2, kx)) *
                               AEC_VW);
          const float a = hsum(v);
          dwc[ky * 3 + kx] = accumulate ? dwc[ky * 3 + kx] + a : a;
        }
    }
  }
}
