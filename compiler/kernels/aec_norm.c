/* Batch norm and layer norm as inference runs them (see aec_norm.h): the
 * batch norm folded into a per-channel affine map of the running statistics,
 * the layer norm forward (training runs it too). Their training kernels:
 * aec_norm_train.c; a library built --inference-only carries only this file's
 * member of the prebuilt archive. Sums are in double in a fixed order, so
 * they do not depend on how channels or rows are split over threads. */
#include "aec_norm.h"
#include "aec_vmath.h"

AEC_KAPI void aec_bn_fold(int64_t C, const float *gamma, const float *beta, const float *run_mean,
                          const float *run_var, float eps, float *scale, float *shift) {
  for (int64_t c = 0; c < C; ++c) {
    float s = gamma[c] / __builtin_sqrtf(run_var[c] + eps);
    scale[c] = s;
    shift[c] = beta[c] - run_mean[c] * s;
  }
}

AEC_KAPI void aec_bn_affine(int64_t r0, int64_t r1, int64_t C, int64_t S, const float *x,
                            const float *scale, const float *shift, float *y) {
  for (int64_t i = r0; i < r1; ++i)
    for (int64_t c = 0; c < C; ++c) {
      const float *xc = x + (i * C + c) * S;
      float *yc = y + (i * C + c) * S;
      const float s = scale[c], t = shift[c];
      for (int64_t k = 0; k < S; ++k) yc[k] = xc[k] * s + t;
    }
}

/* Layer norm: each row of [M][D] over its D features; the row's mean and
 * biased variance sum in double in feature order. */
AEC_KAPI void aec_ln_forward(int64_t r0, int64_t r1, int64_t D, const float *x,
                             const float *gamma, const float *beta, float eps, float *y,
                             float *stats) {
  for (int64_t i = r0; i < r1; ++i) {
    const float *xi = x + i * D;
    double s = 0, q = 0;
    for (int64_t j = 0; j < D; ++j) s += xi[j];
    const double mu = s / (double)D;
    for (int64_t j = 0; j < D; ++j) {
      const double d = xi[j] - mu;
      q += d * d;
    }
    stats[2 * i] = (float)mu;
    stats[2 * i + 1] = (float)(1.0 / __builtin_sqrt(q / (double)D + eps));
    float *yi = y + i * D;
    for (int64_t j = 0; j < D; ++j) yi[j] = gamma[j] * aec_ln_xhat(stats, i, xi[j]) + beta[j];
  }
}
