/* Batch norm, layer norm and variational-code kernels (see aec_norm.h). Sums are in
 * double in a fixed order (sample, then position), so they do not depend on
 * how channels or rows are split over threads. */
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

AEC_KAPI double aec_vae_sample(int64_t r0, int64_t r1, int64_t K, const float *mu,
                               const float *logvar, const float *eps, float *z) {
  double kl = 0;
  for (int64_t i = r0; i < r1; ++i) {
    const float *m = mu + i * K, *lv = logvar + i * K, *e = eps + i * K;
    float *zi = z ? z + i * K : 0;
    int64_t k = 0;
    for (; k < K; k += AEC_VW) {
      int64_t n = K - k < AEC_VW ? K - k : AEC_VW;
      vf vm = vload_part(m + k, n), vl = vload_part(lv + k, n);
      vf sd = v_exp(0.5f * vl);
      vf t = 1.0f + vl - vm * vm - sd * sd;
      for (int64_t u = 0; u < n; ++u) kl += -0.5 * t[u];
      if (zi) vstore_part(zi + k, vm + sd * vload_part(e + k, n), n);
    }
  }
  return kl;
}

AEC_KAPI void aec_vae_backward(int64_t r0, int64_t r1, int64_t K, const float *mu,
                               const float *logvar, const float *eps, const float *dz,
                               float *dmu, float *dlogvar, float w) {
  for (int64_t i = r0; i < r1; ++i) {
    for (int64_t k = 0; k < K; k += AEC_VW) {
      int64_t n = K - k < AEC_VW ? K - k : AEC_VW, j = i * K + k;
      vf vm = vload_part(mu + j, n), vl = vload_part(logvar + j, n);
      vf g = dz ? vload_part(dz + j, n) : (vf)0.0f;
      vf sd = v_exp(0.5f * vl);
      vstore_part(dmu + j, g + w * vm, n);
      vstore_part(dlogvar + j, 0.5f * (g * vload_part(eps + j, n) * sd + w * (sd * sd - 1.0f)), n);
    }
  }
}

/* Layer norm: each row of [M][D] over its D features. The row's mean and
 * biased variance sum in double in feature order; xhat is formed the same way
 * in all three kernels, so the backward sees the forward's values. */
AEC_INLINE float ln_xhat(const float *stats, int64_t i, float x) {
  return (x - stats[2 * i]) * stats[2 * i + 1];
}

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
    for (int64_t j = 0; j < D; ++j) yi[j] = gamma[j] * ln_xhat(stats, i, xi[j]) + beta[j];
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
      b += g * ln_xhat(stats, i, xi[j]);
    }
    const float ma = (float)(a / (double)D), mb = (float)(b / (double)D), inv = stats[2 * i + 1];
    float *dxi = dx + i * D;
    for (int64_t j = 0; j < D; ++j)
      dxi[j] = inv * (dyi[j] * gamma[j] - ma - ln_xhat(stats, i, xi[j]) * mb);
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
        sg[k] += (double)dyi[k] * ln_xhat(stats, i, xi[k]);
        sb[k] += dyi[k];
      }
    }
    for (int64_t k = 0; k < n; ++k) {
      dgamma[b0 + k] = (float)((accumulate ? dgamma[b0 + k] : 0) + sg[k]);
      dbeta[b0 + k] = (float)((accumulate ? dbeta[b0 + k] : 0) + sb[k]);
    }
  }
}
