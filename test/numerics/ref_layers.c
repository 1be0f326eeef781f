/* Double-precision references for batch norm, dropout and the VAE loss (see
 * ref_layers.h). Plain loops, no cleverness: they define the numbers. */
#include "ref_layers.h"

#include <math.h>

void ref_bn_train_forward(int n, int C, int S, const double *x, const double *gamma,
                          const double *beta, double eps, double *y, double *mean, double *var) {
  const double m = (double)n * S;
  for (int c = 0; c < C; ++c) {
    double s = 0, q = 0;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < S; ++k) s += x[((int64_t)i * C + c) * S + k];
    double mu = s / m;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < S; ++k) {
        double d = x[((int64_t)i * C + c) * S + k] - mu;
        q += d * d;
      }
    double v = q / m, inv = 1.0 / sqrt(v + eps);
    mean[c] = mu;
    var[c] = v;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < S; ++k) {
        int64_t j = ((int64_t)i * C + c) * S + k;
        y[j] = gamma[c] * (x[j] - mu) * inv + beta[c];
      }
  }
}

/* With xhat = (x - mean)/sqrt(var + eps) over m values of a channel:
 *   dbeta = Σ dy, dgamma = Σ dy·xhat,
 *   dx = gamma/sqrt(var + eps) · (dy - dbeta/m - xhat·dgamma/m). */
void ref_bn_backward(int n, int C, int S, const double *x, const double *gamma,
                     const double *mean, const double *var, double eps, const double *dy,
                     double *dx, double *dgamma, double *dbeta) {
  const double m = (double)n * S;
  for (int c = 0; c < C; ++c) {
    double inv = 1.0 / sqrt(var[c] + eps), sb = 0, sg = 0;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < S; ++k) {
        int64_t j = ((int64_t)i * C + c) * S + k;
        sb += dy[j];
        sg += dy[j] * (x[j] - mean[c]) * inv;
      }
    dbeta[c] = sb;
    dgamma[c] = sg;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < S; ++k) {
        int64_t j = ((int64_t)i * C + c) * S + k;
        double xhat = (x[j] - mean[c]) * inv;
        dx[j] = gamma[c] * inv * (dy[j] - sb / m - xhat * sg / m);
      }
  }
}

void ref_bn_update_running(int C, int64_t m, const double *mean, const double *var,
                           double momentum, double *run_mean, double *run_var) {
  double unbias = m > 1 ? (double)m / (double)(m - 1) : 1.0;
  for (int c = 0; c < C; ++c) {
    run_mean[c] = (1 - momentum) * run_mean[c] + momentum * mean[c];
    run_var[c] = (1 - momentum) * run_var[c] + momentum * var[c] * unbias;
  }
}

void ref_bn_fold(int C, const double *gamma, const double *beta, const double *run_mean,
                 const double *run_var, double eps, double *scale, double *shift) {
  for (int c = 0; c < C; ++c) {
    scale[c] = gamma[c] / sqrt(run_var[c] + eps);
    shift[c] = beta[c] - run_mean[c] * scale[c];
  }
}

void ref_bn_eval_forward(int n, int C, int S, const double *x, const double *gamma,
                         const double *beta, const double *run_mean, const double *run_var,
                         double eps, double *y) {
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < C; ++c)
      for (int k = 0; k < S; ++k) {
        int64_t j = ((int64_t)i * C + c) * S + k;
        y[j] = gamma[c] * (x[j] - run_mean[c]) / sqrt(run_var[c] + eps) + beta[c];
      }
}

void ref_dropout_forward(int64_t count, const double *x, const uint8_t *mask, double p,
                         double *y) {
  for (int64_t j = 0; j < count; ++j) y[j] = mask[j] ? x[j] / (1 - p) : 0.0;
}

void ref_dropout_backward(int64_t count, const double *dy, const uint8_t *mask, double p,
                          double *dx) {
  for (int64_t j = 0; j < count; ++j) dx[j] = mask[j] ? dy[j] / (1 - p) : 0.0;
}

void ref_vae_sample(int n, int K, const double *mu, const double *logvar, const double *eps,
                    double *z) {
  for (int64_t j = 0; j < (int64_t)n * K; ++j) z[j] = mu[j] + exp(0.5 * logvar[j]) * eps[j];
}

double ref_vae_kl(int n, int K, const double *mu, const double *logvar, double beta) {
  double s = 0;
  for (int64_t j = 0; j < (int64_t)n * K; ++j)
    s += -0.5 * (1 + logvar[j] - mu[j] * mu[j] - exp(logvar[j]));
  return beta * s / n;
}

void ref_vae_backward(int n, int K, const double *mu, const double *logvar, const double *eps,
                      const double *dz, double beta, double *dmu, double *dlogvar) {
  double w = beta / n;
  for (int64_t j = 0; j < (int64_t)n * K; ++j) {
    double sd = exp(0.5 * logvar[j]);
    dmu[j] = dz[j] + w * mu[j];
    dlogvar[j] = dz[j] * eps[j] * 0.5 * sd + w * 0.5 * (exp(logvar[j]) - 1);
  }
}

static double softplus(double a) { return a > 0 ? a + log1p(exp(-a)) : log1p(exp(a)); }

double ref_recon_bce_logits(int n, int D, const double *x, const double *a, double *da) {
  double s = 0;
  for (int64_t j = 0; j < (int64_t)n * D; ++j) {
    s += softplus(a[j]) - x[j] * a[j];
    if (da) da[j] = (1.0 / (1.0 + exp(-a[j])) - x[j]) / n;
  }
  return s / n;
}

double ref_recon_mse(int n, int D, const double *x, const double *out, double *dout) {
  double s = 0;
  for (int64_t j = 0; j < (int64_t)n * D; ++j) {
    double d = out[j] - x[j];
    s += d * d;
    if (dout) dout[j] = 2 * d / n;
  }
  return s / n;
}

double ref_kl_weight(double beta, int64_t warmup, int64_t epoch) {
  if (warmup <= 0 || epoch >= warmup) return beta;
  return beta * (double)epoch / (double)warmup;
}
