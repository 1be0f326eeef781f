/* Convolution forward (contract: aec_conv.h). */
#include "aec_conv_block.h"

/* One output plane yo from its accumulation plane (row stride Wp, the
 * output grid: strided convs are computed at their output resolution), plus
 * bias, activation; after_plane: the outputs of the range past this plane
 * (see row_m). */
AEC_INLINE void forward_epilogue(const conv_geom *g, const float *plane, float *yo, float bo,
                                 int act, int64_t after_plane) {
  for (int64_t oy = 0; oy < g->Ho; ++oy) {
    const float *row = plane + oy * g->Wp;
    float *dst = yo + oy * g->Wo;
    /* the rest of this plane's rows, then every plane after it in the range */
    const int64_t after = (g->Ho - 1 - oy) * g->Wo + after_plane;
    for (int64_t ox = 0; ox < g->Wo; ox += AEC_VW) {
      const int64_t m = row_m(g->Wo - ox, after);
      store_m(dst + ox, v_act(load_m(row + ox, m) + bo, act), m);
    }
  }
}

AEC_SHARED void forward_epilogue_by_act(const conv_geom *g, const float *plane, float *yo,
                                        float bo, int act, int64_t after_plane) {
  AEC_WITH_ACT(act, forward_epilogue(g, plane, yo, bo, act_, after_plane));
}

AEC_INLINE void conv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                             int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                             const float *x, const float *w, const float *bias, float *y,
                             int act, int64_t UH, int64_t UW, float *scratch) {
  if (n1 <= n0) return;
  const conv_geom g = conv_geometry(H, W, KH, KW, SH, SW);
  float *in_buf = scratch; /* this chunk's slot */
  float *planes = in_buf + Ci * g.PS;
  zero_floats(in_buf, Ci * g.PS);
  const conv_pass p = {in_buf, g.PS, Ci, geom_taps(&g, KH, KW, SH, SW), w, Ci * KH * KW, KH * KW,
                       0, KW, 1, g.Lr};
  for (int64_t n = n0; n < n1; ++n) {
    input_planes(in_buf, x + n * Ci * (H / UH) * (W / UW), Ci, H, W, UH, UW, &g, &p.tp);
    float *yn = y + n * Co * g.Ho * g.Wo;
    for (int64_t a = 0; a < Co;) {
      const int64_t nb = conv_planes_from(&p, a, Co, planes);
      for (int64_t q = 0; q < nb; ++q) {
        const int64_t o = a + q;
        forward_epilogue_by_act(&g, planes + q * g.Lr, yn + o * g.Ho * g.Wo,
                                bias ? bias[o] : 0.0f, act,
                                rows_after(n, n1, o, Co, g.Ho - 1, g.Ho) * g.Wo);
      }
      a += nb;
    }
  }
}

AEC_KAPI void aec_conv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                               int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                               const float *x, const float *w, const float *bias, float *y,
                               int act, int64_t UH, int64_t UW, float *scratch) {
  AEC_CONV_WITH_TAPS(KH, KW, SH, SW, conv_forward(n0, n1, Ci, H, W, Co, kh_, kw_, sh_, sw_, x, w,
                                                   bias, y, act, UH, UW, scratch));
}

/* One pooled output plane yo [H/2][W/2] from the accumulation plane, and the
 * unpooled one yf [H][W] from the same loads if yf, the argmax codes ao
 * [H/2][W/2] if ao; after_plane: the pooled outputs of the range past this
 * plane (see row_m). In yf only the block's second row may run past its end
 * (into rows stored later): the first row's next row has its earlier chunks
 * written already. */
AEC_INLINE void maxpool_epilogue(const conv_geom *g, const float *plane, float *yo, float *yf,
                                 uint8_t *ao, float bo, int act, int64_t after_plane) {
  const int64_t Hq = g->Ho / 2, Wq = g->Wo / 2;
  for (int64_t i = 0; i < Hq; ++i) {
    const int64_t after = (Hq - 1 - i) * Wq + after_plane;
    for (int64_t j = 0; j < Wq; j += AEC_VW) {
      const int64_t m = row_m(Wq - j, after);
      const pool_block b = pool_block_at(plane + 2 * i * g->Wp + 2 * j, g->Wp, m, bo, act);
      store_m(yo + i * Wq + j, b.mx, m);
      if (ao) store_codes(ao + i * Wq + j, pool_block_argmax(&b), m);
      if (yf) {
        store_pair(yf + 2 * i * g->Wo + 2 * j, b.a[0], b.a[1], lanes_left(Wq, j));
        store_pair(yf + (2 * i + 1) * g->Wo + 2 * j, b.a[2], b.a[3], m);
      }
    }
  }
}

AEC_SHARED void maxpool_epilogue_by_act(const conv_geom *g, const float *plane, float *yo,
                                        float *yf, uint8_t *ao, float bo, int act,
                                        int64_t after_plane) {
  AEC_WITH_ACT(act, maxpool_epilogue(g, plane, yo, yf, ao, bo, act_, after_plane));
}

AEC_INLINE void conv_maxpool_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                     int64_t Co, int64_t KH, int64_t KW, const float *x,
                                     const float *w, const float *bias, float *yp,
                                     float *yfull, uint8_t *arg, int act, float *scratch) {
  if (n1 <= n0) return;
  const conv_geom g = conv_geometry(H, W, KH, KW, 1, 1);
  float *in_buf = scratch; /* this chunk's slot */
  float *planes = in_buf + Ci * g.PS;
  zero_floats(in_buf, Ci * g.PS);
  const conv_pass p = {in_buf, g.PS, Ci, geom_taps(&g, KH, KW, 1, 1), w, Ci * KH * KW, KH * KW,
                       0, KW, 1, g.Lr};
  const int64_t Hq = H / 2, Wq = W / 2;
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, x + n * Ci * H * W, Ci, H, W, g.pt, g.pl, g.Wp, g.PS);
    for (int64_t a = 0; a < Co;) {
      const int64_t nb = conv_planes_from(&p, a, Co, planes);
      for (int64_t q = 0; q < nb; ++q) {
        const int64_t o = a + q;
        const float bo = bias ? bias[o] : 0.0f;
        maxpool_epilogue_by_act(&g, planes + q * g.Lr, yp + (n * Co + o) * Hq * Wq,
                                yfull ? yfull + (n * Co + o) * H * W : 0,
                                arg ? arg + (n * Co + o) * Hq * Wq : 0, bo, act,
                                rows_after(n, n1, o, Co, Hq - 1, Hq) * Wq);
      }
      a += nb;
    }
  }
}

AEC_KAPI void aec_conv_maxpool_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                       int64_t Co, int64_t KH, int64_t KW, const float *x,
                                       const float *w, const float *bias, float *yp,
                                       float *yfull, uint8_t *arg, int act, float *scratch) {
  AEC_CONV_WITH_TAPS(KH, KW, 1, 1, conv_maxpool_forward(n0, n1, Ci, H, W, Co, kh_, kw_, x, w, bias,
                                                       yp, yfull, arg, act, scratch));
}
