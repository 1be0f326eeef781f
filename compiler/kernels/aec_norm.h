/* Kernels of issue 7: batch norm and the variational code (dropout is
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

#endif
