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

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AEC_KERNELS_STATIC

/* Training: batch mean and biased variance per channel; y = gamma·xhat + beta
 * with xhat = (x - mean)·invstd, invstd = 1/sqrt(var + eps). Saves mean and
 * invstd (C floats each) for the backward pass. If run_mean != NULL, updates
 * the running statistics as PyTorch: run = (1 - momentum)·run + momentum·batch,
 * the variance term unbiased (var·m/(m-1), m = M·S). y may alias x. */
void aec_bn_train(int64_t c0, int64_t c1, int64_t M, int64_t C, int64_t S, const float *x,
                  const float *gamma, const float *beta, float eps, float momentum, float *y,
                  float *mean, float *invstd, float *run_mean, float *run_var);

/* Gradients of aec_bn_train (from the saved mean and invstd):
 *   dbeta = Σ dy, dgamma = Σ dy·xhat, dx = gamma·invstd·(dy - dbeta/m - xhat·dgamma/m).
 * dgamma/dbeta are added to when `accumulate`; either dx or dgamma (with dbeta)
 * may be NULL (not needed); dx may alias dy. */
void aec_bn_backward(int64_t c0, int64_t c1, int64_t M, int64_t C, int64_t S, const float *x,
                     const float *gamma, const float *mean, const float *invstd,
                     const float *dy, float *dx, float *dgamma, float *dbeta, int accumulate);

/* Inference, rows [r0, r1) of [M][C][S]: y = scale[c]·x + shift[c] with
 * scale = gamma/sqrt(run_var + eps), shift = beta - run_mean·scale, the
 * folded form (aec_bn_fold computes it once, C floats each). y may alias x. */
void aec_bn_fold(int64_t C, const float *gamma, const float *beta, const float *run_mean,
                 const float *run_var, float eps, float *scale, float *shift);
void aec_bn_affine(int64_t r0, int64_t r1, int64_t C, int64_t S, const float *x,
                   const float *scale, const float *shift, float *y);

/* Variational code, rows [r0, r1): z = mu + exp(logvar/2)·eps (eps a given
 * N(0, 1) draw, e.g. aec_noise kind 1 on zeros). Returns Σ_rows KL_i with
 * KL_i = -1/2 Σ_k (1 + logvar - mu² - exp(logvar)); z may be NULL (KL only). */
double aec_vae_sample(int64_t r0, int64_t r1, int64_t K, const float *mu, const float *logvar,
                      const float *eps, float *z);

/* Backward of the sample and the fused KL term with weight w (β·scale/M for
 * the batch mean): dmu = dz + w·mu, dlogvar = dz·eps·exp(logvar/2)/2 +
 * w·(exp(logvar) - 1)/2. dz may be NULL (KL gradient only). */
void aec_vae_backward(int64_t r0, int64_t r1, int64_t K, const float *mu, const float *logvar,
                      const float *eps, const float *dz, float *dmu, float *dlogvar, float w);

#endif /* AEC_KERNELS_STATIC */

#define AEC_NORM_ENTRY_POINTS                                                        \
  "aec_bn_train", "aec_bn_backward", "aec_bn_fold", "aec_bn_affine", "aec_vae_sample", \
      "aec_vae_backward"

#ifdef __cplusplus
}
#endif

#endif
