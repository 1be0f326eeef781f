/* Kernels of issue 7: batch norm, layer norm and the variational code
 * (aec_norm.c, aec_norm_train.c, aec_vae.c; dropout is
 * aec_dropout in aec_kernels.h, beside the input noise whose RNG it shares).
 * Numerical contract: test/numerics/ref_layers.h (double references); checked
 * by test/numerics/norm_kernels_check.c.
 *
 * Batch norm works on a batch [M][C][S] (S = 1 for dense features, H*W or L
 * for conv channels) over channels [c0, c1), so threads split by channel;
 * every sum runs in double in a fixed order, so results do not depend on the
 * split. The VAE kernels work on rows [r0, r1) of [M][K] tensors. */
#ifndef AEC_NORM_H
#define AEC_NORM_H

#include "aec_kernels.h" /* their signatures: aec_kernels.def */

/* Layer norm's normalized value of x in row i from the row's mean and
 * 1/std (stats[2i], stats[2i+1]), formed the same way by the forward
 * (aec_norm.c) and both gradients (aec_norm_train.c), so that the backward
 * sees the forward's values. */
static inline __attribute__((always_inline)) float aec_ln_xhat(const float *stats, int64_t i,
                                                               float x) {
  return (x - stats[2 * i]) * stats[2 * i + 1];
}

#endif
