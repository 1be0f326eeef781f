/* Convolution input gradient (contract: aec_conv.h): the forward's tap loop
 * over the padded output gradient, kernel flipped, channel roles swapped. */
#include "aec_conv_block.h"

/* One input channel's gradient dxc [H][W] from its full-grid plane, times
 * act'(yc) if yc; with a fused upsample (UH x UW > 1) the block sums into
 * dxc [H/UH][W/UW] instead (exact lengths: what aec_pool_backward computes).
 * after_plane: the outputs of the range past this plane (see row_m). */
AEC_INLINE void backward_data_epilogue(const conv_geom *g, const float *plane, int64_t H,
                                       int64_t W, int64_t UH, int64_t UW, float *dxc,
                                       const float *yc, int dact, int64_t after_plane) {
  if (UH * UW > 1) {
    const int64_t HU = H / UH, WU = W / UW;
    for (int64_t i = 0; i < HU; ++i)
      upsample_grad_row(plane + i * UH * g->Wp, g->Wp, WU, UH, UW, dxc + i * WU,
                        yc ? yc + i * WU : 0, dact, 0);
    return;
  }
  plane_to_rows(plane, g->Wp, H, W, dxc, yc, dact, after_plane);
}

AEC_SHARED void backward_data_epilogue_by_act(const conv_geom *g, const float *plane,
                                              int64_t H, int64_t W, int64_t UH, int64_t UW,
                                              float *dxc, const float *yc, int dact,
                                              int64_t after_plane) {
  AEC_WITH_ACT(dact, backward_data_epilogue(g, plane, H, W, UH, UW, dxc, yc, act_, after_plane));
}

AEC_INLINE void conv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                   int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                                   const float *dy, const float *w, float *dx,
                                   const float *dact_y, int dact, int64_t UH, int64_t UW,
                                   float *scratch) {
  if (n1 <= n0) return;
  const conv_geom g = conv_geometry(H, W, KH, KW, SH, SW);
  float *in_buf = scratch; /* this chunk's slot */
  float *planes = in_buf + Co * g.PS;
  zero_floats(in_buf, Co * g.PS);
  /* Output planes are the conv's input channels c; the reduction runs over
   * its output channels o; w[o][c][tap] flipped. */
  const conv_pass p = {in_buf, g.PS, Co, g.Wp, KH, KW, w, KH * KW, Ci * KH * KW, 1, g.Lr};
  const int64_t dxs = (H / UH) * (W / UW); /* dx's plane size */
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, dy + n * Co * g.Ho * g.Wo, Co, g.Ho, g.Wo, SH, SW, KH - 1 - g.pt,
                   KW - 1 - g.pl, g.Wp, g.PS);
    float *dxn = dx + n * Ci * dxs;
    const float *yb = dact_y ? dact_y + n * Ci * dxs : 0;
    for (int64_t a = 0; a < Ci;) {
      const int64_t nb = conv_planes_from(&p, a, Ci, planes);
      for (int64_t q = 0; q < nb; ++q) {
        const int64_t c = a + q;
        backward_data_epilogue_by_act(&g, planes + q * g.Lr, H, W, UH, UW, dxn + c * dxs,
                                      yb ? yb + c * dxs : 0, dact,
                                      rows_after(n, n1, c, Ci, H - 1, H) * W);
      }
      a += nb;
    }
  }
}

AEC_KAPI void aec_conv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                     int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                                     const float *dy, const float *w, float *dx,
                                     const float *dact_y, int dact, int64_t UH, int64_t UW,
                                     float *scratch) {
  AEC_CONV_WITH_TAPS(KH, KW, conv_backward_data(n0, n1, Ci, H, W, Co, kh_, kw_, SH, SW, dy, w, dx,
                             dact_y, dact, UH, UW, scratch));
}
