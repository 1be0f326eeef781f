/* aec convolution, pooling and upsampling kernels: the contract with the code
 * generator (compiler/codegen/ModuleGen.cpp). Built into the same bitcode as
 * aec_kernels.h (see compiler/kernels/CMakeLists.txt) and specialized the same
 * way: every shape argument is a literal at the call site, so after inlining
 * O3 sees constant loop bounds.
 *
 * Layout: per sample NCHW, row-major, samples contiguous ([n][C*H*W]); 1-D
 * tensors [C][L] are passed as H = 1, W = L (kernel KH = 1, stride SH = 1).
 *
 * Convolution ("same" padding, stride SH x SW): the input [Ci][H][W] is
 * zero-padded by pt = (KH-1)/2 rows on top and pl = (KW-1)/2 columns on the
 * left (the rest of KH-1 / KW-1 at the bottom / right; PyTorch's padding=K/2
 * for odd K), and
 *   y[o][oy][ox] = act(b[o] + sum_{c,ky,kx} w[o][c][ky][kx] x[c][oy*SH+ky-pt][ox*SW+kx-pl])
 * with oy < Ho = ceil(H/SH), ox < Wo = ceil(W/SW). Weights [Co][Ci][KH][KW].
 *
 * How (why it is fast by construction): the padded input of one sample is laid
 * out with row stride Wp = W+KW-1, so every tap (ky, kx) is a constant offset
 * ky*Wp+kx and the whole output plane (H rows of Wp, the KW-1 extra columns
 * are computed and dropped) is one contiguous vector loop. Register blocks of
 * 4 output channels x 2 vectors (1 x 4 for the odd channels) accumulate over
 * all input channels and taps before anything is stored; bias, activation and
 * the stride subsampling happen in the epilogue. The input gradient is the
 * same loop over the padded output gradient with the kernel flipped and the
 * channel roles swapped (derivative of the layer below in the epilogue); the
 * weight gradient is KH*KW vector dot products per (o, c) sharing each load
 * of the output gradient, over blocks of AEC_CONV_WG_BLOCK samples (one
 * horizontal sum per block). Strides > 1 are computed at the output
 * resolution (polyphase): the padded input is split into SH*SW phase planes
 * of the output grid's row stride, so tap (ky, kx) is a constant offset into
 * phase (ky%SH, kx%SW) and the forward and weight gradient run the same
 * loops over contiguous planes; the input gradient runs per input phase, a
 * stride-1 conv of the padded output gradient with the taps of matching
 * parity. Each output sums the same terms in the same order as the stride-1
 * loop on the zero-inserted full grid did (forward and input gradient are
 * bit-identical to it; the weight gradient's lanes sum in another order). A
 * fused upsample (UH x UW > 1) needs stride 1.
 *
 * Scratch: the kernels use a caller-provided workspace region (no stack
 * arrays, so any image size works): each call gets its chunk's slot, of the
 * sizes below (one sample's planes; the weight gradient: a block of
 * AEC_CONV_WG_BLOCK samples), whatever the chunk's length; the caller keeps
 * at most AEC_CONV_SLOTS of them (aec_conv_chunk). Results never depend on
 * how ranges are split: the weight gradient sums fixed sample blocks in order
 * for every (o, c, tap).
 */
#ifndef AEC_CONV_H
#define AEC_CONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry shared with the code generator (which sizes the scratch tensors). */
static inline int64_t aec_conv_round(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
/* One accumulation plane: H rows of Wp floats, rounded up to 32. */
static inline int64_t aec_conv_plane(int64_t H, int64_t W, int64_t KH, int64_t KW) {
  (void)KH;
  return aec_conv_round(H * (W + KW - 1), 32);
}
/* Distance between padded channel planes (room for the tap offsets past the plane). */
static inline int64_t aec_conv_pstride(int64_t H, int64_t W, int64_t KH, int64_t KW) {
  return aec_conv_round(aec_conv_plane(H, W, KH, KW) + (KH - 1) * (W + KW - 1) + KW - 1, 16);
}

/* Strides (SH x SW > 1): the padded input split into phase planes at the
 * output resolution. Phase (a, b) holds padded rows a, a+SH, ... and columns
 * b, b+SW, ..., so tap (ky, kx) reads phase (ky%SH, kx%SW) at the constant
 * offset (ky/SH, kx/SW). Every phase has the row stride Wo + (KW-1)/SW;
 * phase row a has the rows its taps reach (phases no tap reads take none). */
static inline int64_t aec_conv_prow(int64_t Wo, int64_t KW, int64_t SW) {
  return Wo + (KW - 1) / SW;
}
static inline int64_t aec_conv_phase_rows(int64_t Ho, int64_t KH, int64_t SH, int64_t a) {
  return a < KH ? Ho + (KH - 1 - a) / SH : 0;
}
/* Rows of the phase rows before a (a < KH), in closed form: the first
 * (KH-1)%SH + 1 phase rows have one row more than the others. */
static inline int64_t aec_conv_phase_row0(int64_t Ho, int64_t KH, int64_t SH, int64_t a) {
  const int64_t r = (KH - 1) % SH;
  return a * (Ho + (KH - 1) / SH) - (a > r + 1 ? a - r - 1 : 0);
}
/* One accumulation plane of a conv of stride SH x SW (the output grid, row
 * stride aec_conv_prow), rounded up to 32; stride 1: aec_conv_plane. */
static inline int64_t aec_conv_splane(int64_t H, int64_t W, int64_t KH, int64_t KW, int64_t SH,
                                      int64_t SW) {
  if (SH * SW == 1) return aec_conv_plane(H, W, KH, KW);
  return aec_conv_round((H + SH - 1) / SH * aec_conv_prow((W + SW - 1) / SW, KW, SW), 32);
}
/* Distance between the input channels' planes (stride 1: aec_conv_pstride;
 * strides: all phase planes of a channel, the columns' phases side by side).
 * Strided tap reads past a channel's last phase plane only feed dropped
 * outputs; they stay in the slot (the accumulation or gradient planes follow). */
static inline int64_t aec_conv_cstride(int64_t H, int64_t W, int64_t KH, int64_t KW, int64_t SH,
                                       int64_t SW) {
  if (SH * SW == 1) return aec_conv_pstride(H, W, KH, KW);
  const int64_t Ho = (H + SH - 1) / SH, ra = SH < KH ? SH : KH, nb = SW < KW ? SW : KW;
  return aec_conv_phase_row0(Ho, KH, SH, ra) * nb * aec_conv_prow((W + SW - 1) / SW, KW, SW);
}
/* Scratch floats per slot. */
static inline int64_t aec_conv_fwd_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W, int64_t KH,
                                        int64_t KW, int64_t SH, int64_t SW) {
  (void)Co; /* + 32: full-vector reads of the last plane row may run past the planes */
  return aec_conv_round(Ci * aec_conv_cstride(H, W, KH, KW, SH, SW) +
                            4 * aec_conv_splane(H, W, KH, KW, SH, SW) + 32,
                        16);
}

/* The input gradient of a strided conv per input phase: input rows r with
 * r%S = a (one dimension: kernel K, stride S, padding (K-1)/2) get the taps
 * k = k0 + m*S, k0 = (a + (K-1)/2) % S, from output rows (r/S) + d - m,
 * d = (a + (K-1)/2) / S: gtaps taps (0: that phase's gradient is 0). The
 * output gradient is padded by gpad in front so that every phase reads it
 * as a stride-1 conv from row gpad + d - (gtaps-1) on (gorigin); glen rows. */
static inline int64_t aec_conv_gtaps(int64_t K, int64_t S, int64_t a) {
  const int64_t k0 = (a + (K - 1) / 2) % S;
  return k0 < K ? (K - 1 - k0) / S + 1 : 0;
}
static inline int64_t aec_conv_gshift(int64_t K, int64_t S, int64_t a) {
  return (a + (K - 1) / 2) / S;
}
static inline int64_t aec_conv_gpad(int64_t K, int64_t S) {
  int64_t p = 0;
  for (int64_t a = 0; a < S; ++a) {
    const int64_t v = aec_conv_gtaps(K, S, a) - 1 - aec_conv_gshift(K, S, a);
    p = v > p ? v : p;
  }
  return p;
}
static inline int64_t aec_conv_gorigin(int64_t K, int64_t S, int64_t a) {
  const int64_t m = aec_conv_gtaps(K, S, a);
  return m ? aec_conv_gpad(K, S) + aec_conv_gshift(K, S, a) - (m - 1) : 0;
}
static inline int64_t aec_conv_glen(int64_t n, int64_t K, int64_t S) {
  return aec_conv_gpad(K, S) + n + aec_conv_gshift(K, S, S - 1);
}
/* Its accumulation plane (the output grid, row stride glen of the output
 * width), rounded up to 32. */
static inline int64_t aec_conv_gplane(int64_t H, int64_t W, int64_t KW, int64_t SH, int64_t SW) {
  return aec_conv_round((H + SH - 1) / SH * aec_conv_glen((W + SW - 1) / SW, KW, SW), 32);
}
static inline int64_t aec_conv_bwd_data_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W,
                                             int64_t KH, int64_t KW, int64_t SH, int64_t SW) {
  (void)Ci;
  if (SH * SW == 1)
    return aec_conv_round(Co * aec_conv_pstride(H, W, KH, KW) + 4 * aec_conv_plane(H, W, KH, KW) + 32,
                          16);
  /* the padded output gradient planes, then 4 planes per column phase */
  const int64_t Ho = (H + SH - 1) / SH, Wo = (W + SW - 1) / SW;
  return aec_conv_round(Co * aec_conv_glen(Ho, KH, SH) * aec_conv_glen(Wo, KW, SW) +
                            4 * SW * aec_conv_gplane(H, W, KW, SH, SW) + 32,
                        16);
}
/* The weight gradient works on blocks of this many samples (one horizontal
 * sum per block instead of per sample). */
#define AEC_CONV_WG_BLOCK 8
static inline int64_t aec_conv_bwd_filter_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W,
                                               int64_t KH, int64_t KW, int64_t SH, int64_t SW) {
  (void)Co;
  /* 4 gradient planes per sample: the most output channels wg_dot shares x between */
  return aec_conv_round(AEC_CONV_WG_BLOCK * (Ci * aec_conv_cstride(H, W, KH, KW, SH, SW) +
                                             4 * aec_conv_splane(H, W, KH, KW, SH, SW)),
                        16);
}

/* Scratch slots: a kernel call runs its work items (samples, weight-gradient
 * units) in chunks of at least aec_conv_chunk(items) items and chunk [b, e)
 * uses slot b / chunk (chunks that long start in distinct slots), so a call
 * takes at most AEC_CONV_SLOTS slots whatever the batch; it also caps the
 * chunks (threads) of one conv call at AEC_CONV_SLOTS. */
#define AEC_CONV_SLOTS 16
static inline int64_t aec_conv_chunk(int64_t items) {
  return (items + AEC_CONV_SLOTS - 1) / AEC_CONV_SLOTS;
}

/* The weight gradient's lane sums, carried over the whole batch: one vector
 * (of at most 16 lanes) per output channel, input channel and tap (an upconv:
 * 16 phase taps), shared by all chunks (each writes its units' part). */
static inline int64_t aec_conv_wg_partials(int64_t Ci, int64_t Co, int64_t taps) {
  return Co * Ci * taps * 16;
}

/* Work units per output channel of the weight gradient: few output channels
 * (the last conv of a decoder has 1) are split over input channels too, so
 * that threads have something to share. */
static inline int64_t aec_conv_wg_groups(int64_t Ci, int64_t Co) {
  if (Co >= 8) return 1;
  int64_t g = 8 / Co;
  return g < Ci ? g : Ci;
}

/* A conv with a 2x2 max pool fused (aec_conv_maxpool_backward_filter): the
 * weight gradient's slot (x planes, the gradient planes of 4 output channels
 * per sample, rebuilt from the stored argmax). */
static inline int64_t aec_conv_maxpool_filter_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W,
                                                   int64_t KH, int64_t KW) {
  return aec_conv_bwd_filter_slot(Ci, Co, H, W, KH, KW, 1, 1);
}

/* Upsample by 2 + 3x3 conv, stride 1, computed per output phase at the
 * input's resolution (aec_conv_phases.c); H x W: the upsample's input. Floats
 * of one chunk's slot (phase weights, padded planes, accumulation planes). */
static inline int64_t aec_upconv_fwd_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W) {
  return aec_conv_round(16 * Co * Ci + Ci * aec_conv_pstride(H, W, 3, 3) +
                            16 * aec_conv_plane(H, W, 3, 3) + 32, 16);
}
static inline int64_t aec_upconv_bwd_data_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W) {
  return aec_conv_round(16 * Co * Ci + 4 * Co * aec_conv_pstride(H, W, 2, 2) +
                            4 * aec_conv_plane(H, W, 2, 2) + 32, 16);
}
static inline int64_t aec_upconv_bwd_filter_slot(int64_t Ci, int64_t Co, int64_t H, int64_t W) {
  (void)Co; /* 4 phases x the 4 output channels wg_dot shares x between, per sample */
  return aec_conv_round(AEC_CONV_WG_BLOCK * (Ci * aec_conv_pstride(H, W, 3, 3) +
                                             16 * aec_conv_plane(H, W, 3, 3)),
                        16);
}

#ifndef AEC_KERNELS_STATIC

/* Forward, samples [n0, n1): y = act(conv(x, w) + bias) (bias may be NULL).
 * x [n][Ci][H][W], y [n][Co][Ho][Wo]. UH x UW > 1: the conv's input is the
 * upsample (by UH x UW) of x [n][Ci][H/UH][W/UW] (fused: read in place).
 * scratch: this chunk's slot of aec_conv_fwd_slot floats. */
void aec_conv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W, int64_t Co,
                      int64_t KH, int64_t KW, int64_t SH, int64_t SW, const float *x,
                      const float *w, const float *bias, float *y, int act, int64_t UH,
                      int64_t UW, float *scratch);

/* Input gradient, samples [n0, n1): dx = conv^T(dy, w), times act'(dact_y)
 * (kind dact, through the saved output of the layer below, same shape as dx)
 * if dact_y != NULL. dy [n][Co][Ho][Wo], dx [n][Ci][H][W] (overwritten).
 * UH x UW > 1: the conv's input is an upsample (by UH x UW) of a [Ci][H/UH][W/UW]
 * tensor, and dx is that tensor's gradient instead: the sum over each UH x UW
 * block (the upsample's backward, fused; H, W stay the conv's own dims).
 * scratch: this chunk's slot of aec_conv_bwd_data_slot floats. */
void aec_conv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                            int64_t Co, int64_t KH, int64_t KW, int64_t SH, int64_t SW,
                            const float *dy, const float *w, float *dx, const float *dact_y,
                            int dact, int64_t UH, int64_t UW, float *scratch);

/* Weight and bias gradients over samples [0, M), for the work units [u0, u1)
 * of Co*G units: unit u = o*G + g covers output channel o and input channels
 * [g*Ci/G, (g+1)*Ci/G) (G > 1 splits few output channels over threads):
 *   dw[o][c][ky][kx] (+)= sum_n sum_{oy,ox} dy[n][o][oy][ox] x[n][c][oy*SH+ky-pt][ox*SW+kx-pl]
 *   db[o] (+)= sum_n sum_{oy,ox} dy[n][o][oy][ox]   (by the unit with g = 0; db may be NULL)
 * accumulate != 0 adds to dw/db. UH x UW > 1: x is the upsample's input, as for
 * aec_conv_forward. partials: aec_conv_wg_partials(Ci, Co, KH*KW) floats (the
 * call's units' part is overwritten); scratch: this chunk's slot of
 * aec_conv_bwd_filter_slot floats. */
void aec_conv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                              int64_t H, int64_t W, int64_t Co, int64_t KH, int64_t KW,
                              int64_t SH, int64_t SW, const float *x, const float *dy, float *dw,
                              float *db, int accumulate, int64_t UH, int64_t UW, float *partials,
                              float *scratch);

/* Upsample by 2 then 3x3 conv (stride 1, same padding) of x [n][Ci][H][W]
 * into y [n][Co][2H][2W], per output phase at the low resolution: the same
 * function as aec_conv_forward with UH = UW = 2, its sums in another order.
 * scratch: this chunk's slot of aec_upconv_fwd_slot floats. */
void aec_upconv_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W, int64_t Co,
                        const float *x, const float *w, const float *bias, float *y, int act,
                        float *scratch);
/* Its input gradient dx [n][Ci][H][W] (overwritten; times act'(dact_y) if
 * dact_y) from dy [n][Co][2H][2W]; slot: aec_upconv_bwd_data_slot. */
void aec_upconv_backward_data(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                              int64_t Co, const float *dy, const float *w, float *dx,
                              const float *dact_y, int dact, float *scratch);
/* Its weight and bias gradients, work units as aec_conv_backward_filter;
 * partials: aec_conv_wg_partials(Ci, Co, 16); slot: aec_upconv_bwd_filter_slot. */
void aec_upconv_backward_filter(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                                int64_t H, int64_t W, int64_t Co, const float *x,
                                const float *dy, float *dw, float *db, int accumulate,
                                float *partials, float *scratch);

/* Pooling / upsampling, samples [n0, n1), on [C][H][W] (H, W: the layer's
 * INPUT dims) with factors SH x SW (1-D: SH = 1):
 *   kind 0 maxpool  y[c][i][j] = max over the SHxSW block       (H/SH x W/SW)
 *   kind 1 avgpool  y = mean over the block
 *   kind 2 upsample y[c][i][j] = x[c][i/SH][j/SW]             (H*SH x W*SW) */
void aec_pool_forward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t SH,
                      int64_t SW, int kind, const float *x, float *y);

/* Their input gradients (dx overwritten), times act'(dact_y) if dact_y != NULL:
 *   maxpool: dy goes to the first position of the block where x == y (the
 *            argmax is recomputed from the saved input and output, no buffer);
 *   avgpool: dy / (SH*SW) to every position;  upsample: sum of dy over the block. */
void aec_pool_backward(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t SH,
                       int64_t SW, int kind, const float *dy, const float *x, const float *y,
                       float *dx, const float *dact_y, int dact);

/* Conv (stride 1, no upsample) with act and a 2x2 max pool fused into its
 * epilogue, samples [n0, n1): yp [n][Co][H/2][W/2] = maxpool(act(conv(x, w) +
 * bias)) (H, W even), the same values as aec_conv_forward then
 * aec_pool_forward; yfull [n][Co][H][W], if not NULL, gets the unpooled output
 * too (the layer output of the inference functions; training never writes it);
 * arg [n][Co][H/2][W/2], if not NULL, one byte per pooled output: the block
 * position (0..3 in the order (0,0), (0,1), (1,0), (1,1)) of the first value
 * equal to the max, as aec_pool_backward takes it, or 4 if none is (NaN).
 * scratch: as aec_conv_forward. */
void aec_conv_maxpool_forward(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                              int64_t Co, int64_t KH, int64_t KW, const float *x, const float *w,
                              const float *bias, float *yp, float *yfull, uint8_t *arg, int act,
                              float *scratch);

/* Its weight and bias gradients over samples [0, M), output channels [o0, o1),
 * from the pool's output gradient dyp [n][Co][H/2][W/2] (the maxpool's
 * backward and act' fused: the conv's output gradient is built per sample in
 * scratch, dyp times act'(yp) at the forward's argmax arg, never written in
 * full). yp, arg: the forward's pooled output and argmax. dw, db, accumulate:
 * as aec_conv_backward_filter (dw is the same, db sums in another order).
 * partials: as aec_conv_backward_filter; scratch: this chunk's slot of
 * aec_conv_maxpool_filter_slot floats. */
void aec_conv_maxpool_backward_filter(int64_t o0, int64_t o1, int64_t M, int64_t Ci, int64_t H,
                                      int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                      const float *x, const float *dyp, const float *yp,
                                      const uint8_t *arg, float *dw, float *db, int accumulate,
                                      int act, float *partials, float *scratch);

#endif /* AEC_KERNELS_STATIC */

#define AEC_CONV_ENTRY_POINTS                                                              \
  "aec_conv_forward", "aec_conv_backward_data", "aec_conv_backward_filter",                \
      "aec_pool_forward", "aec_pool_backward", "aec_conv_maxpool_forward",                   \
      "aec_conv_maxpool_backward_filter", "aec_upconv_forward", "aec_upconv_backward_data", \
      "aec_upconv_backward_filter"

#ifdef __cplusplus
}
#endif

#endif
