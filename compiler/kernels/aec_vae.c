/* The variational code's kernels (see aec_norm.h): the reparameterized
 * sample with its KL term, and their backward; training only. */
#include "aec_norm.h"
#include "aec_vmath.h"

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
