/* Convolution input gradient (contract: aec_conv.h): the forward's tap loop
 * over the padded output gradient, kernel flipped, channel roles swapped;
 * strided convs per input phase at the output resolution. */
#include "aec_conv_block.h"

/* One input channel's gradient dxc [H][W] from its plane, times
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

/* The rows r = ra, ra+SH, ... < H of one input channel's gradient dxc [H][W]
 * from its SW column-phase planes (stride pstride, row stride Wd), times
 * act'(yc) if yc. */
AEC_INLINE void phase_grad_epilogue(const float *planes, int64_t pstride, int64_t Wd, int64_t ra,
                                    int64_t SH, int64_t SW, int64_t H, int64_t W, float *dxc,
                                    const float *yc, int dact) {
  for (int64_t i = 0, r = ra; r < H; ++i, r += SH)
    interleave_row(dxc + r * W, W, planes + i * Wd, pstride, SW, yc ? yc + r * W : 0, dact);
}

AEC_SHARED void phase_grad_epilogue_by_act(const float *planes, int64_t pstride, int64_t Wd,
                                           int64_t ra, int64_t SH, int64_t SW, int64_t H,
                                           int64_t W, float *dxc, const float *yc, int dact) {
  AEC_WITH_ACT(dact, phase_grad_epilogue(planes, pstride, Wd, ra, SH, SW, H, W, dxc, yc, act_));
}

/* Strides: input phase (ra, rb) (rows r%SH = ra, columns s%SW = rb) is a
 * stride-1 conv of the padded output gradient (aec_conv.h: aec_conv_gtaps)
 * with the taps of matching parity, flipped: each sum runs over the same
 * nonzero terms in the same order as the zero-inserted full grid would. */
AEC_INLINE void conv_backward_data_phases(int64_t n0, int64_t n1, int64_t Ci, int64_t H,
                                          int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                          int64_t SH, int64_t SW, const float *dy,
                                          const float *w, float *dx, const float *dact_y,
                                          int dact, float *scratch) {
  const int64_t Ho = (H + SH - 1) / SH, Wo = (W + SW - 1) / SW;
  const int64_t Hd = aec_conv_glen(Ho, KH, SH), Wd = aec_conv_glen(Wo, KW, SW), PS = Hd * Wd;
  const int64_t Lr = aec_conv_gplane(H, W, KW, SH, SW), pt = (KH - 1) / 2, pl = (KW - 1) / 2;
  float *in_buf = scratch; /* this chunk's slot: dy [Co][Hd][Wd] padded */
  float *planes = in_buf + Co * PS; /* [SW][4][Lr]: one row phase of a channel block */
  zero_floats(in_buf, Co * PS);
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, dy + n * Co * Ho * Wo, Co, Ho, Wo, aec_conv_gpad(KH, SH),
                   aec_conv_gpad(KW, SW), Wd, PS);
    float *dxn = dx + n * Ci * H * W;
    const float *yb = dact_y ? dact_y + n * Ci * H * W : 0;
    for (int64_t a = 0; a < Ci;) {
      int64_t nb = 0;
      for (int64_t ra = 0; ra < SH; ++ra) {
        const int64_t mh = aec_conv_gtaps(KH, SH, ra), ky0 = (ra + pt) % SH;
        for (int64_t rb = 0; rb < SW; ++rb) {
          const int64_t mw = aec_conv_gtaps(KW, SW, rb), kx0 = (rb + pl) % SW;
          const conv_taps tp = {mh, mw, 1, 1, Ho, Wd};
          const conv_pass p = {in_buf + aec_conv_gorigin(KH, SH, ra) * Wd +
                                   aec_conv_gorigin(KW, SW, rb),
                               PS, Co, tp, w, KH * KW, Ci * KH * KW,
                               (ky0 + (mh - 1) * SH) * KW + kx0 + (mw - 1) * SW, -SH * KW, -SW,
                               Lr};
          nb = conv_planes_from(&p, a, Ci, planes + rb * 4 * Lr);
        }
        for (int64_t q = 0; q < nb; ++q)
          phase_grad_epilogue_by_act(planes + q * Lr, 4 * Lr, Wd, ra, SH, SW, H, W,
                                     dxn + (a + q) * H * W, yb ? yb + (a + q) * H * W : 0, dact);
      }
      a += nb;
    }
  }
}

AEC_INLINE void conv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                                   int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                                   const float *dy, const float *w, float *dx,
                                   const float *dact_y, int dact, int64_t UH, int64_t UW,
                                   float *scratch) {
  if (n1 <= n0) return;
  if (SH * SW > 1) {
    conv_backward_data_phases(n0, n1, Ci, H, W, Co, KH, KW, SH, SW, dy, w, dx, dact_y, dact,
                              scratch);
    return;
  }
  const conv_geom g = conv_geometry(H, W, KH, KW, 1, 1);
  float *in_buf = scratch; /* this chunk's slot */
  float *planes = in_buf + Co * g.PS;
  zero_floats(in_buf, Co * g.PS);
  /* Output planes are the conv's input channels c; the reduction runs over
   * its output channels o; w[o][c][tap] flipped. */
  const conv_pass p = {in_buf, g.PS, Co, geom_taps(&g, KH, KW, 1, 1), w, KH * KW, Ci * KH * KW,
                       KH * KW - 1, -KW, -1, g.Lr};
  const int64_t dxs = (H / UH) * (W / UW); /* dx's plane size */
  for (int64_t n = n0; n < n1; ++n) {
    scatter_planes(in_buf, dy + n * Co * H * W, Co, H, W, KH - 1 - g.pt, KW - 1 - g.pl, g.Wp,
                   g.PS);
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
  AEC_CONV_WITH_TAPS(KH, KW, SH, SW, conv_backward_data(n0, n1, Ci, H, W, Co, kh_, kw_, sh_, sw_, dy,
                                                         w, dx, dact_y, dact, UH, UW, scratch));
}
