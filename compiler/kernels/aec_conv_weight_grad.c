/* Convolution weight and bias gradients (contract: aec_conv.h). */
#include "aec_conv_block.h"

/* One output plane's gradient of a block (on the output grid, row stride Wp)
 * and, if db, its sum into db. */
AEC_INLINE void wg_plane(float *dq, const float *dyo, int64_t Ho, int64_t Wo, int64_t Wp,
                         float *db) {
  scatter_planes(dq, dyo, 1, Ho, Wo, 0, 0, Wp, 0);
  if (db) *db += plane_sum(dyo, Ho * Wo);
}

AEC_INLINE void conv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                                     int64_t H, int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                     int64_t SH, int64_t SW, const float *x, const float *dy,
                                     float *dw, float *db, int accumulate, int64_t UH,
                                     int64_t UW, float *partials, float *scratch) {
  if (u1 <= u0) return;
  const conv_geom geo = conv_geometry(H, W, KH, KW, SH, SW);
  const int64_t Wp = geo.Wp, Lr = geo.Lr, PS = geo.PS, Ho = geo.Ho, Wo = geo.Wo;
  const int64_t T = KH * KW, NBK = AEC_CONV_WG_BLOCK;
  const conv_taps tp = geom_taps(&geo, KH, KW, SH, SW);
  /* Units u = o*G + g: output channel o, input channels [g*Ci/G, (g+1)*Ci/G). */
  const int64_t o_first = u0 / G, o_last = (u1 - 1) / G;
  const int64_t cmin = o_first == o_last ? (u0 % G) * Ci / G : 0;
  const int64_t cmax = o_first == o_last ? ((u1 - 1) % G + 1) * Ci / G : Ci;
  /* this chunk's slot: the x planes of the block's samples (the chunk's
   * input channels only), then their gradient planes */
  const int64_t xk = (cmax - cmin) * PS;
  float *xp = scratch, *dq = xp + NBK * xk;
  zero_floats(xp, NBK * (xk + AEC_CONV_WG_P * Lr));
  wg_zero_partials(partials, u0, u1, G, Ci, T);
  for (int64_t u = u0; u < u1; ++u)
    if (!accumulate && db && u % G == 0) db[u / G] = 0.0f;
  for (int64_t nb = 0; nb < M; nb += NBK) {
    const int64_t nn = M - nb < NBK ? M - nb : NBK;
    for (int64_t k = 0; k < nn; ++k)
      input_planes(xp + k * xk, x + ((nb + k) * Ci + cmin) * (H / UH) * (W / UW), cmax - cmin,
                   H, W, UH, UW, &geo, &tp);
    int64_t dq_o = -1; /* the output channel whose gradient dq holds (G > 1) */
    for (int64_t u = u0; u < u1;) {
      const int64_t o = u / G, g = u % G, c0 = g * Ci / G, c1 = (g + 1) * Ci / G;
      /* Up to AEC_CONV_WG_P output channels at once when they are whole units
       * of this chunk. */
      const int64_t left = G == 1 && KW <= 8 ? u1 - u : 1;
      const int P = wg_channels(left, G == 1 && KW <= 8 && ((u0 | u1) & 3) == 0);
      for (int64_t k = 0; k < nn && o != dq_o; ++k)
        for (int p = 0; p < P; ++p)
          wg_plane(dq + (k * AEC_CONV_WG_P + p) * Lr, dy + ((nb + k) * Co + o + p) * Ho * Wo, Ho,
                   Wo, Wp, db && g == 0 ? db + o + p : 0);
      for (int64_t c = c0; c < c1; ++c) {
        float *dv = wg_partials(partials, o, c, Ci, T);
        const float *xc = xp + (c - cmin) * PS;
        const int64_t dqk = AEC_CONV_WG_P * Lr, dvs = Ci * T * AEC_VW;
        wg_dot_p(P, xc, xk, dq, dqk, nn, Lr, &tp, dv, dvs);
      }
      dq_o = P == 1 ? o : -1;
      u += P;
    }
  }
  wg_finish(partials, u0, u1, G, Ci, T, dw, accumulate);
}

AEC_KAPI void aec_conv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                                       int64_t H, int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                       int64_t SH, int64_t SW, const float *x, const float *dy,
                                       float *dw, float *db, int accumulate, int64_t UH,
                                       int64_t UW, float *partials, float *scratch) {
  AEC_CONV_WITH_TAPS(KH, KW, SH, SW, conv_backward_filter(u0, u1, G, M, Ci, H, W, Co, kh_, kw_, sh_,
                                                           sw_, x, dy, dw, db, accumulate, UH, UW,
                                                           partials, scratch));
}

/* One output channel's gradient plane dq (the stride-1 grid, row stride Wp;
 * the columns past W stay 0) of a conv followed by act and a 2x2 max pool,
 * from the pool's output gradient gp [Hq][Wq], its output yp and the
 * forward's argmax codes ac: gp times act'(yp) at each block's argmax (act(z)
 * there is the max itself), 0 elsewhere -- what pool_grad deriv=act writes, in
 * L1 instead of a full-resolution tensor. Returns the sum of the plane (its
 * bias gradient). */
AEC_INLINE float unpool_plane(float *dq, const uint8_t *ac, const float *gp, const float *yp,
                              int64_t Hq, int64_t Wq, int64_t Wp, int act) {
  vf s = 0.0f;
  for (int64_t i = 0; i < Hq; ++i)
    for (int64_t j = 0; j < Wq; j += AEC_VW) {
      const int64_t m = lanes_left(Wq, j), at = i * Wq + j;
      const vi code = load_codes(ac + at, m);
      const vf g = load_m(gp + at, m) * v_dact(load_m(yp + at, m), act);
      vf d[4];
      for (int q = 0; q < 4; ++q)
        d[q] = vmask(g, code == q);
      store_pair(dq + 2 * i * Wp + 2 * j, d[0], d[1], m);
      store_pair(dq + (2 * i + 1) * Wp + 2 * j, d[2], d[3], m);
      s += (d[0] + d[1]) + (d[2] + d[3]);
    }
  return hsum(s);
}

AEC_SHARED float unpool_plane_by_act(float *dq, const uint8_t *ac, const float *gp,
                                     const float *yp, int64_t Hq, int64_t Wq, int64_t Wp,
                                     int act) {
  float s = 0.0f;
  AEC_WITH_ACT(act, s = unpool_plane(dq, ac, gp, yp, Hq, Wq, Wp, act_));
  return s;
}

AEC_INLINE void conv_maxpool_backward_filter(int64_t o0, int64_t o1, int64_t M, int64_t Ci,
                                             int64_t H, int64_t W, int64_t Co, int64_t KH,
                                             int64_t KW, const float *x, const float *dyp,
                                             const float *yp, const uint8_t *arg, float *dw,
                                             float *db, int accumulate, int act,
                                             float *partials, float *scratch) {
  if (o1 <= o0) return;
  const conv_geom geo = conv_geometry(H, W, KH, KW, 1, 1);
  const int64_t Wp = geo.Wp, Lr = geo.Lr, PS = geo.PS, Hq = H / 2, Wq = W / 2;
  const int64_t T = KH * KW, NBK = AEC_CONV_WG_BLOCK, xk = Ci * PS;
  const conv_taps tp = geom_taps(&geo, KH, KW, 1, 1);
  float *xp = scratch; /* this chunk's slot */
  /* per sample: the gradient planes of 4 output channels, whatever
   * AEC_CONV_WG_P */
  const int64_t dqk = 4 * Lr;
  float *dq = xp + NBK * xk;
  zero_floats(xp, NBK * (xk + dqk));
  wg_zero_partials(partials, o0, o1, 1, Ci, T);
  if (!accumulate && db) zero_floats(db + o0, o1 - o0);
  for (int64_t nb = 0; nb < M; nb += NBK) {
    const int64_t nn = M - nb < NBK ? M - nb : NBK;
    for (int64_t k = 0; k < nn; ++k)
      scatter_planes(xp + k * xk, x + (nb + k) * Ci * H * W, Ci, H, W, geo.pt, geo.pl, Wp, PS);
    for (int64_t o = o0; o < o1;) {
      const int64_t R = o1 - o < 4 ? o1 - o : 4;
      for (int64_t k = 0; k < nn; ++k)
        for (int64_t q = 0; q < R; ++q) {
          const int64_t at = ((nb + k) * Co + o + q) * Hq * Wq;
          const float s = unpool_plane_by_act(dq + k * dqk + q * Lr, arg + at, dyp + at,
                                              yp + at, Hq, Wq, Wp, act);
          if (db) db[o + q] += s;
        }
      for (int64_t q0 = 0; q0 < R;) {
        const int P = wg_channels(R - q0, ((o0 | o1) & 3) == 0);
        for (int64_t c = 0; c < Ci; ++c) {
          float *dv = wg_partials(partials, o + q0, c, Ci, T);
          const float *xc = xp + c * PS, *dqp = dq + q0 * Lr;
          const int64_t dvs = Ci * T * AEC_VW;
          wg_dot_p(P, xc, xk, dqp, dqk, nn, Lr, &tp, dv, dvs);
        }
        q0 += P;
      }
      o += R;
    }
  }
  wg_finish(partials, o0, o1, 1, Ci, T, dw, accumulate);
}

AEC_KAPI void aec_conv_maxpool_backward_filter(int64_t o0, int64_t o1, int64_t M, int64_t Ci,
                                               int64_t H, int64_t W, int64_t Co, int64_t KH,
                                               int64_t KW, const float *x, const float *dyp,
                                               const float *yp, const uint8_t *arg, float *dw,
                                               float *db, int accumulate, int act,
                                               float *partials, float *scratch) {
  AEC_CONV_WITH_TAPS(KH, KW, 1, 1, conv_maxpool_backward_filter(o0, o1, M, Ci, H, W, Co, kh_, kw_,
                                                                 x, dyp, yp, arg, dw, db,
                                                                 accumulate, act, partials,
                                                                 scratch));
}
