/* Convolution, pooling and upsampling kernels (contract: aec_conv.h). */
#include "aec_conv.h"
#include "aec_vmath.h"

/* ---- helpers -------------------------------------------------------------- */

/* Lanes for the row chunk at column j with `left` columns left in its row and
 * `after` columns in the rows that follow it up to the end of the range
 * [n0, n1). Rows are visited in increasing address order, so a row's last
 * partial chunk may run as full vectors when the range has room for them: the
 * extra lanes read the following rows (same buffers, same thread) and write
 * outputs that those rows overwrite right after. A full vector may span more
 * than the next row (7-wide rows, 16 lanes), hence `after` rather than "not
 * the last row": nothing outside the range is ever read or written, so
 * another thread's chunk is never clobbered. */
#define ROW_M(left, after) ((left) >= AEC_VW || (left) + (after) >= AEC_VW ? AEC_VW : (left))

/* Loop rows of the range after row i of plane c of sample n (C planes of R
 * rows per sample, samples up to n1). */
AEC_INLINE int64_t rows_after(int64_t n, int64_t n1, int64_t c, int64_t C, int64_t i, int64_t R) {
  return ((n1 - 1 - n) * C + (C - 1 - c)) * R + (R - 1 - i);
}

AEC_INLINE void zero_floats(float *p, int64_t n) {
  int64_t i = 0;
  for (; i + AEC_VW <= n; i += AEC_VW)
    vstore(p + i, (vf)0.0f);
  for (; i < n; ++i)
    p[i] = 0.0f;
}

/* v_dact on one lane (one table of derivatives, in aec_vmath.h). */
AEC_INLINE float s_dact(float y, int act) { return v_dact((vf)y, act)[0]; }

/* Copies one sample's [C][H][W] into padded planes (row stride Wp, plane
 * stride PS) at row offset r0, column offset c0, positions scaled by the
 * strides (SH, SW): src (i, j) goes to (i*SH + r0, j*SW + c0). The rest of
 * the planes is left as it is (zeroed once per kernel call). */
AEC_INLINE void scatter_planes(float *dst, const float *src, int64_t C, int64_t Hs, int64_t Ws,
                               int64_t SH, int64_t SW, int64_t r0, int64_t c0, int64_t Wp,
                               int64_t PS) {
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < Hs; ++i) {
      float *d = dst + c * PS + (i * SH + r0) * Wp + c0;
      const float *s = src + (c * Hs + i) * Ws;
      if (SW == 1)
        for (int64_t j = 0; j < Ws; j += AEC_VW) {
          const int64_t m = Ws - j < AEC_VW ? Ws - j : AEC_VW;
          if (m == AEC_VW)
            vstore(d + j, vload(s + j));
          else
            vstore_part(d + j, vload_part(s + j, m), m);
        }
      else
        for (int64_t j = 0; j < Ws; ++j)
          d[j * SW] = s[j];
    }
}

/* out[o][i] for o < OCB, i in [i0, i1) (i1 - i0 a multiple of J*AEC_VW):
 *   sum_{b < NB} sum_{ky, kx} w[(a0+o)*sA + b*sB + tap] * in[b*PS + i + ky*Wp + kx]
 * with tap = ky*KW+kx, or KH*KW-1-tap when flip. OCB and J are literals at
 * every call site, so acc[][] lives in registers. Every output sums its terms in
 * the same order (b, ky, kx) whatever the blocking, so the blocking may differ
 * between widths and shapes without changing any result. */
AEC_INLINE void conv_block(const int OCB, const int J, const float *in, int64_t PS, int64_t NB,
                           int64_t Wp, int64_t KH, int64_t KW, const float *w, int64_t sA,
                           int64_t sB, int flip, int64_t a0, int64_t i0, int64_t i1,
                           int64_t Lr, float *out) {
  const int64_t T = KH * KW;
  for (int64_t i = i0; i < i1; i += J * AEC_VW) {
    vf acc[4][8];
    for (int o = 0; o < OCB; ++o)
      for (int j = 0; j < J; ++j)
        acc[o][j] = 0.0f;
    for (int64_t b = 0; b < NB; ++b) {
      const float *src = in + b * PS + i;
      const float *wb = w + a0 * sA + b * sB;
      for (int64_t ky = 0; ky < KH; ++ky)
        for (int64_t kx = 0; kx < KW; ++kx) {
          const int64_t t = ky * KW + kx;
          const int64_t tw = flip ? T - 1 - t : t;
          vf v[8];
          for (int j = 0; j < J; ++j)
            v[j] = vload(src + ky * Wp + kx + j * AEC_VW);
          for (int o = 0; o < OCB; ++o) {
            const float wt = wb[o * sA + tw];
            for (int j = 0; j < J; ++j)
              acc[o][j] += wt * v[j];
          }
        }
    }
    for (int o = 0; o < OCB; ++o)
      for (int j = 0; j < J; ++j)
        vstore(out + o * Lr + i + j * AEC_VW, acc[o][j]);
  }
}

/* A whole plane range [0, Lr) (a multiple of 32) in steps of J vectors, the rest in
 * steps of 32 floats. */
#define AEC_CONV_SPAN(OCB, J, a)                                                              \
  do {                                                                                        \
    const int64_t jw_ = (J) * AEC_VW, main_ = Lr / jw_ * jw_;                                 \
    conv_block(OCB, J, in, PS, NB, Wp, KH, KW, w, sA, sB, flip, a, 0, main_, Lr, planes);     \
    if (main_ < Lr)                                                                           \
      conv_block(OCB, 32 / AEC_VW, in, PS, NB, Wp, KH, KW, w, sA, sB, flip, a, main_, Lr, Lr, \
                 planes);                                                                     \
  } while (0)

/* Register blocks: 4 output planes x AEC_CONV_J4 vectors, single planes x AEC_CONV_J1
 * (enough independent accumulators to hide the FMA latency; AVX2 has 16 registers). */
#if AEC_VW == 16
#define AEC_CONV_J4 4
#define AEC_CONV_J1 8
#else
#define AEC_CONV_J4 2
#define AEC_CONV_J1 4
#endif

/* All NA output planes of one sample, in blocks of 4 (then single planes);
 * epi(a, plane) consumes each plane. */
#define AEC_CONV_PLANES(NA, EPI)                                                              \
  do {                                                                                        \
    int64_t a_ = 0;                                                                           \
    for (; a_ + 4 <= (NA); a_ += 4) {                                                         \
      AEC_CONV_SPAN(4, AEC_CONV_J4, a_);                                                      \
      for (int64_t q_ = 0; q_ < 4; ++q_)                                                      \
        EPI(a_ + q_, planes + q_ * Lr);                                                       \
    }                                                                                         \
    for (; a_ < (NA); ++a_) {                                                                 \
      AEC_CONV_SPAN(1, AEC_CONV_J1, a_);                                                      \
      EPI(a_, planes);                                                                        \
    }                                                                                         \
  } while (0)

/* Factor 2 along W (the common case) runs as explicit vector code: a pair of
 * input vectors is split into its even and odd columns (or two output vectors
 * interleaved) with one shuffle each, so nothing is gathered element-wise. */
#if AEC_VW == 16
#define AEC_EVEN(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define AEC_ODD(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
#define AEC_ILO(a, b) __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define AEC_IHI(a, b) __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#elif AEC_VW == 8
#define AEC_EVEN(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define AEC_ODD(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15)
#define AEC_ILO(a, b) __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define AEC_IHI(a, b) __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#else
#define AEC_EVEN(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6)
#define AEC_ODD(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7)
#define AEC_ILO(a, b) __builtin_shufflevector(a, b, 0, 4, 1, 5)
#define AEC_IHI(a, b) __builtin_shufflevector(a, b, 2, 6, 3, 7)
#endif

/* m (<= AEC_VW) lanes; the rest read as 0 / are not written. */
AEC_INLINE vf load_m(const float *p, int64_t m) {
  return m == AEC_VW ? vload(p) : vload_part(p, m);
}
AEC_INLINE void store_m(float *p, vf v, int64_t m) {
  if (m == AEC_VW)
    vstore(p, v);
  else
    vstore_part(p, v, m);
}
/* 2m consecutive floats as the (even, odd) columns. */
AEC_INLINE void load_pair(const float *p, int64_t m, vf *even, vf *odd) {
  vf a, b;
  if (m == AEC_VW) {
    a = vload(p);
    b = vload(p + AEC_VW);
  } else {
    const int64_t m2 = 2 * m;
    a = vload_part(p, m2 < AEC_VW ? m2 : AEC_VW);
    b = m2 > AEC_VW ? vload_part(p + AEC_VW, m2 - AEC_VW) : (vf)0.0f;
  }
  *even = AEC_EVEN(a, b);
  *odd = AEC_ODD(a, b);
}
/* Stores the interleave of (even, odd) as 2m consecutive floats. */
AEC_INLINE void store_pair(float *p, vf even, vf odd, int64_t m) {
  vf lo = AEC_ILO(even, odd), hi = AEC_IHI(even, odd);
  if (m == AEC_VW) {
    vstore(p, lo);
    vstore(p + AEC_VW, hi);
  } else {
    const int64_t m2 = 2 * m;
    vstore_part(p, lo, m2 < AEC_VW ? m2 : AEC_VW);
    if (m2 > AEC_VW)
      vstore_part(p + AEC_VW, hi, m2 - AEC_VW);
  }
}
AEC_INLINE vf vmask(vf v, vi m) { return vbits(ibits(v) & m); }

/* One row of an upsample's input gradient: d[j] = the sum of the UH x UW block
 * of g (row stride gs) at column j*UW, times act'(yb[j]) if yb; `after`: the
 * columns the range has past this row (full vectors may run into them, see
 * ROW_M; 0 writes exact lengths). aec_pool_backward's upsample case and the
 * conv input gradient with the upsample fused share it, so fusing changes no
 * result. */
AEC_INLINE void upsample_grad_row(const float *g, int64_t gs, int64_t Wn, int64_t UH, int64_t UW,
                                  float *d, const float *yb, int dact, int64_t after) {
  if (UW == 2) {
    for (int64_t j = 0; j < Wn; j += AEC_VW) {
      const int64_t m = ROW_M(Wn - j, after);
      vf sum = 0.0f, e, o;
      for (int64_t u = 0; u < UH; ++u) {
        load_pair(g + u * gs + 2 * j, m, &e, &o);
        sum += e + o;
      }
      if (yb)
        sum *= v_dact(load_m(yb + j, m), dact);
      store_m(d + j, sum, m);
    }
    return;
  }
  for (int64_t j = 0; j < Wn; ++j) {
    float a = 0.0f;
    for (int64_t u = 0; u < UH; ++u)
      for (int64_t v = 0; v < UW; ++v)
        a += g[u * gs + j * UW + v];
    d[j] = yb ? a * s_dact(yb[j], dact) : a;
  }
}

/* The same for a whole full-resolution plane (row stride Wp) into [HU][WU]. */
AEC_INLINE void upsample_grad_plane(const float *plane, int64_t Wp, int64_t HU, int64_t WU,
                                    int64_t UH, int64_t UW, float *dst, const float *yr,
                                    int dact) {
  for (int64_t i = 0; i < HU; ++i)
    upsample_grad_row(plane + i * UH * Wp, Wp, WU, UH, UW, dst + i * WU, yr ? yr + i * WU : 0,
                      dact, 0);
}

/* Like scatter_planes (stride 1) for the upsample (UH x UW) of src [C][Hs][Ws]:
 * src (i, j) goes to the UH x UW block at (i*UH + r0, j*UW + c0), so a conv
 * reads an upsampled input without it being written in full resolution. */
AEC_INLINE void upsample_planes(float *dst, const float *src, int64_t C, int64_t Hs, int64_t Ws,
                                int64_t UH, int64_t UW, int64_t r0, int64_t c0, int64_t Wp,
                                int64_t PS) {
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < Hs; ++i) {
      const float *s = src + (c * Hs + i) * Ws;
      for (int64_t u = 0; u < UH; ++u) {
        float *d = dst + c * PS + (i * UH + u + r0) * Wp + c0;
        if (UW == 2)
          for (int64_t j = 0; j < Ws; j += AEC_VW) {
            const int64_t m = Ws - j < AEC_VW ? Ws - j : AEC_VW;
            const vf v = load_m(s + j, m);
            store_pair(d + 2 * j, v, v, m);
          }
        else
          for (int64_t j = 0; j < Ws * UW; ++j)
            d[j] = s[j / UW];
      }
    }
}

/* The conv's input planes of one sample: x itself, or its upsample when UH x UW > 1. */
AEC_INLINE void input_planes(float *dst, const float *x, int64_t C, int64_t H, int64_t W,
                             int64_t UH, int64_t UW, int64_t r0, int64_t c0, int64_t Wp,
                             int64_t PS) {
  if (UH * UW > 1)
    upsample_planes(dst, x, C, H / UH, W / UW, UH, UW, r0, c0, Wp, PS);
  else
    scatter_planes(dst, x, C, H, W, 1, 1, r0, c0, Wp, PS);
}

/* ---- convolution ------------------------------------------------------------ */

AEC_KAPI void aec_conv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                               int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                               const float *x, const float *w, const float *bias, float *y,
                               int act, int64_t UH, int64_t UW, float *scratch) {
  if (n1 <= n0) return;
  const int64_t Wp = W + KW - 1, Lr = aec_conv_plane(H, W, KH, KW);
  const int64_t PS = aec_conv_pstride(H, W, KH, KW);
  const int64_t Ho = (H + SH - 1) / SH, Wo = (W + SW - 1) / SW;
  const int64_t pt = (KH - 1) / 2, pl = (KW - 1) / 2;
  float *in_buf = scratch + n0 * aec_conv_fwd_slot(Ci, Co, H, W, KH, KW);
  float *planes = in_buf + Ci * PS;
  zero_floats(in_buf, Ci * PS);
  const float *in = in_buf;
  const int64_t NB = Ci, sA = Ci * KH * KW, sB = KH * KW;
  const int flip = 0;
  for (int64_t n = n0; n < n1; ++n) {
    input_planes(in_buf, x + n * Ci * (H / UH) * (W / UW), Ci, H, W, UH, UW, pt, pl, Wp, PS);
    float *yn = y + n * Co * Ho * Wo;
#define AEC_FWD_EPI(o, plane)                                                                 \
  do {                                                                                        \
    const float bo = bias ? bias[o] : 0.0f;                                                   \
    for (int64_t oy = 0; oy < Ho; ++oy) {                                                     \
      const float *row = (plane) + oy * SH * Wp;                                              \
      float *dst = yn + ((o) * Ho + oy) * Wo;                                                 \
      int64_t ox = 0;                                                                         \
      if (SW == 1) {                                                                          \
        const int64_t after = rows_after(n, n1, (o), Co, oy, Ho) * Wo;                        \
        for (; ox < Wo; ox += AEC_VW) {                                                       \
          const int64_t m = ROW_M(Wo - ox, after);                                            \
          if (m == AEC_VW)                                                                    \
            vstore(dst + ox, v_act(vload(row + ox) + bo, act));                               \
          else                                                                                \
            vstore_part(dst + ox, v_act(vload_part(row + ox, m) + bo, act), m);               \
        }                                                                                     \
      } else {                                                                                \
        for (; ox < Wo; ox += AEC_VW) {                                                       \
          const int64_t m = Wo - ox < AEC_VW ? Wo - ox : AEC_VW;                              \
          vf v = 0.0f;                                                                        \
          for (int64_t t = 0; t < m; ++t)                                                     \
            v[t] = row[(ox + t) * SW];                                                        \
          vstore_part(dst + ox, v_act(v + bo, act), m);                                       \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
  } while (0)
    AEC_CONV_PLANES(Co, AEC_FWD_EPI);
#undef AEC_FWD_EPI
  }
}

AEC_KAPI void aec_conv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                     int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                                     const float *dy, const float *w, float *dx,
                                     const float *dact_y, int dact, int64_t UH, int64_t UW,
                                     float *scratch) {
  if (n1 <= n0) return;
  const int64_t Wp = W + KW - 1, Lr = aec_conv_plane(H, W, KH, KW);
  const int64_t PS = aec_conv_pstride(H, W, KH, KW);
  const int64_t Ho = (H + SH - 1) / SH, Wo = (W + SW - 1) / SW;
  const int64_t pt = (KH - 1) / 2, pl = (KW - 1) / 2;
  float *in_buf = scratch + n0 * aec_conv_bwd_data_slot(Ci, Co, H, W, KH, KW);
  float *planes = in_buf + Co * PS;
  zero_floats(in_buf, Co * PS);
  const float *in = in_buf;
  /* Output planes are the conv's input channels c; the reduction runs over
   * its output channels o; w[o][c][tap] flipped. */
  const int64_t NB = Co, sA = KH * KW, sB = Ci * KH * KW;
  const int flip = 1;
  const int64_t HU = H / UH, WU = W / UW; /* dx's rows and columns */
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, dy + n * Co * Ho * Wo, Co, Ho, Wo, SH, SW, KH - 1 - pt, KW - 1 - pl,
                   Wp, PS);
    float *dxn = dx + n * Ci * HU * WU;
    const float *yb = dact_y ? dact_y + n * Ci * HU * WU : 0;
#define AEC_BWD_EPI(c, plane)                                                                 \
  do {                                                                                        \
    if (UH * UW > 1) {                                                                        \
      upsample_grad_plane(plane, Wp, HU, WU, UH, UW, dxn + (c) * HU * WU,                     \
                          yb ? yb + (c) * HU * WU : 0, dact);                                 \
      break;                                                                                  \
    }                                                                                         \
    for (int64_t iy = 0; iy < H; ++iy) {                                                      \
      const float *row = (plane) + iy * Wp;                                                   \
      float *dst = dxn + ((c) * H + iy) * W;                                                  \
      const float *yr = yb ? yb + ((c) * H + iy) * W : 0;                                     \
      const int64_t after = rows_after(n, n1, (c), Ci, iy, H) * W;                            \
      for (int64_t ix = 0; ix < W; ix += AEC_VW) {                                            \
        const int64_t m = ROW_M(W - ix, after);                                               \
        if (m == AEC_VW) {                                                                    \
          vf v = vload(row + ix);                                                             \
          if (yr) v *= v_dact(vload(yr + ix), dact);                                          \
          vstore(dst + ix, v);                                                                \
        } else {                                                                              \
          vf v = vload_part(row + ix, m);                                                     \
          if (yr) v *= v_dact(vload_part(yr + ix, m), dact);                                  \
          vstore_part(dst + ix, v, m);                                                        \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
  } while (0)
    AEC_CONV_PLANES(Ci, AEC_BWD_EPI);
#undef AEC_BWD_EPI
  }
}

/* Output channels per weight-gradient group: AVX-512's 32 registers hold 4 x 3
 * accumulators + 4 gradient vectors + x; AVX2's 16 hold 2 x 3 (see wg_dot). */
#if AEC_VW == 16
#define AEC_CONV_WG_P 4
#else
#define AEC_CONV_WG_P 2
#endif

/* dw[p*dws + t] += sum over the nn samples of the block and i < Lr of
 * dq_p[i] * xc[i + ky*Wp + kx], t = ky*KW + kx, for the P (1, 2 or 4) output
 * channels whose gradient planes sit at dq + p*Lr: every load of x is shared
 * by P channels. Taps go in groups of one kernel row (KW <= 8) when P > 1 so
 * the accumulators fit in registers (9 taps x 2 spill after O3 unrolls the
 * loop, even with 32 registers); P = 1 takes up to 9 taps per group. Each
 * tap's sum runs in a fixed order (samples, then i), so results depend
 * neither on the thread split nor on the grouping. */
AEC_INLINE void wg_dot(const int P, const float *xp, int64_t xk, const float *dq, int64_t dqk,
                       int64_t nn, int64_t Lr, int64_t KH, int64_t KW, int64_t Wp, float *dw,
                       int64_t dws) {
  const int64_t T = KH * KW;
  const int64_t TG = P > 1 ? KW : 9;
  for (int64_t t0 = 0; t0 < T; t0 += TG) {
    const int64_t nt = T - t0 < TG ? T - t0 : TG;
    vf acc[4][9];
    for (int p = 0; p < P; ++p)
      for (int64_t q = 0; q < nt; ++q)
        acc[p][q] = 0.0f;
    for (int64_t k = 0; k < nn; ++k) {
      const float *xc = xp + k * xk;
      const float *dk = dq + k * dqk;
      for (int64_t i = 0; i < Lr; i += AEC_VW) {
        vf d[4];
        for (int p = 0; p < P; ++p)
          d[p] = vload(dk + p * Lr + i);
        for (int64_t q = 0; q < nt; ++q) {
          const int64_t t = t0 + q;
          const vf xv = vload(xc + i + (t / KW) * Wp + t % KW);
          for (int p = 0; p < P; ++p)
            acc[p][q] += d[p] * xv;
        }
      }
    }
    for (int p = 0; p < P; ++p)
      for (int64_t q = 0; q < nt; ++q) {
        float s = 0.0f;
        for (int l = 0; l < AEC_VW; ++l)
          s += acc[p][q][l];
        dw[p * dws + t0 + q] += s;
      }
  }
}

/* One output plane's gradient of a block (scattered to the stride-1 grid)
 * and, if db, its sum into db. */
AEC_INLINE void wg_plane(float *dq, const float *dyo, int64_t Ho, int64_t Wo, int64_t SH,
                         int64_t SW, int64_t Wp, int64_t PS, float *db) {
  scatter_planes(dq, dyo, 1, Ho, Wo, SH, SW, 0, 0, Wp, PS);
  if (db) {
    vf s = 0.0f;
    int64_t i = 0;
    for (; i + AEC_VW <= Ho * Wo; i += AEC_VW)
      s += vload(dyo + i);
    if (i < Ho * Wo)
      s += vload_part(dyo + i, Ho * Wo - i);
    float t = 0.0f;
    for (int l = 0; l < AEC_VW; ++l)
      t += s[l];
    *db += t;
  }
}

AEC_KAPI void aec_conv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                                       int64_t H, int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                       int64_t SH, int64_t SW, const float *x, const float *dy,
                                       float *dw, float *db, int accumulate, int64_t UH,
                                       int64_t UW, float *scratch) {
  if (u1 <= u0) return;
  const int64_t Wp = W + KW - 1, Lr = aec_conv_plane(H, W, KH, KW);
  const int64_t PS = aec_conv_pstride(H, W, KH, KW);
  const int64_t Ho = (H + SH - 1) / SH, Wo = (W + SW - 1) / SW;
  const int64_t pt = (KH - 1) / 2, pl = (KW - 1) / 2;
  const int64_t T = KH * KW, NBK = AEC_CONV_WG_BLOCK;
  /* Units u = o*G + g: output channel o, input channels [g*Ci/G, (g+1)*Ci/G). */
  const int64_t o_first = u0 / G, o_last = (u1 - 1) / G;
  const int64_t cmin = o_first == o_last ? (u0 % G) * Ci / G : 0;
  const int64_t cmax = o_first == o_last ? ((u1 - 1) % G + 1) * Ci / G : Ci;
  float *xp = scratch + u0 * aec_conv_bwd_filter_slot(Ci, Co, H, W, KH, KW);
  float *dq = xp + NBK * Ci * PS;
  zero_floats(xp, NBK * (Ci * PS + AEC_CONV_WG_P * Lr));
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t o = u / G, g = u % G, c0 = g * Ci / G, c1 = (g + 1) * Ci / G;
    if (!accumulate) {
      zero_floats(dw + (o * Ci + c0) * T, (c1 - c0) * T);
      if (db && g == 0)
        db[o] = 0.0f;
    }
  }
  for (int64_t nb = 0; nb < M; nb += NBK) {
    const int64_t nn = M - nb < NBK ? M - nb : NBK;
    for (int64_t k = 0; k < nn; ++k)
      input_planes(xp + k * Ci * PS + cmin * PS, x + ((nb + k) * Ci + cmin) * (H / UH) * (W / UW),
                   cmax - cmin, H, W, UH, UW, pt, pl, Wp, PS);
    int64_t dq_o = -1; /* the output channel whose gradient dq holds (G > 1) */
    for (int64_t u = u0; u < u1;) {
      const int64_t o = u / G, g = u % G, c0 = g * Ci / G, c1 = (g + 1) * Ci / G;
      /* Up to AEC_CONV_WG_P output channels at once when they are whole units
       * of this chunk. */
      const int64_t left = G == 1 && KW <= 8 ? u1 - u : 1;
      const int P = left >= 4 && AEC_CONV_WG_P >= 4 ? 4 : left >= 2 ? 2 : 1;
      for (int64_t k = 0; k < nn && o != dq_o; ++k)
        for (int p = 0; p < P; ++p)
          wg_plane(dq + (k * AEC_CONV_WG_P + p) * Lr, dy + ((nb + k) * Co + o + p) * Ho * Wo, Ho,
                   Wo, SH, SW, Wp, PS, db && g == 0 ? db + o + p : 0);
      for (int64_t c = c0; c < c1; ++c) {
        float *dwc = dw + (o * Ci + c) * T;
        const float *xc = xp + c * PS;
        const int64_t dqk = AEC_CONV_WG_P * Lr;
        if (P == 4)
          wg_dot(4, xc, Ci * PS, dq, dqk, nn, Lr, KH, KW, Wp, dwc, Ci * T);
        else if (P == 2)
          wg_dot(2, xc, Ci * PS, dq, dqk, nn, Lr, KH, KW, Wp, dwc, Ci * T);
        else
          wg_dot(1, xc, Ci * PS, dq, dqk, nn, Lr, KH, KW, Wp, dwc, Ci * T);
      }
      dq_o = P == 1 ? o : -1;
      u += P;
    }
  }
}

/* ---- pooling / upsampling ------------------------------------------------- */

AEC_KAPI void aec_pool_forward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W,
                               int64_t SH, int64_t SW, int kind, const float *x, float *y) {
  const int64_t in = C * H * W;
  if (kind == 2) {
    const int64_t Ho = H * SH, Wo = W * SW;
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < H; ++i) {
          const float *s = x + n * in + (c * H + i) * W;
          for (int64_t u = 0; u < SH; ++u) {
            float *d = y + n * in * SH * SW + (c * Ho + i * SH + u) * Wo;
            if (SW == 2) {
              const int64_t after = rows_after(n, n1, c, C, i, H) * W;
              for (int64_t j = 0; j < W; j += AEC_VW) {
                const int64_t m = ROW_M(W - j, after);
                const vf v = load_m(s + j, m);
                store_pair(d + 2 * j, v, v, m);
              }
            } else {
              for (int64_t j = 0; j < Wo; ++j)
                d[j] = s[j / SW];
            }
          }
        }
    return;
  }
  const int64_t Ho = H / SH, Wo = W / SW;
  const float inv = 1.0f / (float)(SH * SW);
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < Ho; ++i) {
        const float *s = x + n * in + (c * H + i * SH) * W;
        float *d = y + n * (in / (SH * SW)) + (c * Ho + i) * Wo;
        if (SW == 2) {
          const int64_t after = rows_after(n, n1, c, C, i, Ho) * Wo;
          for (int64_t j = 0; j < Wo; j += AEC_VW) {
            const int64_t m = ROW_M(Wo - j, after);
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

AEC_KAPI void aec_pool_backward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W,
                                int64_t SH, int64_t SW, int kind, const float *dy,
                                const float *x, const float *y, float *dx, const float *dact_y,
                                int dact) {
  const int64_t in = C * H * W;
  if (kind == 2) {
    const int64_t Ho = H * SH, Wo = W * SW;
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < H; ++i) {
          float *d = dx + n * in + (c * H + i) * W;
          const float *g = dy + n * in * SH * SW + (c * Ho + i * SH) * Wo;
          const float *yb = dact_y ? dact_y + n * in + (c * H + i) * W : 0;
          upsample_grad_row(g, Wo, W, SH, SW, d, yb, dact, rows_after(n, n1, c, C, i, H) * W);
        }
    return;
  }
  const int64_t Ho = H / SH, Wo = W / SW, out = in / (SH * SW);
  const float inv = 1.0f / (float)(SH * SW);
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < Ho; ++i) {
        const float *g = dy + n * out + (c * Ho + i) * Wo;
        const float *yo = y + n * out + (c * Ho + i) * Wo;
        const float *s = x + n * in + (c * H + i * SH) * W;
        float *d = dx + n * in + (c * H + i * SH) * W;
        const float *yb = dact_y ? dact_y + n * in + (c * H + i * SH) * W : 0;
        if (SW == 2) {
          const int64_t after = rows_after(n, n1, c, C, i, Ho) * Wo;
          for (int64_t j = 0; j < Wo; j += AEC_VW) {
            const int64_t m = ROW_M(Wo - j, after);
            /* Rows u < SH-1 of the block were written for earlier j already:
             * only the block's last row may run over (into the next block). */
            const int64_t m_exact = Wo - j < AEC_VW ? Wo - j : AEC_VW;
            const vf gv = load_m(g + j, m);
            const vf yv = load_m(yo + j, m);
            vi taken = 0;
            for (int64_t u = 0; u < SH; ++u) {
              vf e, o, de, dd;
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
                vf ye, yo2;
                load_pair(yb + u * W + 2 * j, m, &ye, &yo2);
                de *= v_dact(ye, dact);
                dd *= v_dact(yo2, dact);
              }
              store_pair(d + u * W + 2 * j, de, dd, u + 1 < SH ? m_exact : m);
            }
          }
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
              d[u * W + j] *= s_dact(yb[u * W + j], dact);
      }
}
