/* Double-precision references for the layers of issue 7 (batch norm, dropout,
 * the VAE loss), written as plain loops from their definitions. They are the
 * numerical contract for the generated code: ref_layers_check.c checks each
 * backward against central differences of its forward, and
 * torch_parity_ref.py checks the forwards and backwards against PyTorch.
 *
 * Layout: per-sample tensors are [C][S] (S = 1 for dense features, H*W or L
 * for conv channels), a batch is [n][C][S]. */
#ifndef AEC_REF_LAYERS_H
#define AEC_REF_LAYERS_H

#include <stdint.h>

#define REF_BN_MOMENTUM 0.1
#define REF_BN_EPS 1e-5

/* Batch norm, training mode: batch statistics per channel over n*S values;
 * mean and var (biased, as used for normalizing) are outputs. */
void ref_bn_train_forward(int n, int C, int S, const double *x, const double *gamma,
                          const double *beta, double eps, double *y, double *mean, double *var);
/* Gradients of the training-mode forward: dx, dgamma, dbeta (overwritten). */
void ref_bn_backward(int n, int C, int S, const double *x, const double *gamma,
                     const double *mean, const double *var, double eps, const double *dy,
                     double *dx, double *dgamma, double *dbeta);
/* running = (1 - momentum)·running + momentum·batch; the variance term is the
 * unbiased batch variance var·m/(m-1) with m = n*S (as PyTorch). */
void ref_bn_update_running(int C, int64_t m, const double *mean, const double *var,
                           double momentum, double *run_mean, double *run_var);
/* Inference: running statistics. */
void ref_bn_eval_forward(int n, int C, int S, const double *x, const double *gamma,
                         const double *beta, const double *run_mean, const double *run_var,
                         double eps, double *y);
/* The inference form as one affine map per channel, y = scale·x + shift,
 * which the preceding layer applies in its epilogue. */
void ref_bn_fold(int C, const double *gamma, const double *beta, const double *run_mean,
                 const double *run_var, double eps, double *scale, double *shift);

/* Inverted dropout with a given keep mask (1 kept, 0 dropped) of rate p:
 * y = x·mask/(1-p); backward dx = dy·mask/(1-p). Inference is the identity. */
void ref_dropout_forward(int64_t count, const double *x, const uint8_t *mask, double p,
                         double *y);
void ref_dropout_backward(int64_t count, const double *dy, const uint8_t *mask, double p,
                          double *dx);

/* VAE, per sample i and code unit k: z = mu + exp(logvar/2)·eps;
 * KL_i = -1/2 Σ_k (1 + logvar - mu² - exp(logvar)). */
void ref_vae_sample(int n, int K, const double *mu, const double *logvar, const double *eps,
                    double *z);
/* β/n · Σ_i KL_i (the KL part of the batch loss). */
double ref_vae_kl(int n, int K, const double *mu, const double *logvar, double beta);
/* Given dz = dLoss/dz of the reconstruction part, the gradients of the whole
 * batch loss with respect to mu and logvar (through the sample and the KL). */
void ref_vae_backward(int n, int K, const double *mu, const double *logvar, const double *eps,
                      const double *dz, double beta, double *dmu, double *dlogvar);
/* Reconstruction term of the ELBO convention: summed over the D elements of
 * a sample, averaged over the batch. bce takes the output layer's
 * pre-sigmoid values a (softplus(a) - x·a, the stable form of BCE on
 * sigmoid(a)); mse takes the outputs. Writes dLoss/da (or dLoss/dout). */
double ref_recon_bce_logits(int n, int D, const double *x, const double *a, double *da);
double ref_recon_mse(int n, int D, const double *x, const double *out, double *dout);
/* β at a 0-based epoch with `kl β warmup E`: β·min(1, epoch/E), β if E = 0. */
double ref_kl_weight(double beta, int64_t warmup, int64_t epoch);

#endif
