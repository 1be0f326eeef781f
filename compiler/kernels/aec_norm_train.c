/* The training kernels of batch norm and layer norm (see aec_norm.h): the
 * batch norm forward on the batch's statistics (which updates the running
 * ones) and its backward, layer norm's input and parameter gradients. Their
 * inference kernels: aec_norm.c. Sums are in double in a fixed order
 * (sample, then position), so they do not depend on how channels or rows
 * are split over threads. */
#include "aec_norm.h"
#include "aec_vmath.h"

AEC_KAPI void aec_bn_train(int64_t c0, int64_t c1, int64_t M, int64_t C, int64_t S,
                           const float *x, const float *gamma, const float *beta, float eps,
                           float momentum, float *y, float *mean, float *invstd,
                           float *run_mean, float *run_var) {
  const double m = (double)M * (double)S;
  for (int64_t c = c0; c < c1; ++c) {
    double s = 0, q = 0;
    for (int64_t i = 0; i < M; ++i) {
      const float *xc = x + (i * C + c) * S;
      for (int64_t k = 0; k < S; ++k) s += xc[k];
    }
    const double mu = s / m;
    for (int64_t i = 0; i < M; ++i) {
      const float *xc = x + (i * C + c) * S;
      for (int64_t k = 0; k < S; ++k) {
        double d = xc[k] - mu;
        q += d * d;
      }
    }
    const double var = q / m;
    const float inv = (float)(1.0 / __builtin_sqrt(var + eps));
    const float muf = (float)mu, g = gamma[c] * inv, b = beta[c];
    mean[c] = muf;
    invstd[c] = inv;
    if (run_mean) {
      double unbiased = m > 1 ? var * m / (m - 1) : var;
      run_mean[c] = (1 - momentum) * run_mean[c] + momentum * muf;
      run_var[c] = (1 - momentum) * run_var[c] + momentum * (float)unbiased;
    }
    for (int64_t i = 0; i < M; ++i) {
      const float *xc = x + (i * C + c) * S;
      float *yc = y + (i * C + c) * S;
      for (int64_t k = 0; k < S; ++k) yc[k] = (xc[k] - muf) * g + b;
    }
  }
}

AEC_KAPI void aec_bn_backward(int64_t c0, int64_t c1, int64_t M, int64_t C, int64_t S,
                              const float *x, const float *gamma, const float *mean,
                              const float *invstd, const float *dy, float *dx, float *dgamma,
                              float *dbeta, int accumulate) {
  const double m = (double)M * (double)S;
  for (int64_t c = c0; c < c1; ++c) {
    const float muf = mean[c], inv = invstd[c];
    double sb = 0, sg = 0;
    for (int64_t i = 0; i < M; ++i) {
      const float *xc = x + (i * C + c) * S, *dyc = dy + (i * C + c) * S;
      for (int64_t k = 0; k < S; ++k) {
        sb += dyc[k];
        sg += (double)dyc[k] * ((xc[k] - muf) * inv);
      }
    }
    if (dgamma) {
      dbeta[c] = (accumulate ? dbeta[c] : 0.0f) + (float)sb;
      dgamma[c] = (accumulate ? dgamma[c] : 0.0f) + (float)sg;
    }
    if (!dx) continue;
    const float g = gamma[c] * inv, mb = (float)(sb / m), mg = (float)(sg / m);
    for (int64_t i = 0; i < M; ++i) {
      const float *xc = x + (i * C + c) * S, *dyc = dy + (i * C + c) * S;
      float *dxc = dx + (i * C + c) * S;
      for (int64_t k = 0; k < S; ++k) dxc[k] = g * (dyc[k] - mb - (xc[k] - muf) * inv * mg);
    }
  }
}

AEC_KAPI void aec_ln_backward(int64_t r0, int64_t r1, int64_t D, const float *x,
                              const float *gamma, const float *stats, const float *dy,
                              float *dx) {
  for (int64_t i = r0; i < r1; ++i) {
    const float *xi = x + i * D, *dyi = dy + i * D;
    double a = 0, b = 0;
    for (int64_t j = 0; j < D; ++j) {
      const double g = (double)dyi[j] * gamma[j];
      a += g;
      b += g * aec_ln_xhat(stats, i, xi[j]);
    }
    const float ma = (float)(a / (double)D), mb = (float)(b / (double)D), inv = stats[2 * i + 1];
    float *dxi = dx + i * D;
    for (int64_t j = 0; j < D; ++j)
      dxi[j] = inv * (dyi[j] * gamma[j] - ma - aec_ln_xhat(stats, i, xi[j]) * mb);
  }
}

/* Columns in blocks of this many, summed over the rows in order. */
#define AEC_LN_COLS 32

AEC_KAPI void aec_ln_param_grad(int64_t j0, int64_t j1, int64_t M, int64_t D, const float *x,
                                const float *stats, const float *dy, float *dgamma,
                                float *dbeta, int accumulate) {
  for (int64_t b0 = j0; b0 < j1; b0 += AEC_LN_COLS) {
    const int64_t n = j1 - b0 < AEC_LN_COLS ? j1 - b0 : AEC_LN_COLS;
    double sg[AEC_LN_COLS] = {0}, sb[AEC_LN_COLS] = {0};
    for (int64_t i = 0; i < M; ++i) {
      const float *xi = x + i * D + b0, *dyi = dy + i * D + b0;
      for (int64_t k = 0; k < n; ++k) {
        sg[k] += (double)dyi[k] * aec_ln_xhat(stats, i, xi[k]);
        sb[k] += dyi[k];
      }
    }
    for (int64_t k = 0; k < n; ++k) {
      dgamma[b0 + k] = (float)((accumulate ? dgamma[b0 + k] : 0) + sg[k]);
      dbeta[b0 + k] = (float)((accumulate ? dbeta[b0 + k] : 0) + sb[k]);
    }
  }
}
