/* Variational models (issue 7): draws from the prior decoded into samples
 * (aec_rt_sample, in the inference core so that libraries have it too). */
#include <math.h>
#include <stdlib.h>

#include "rt_internal.h"

int aec_rt_sample(aec_session *s, int64_t count, uint64_t seed, float *out) {
  aec_rt_clear_error();
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  const aec_model *m = s->model;
  if (!m->kl_weight)
    return aec_rt_fail(AEC_RT_EUSER,
                       "`sample` needs a variational model (`code N variational`); model `%s` "
                       "has a plain code", m->name);
  if (count < 1) return aec_rt_fail(AEC_RT_EUSER, "--count must be at least 1, got %lld", (long long)count);
  if (!out) return aec_rt_fail(AEC_RT_EUSER, "null output pointer");
  const int64_t k = count * m->code_size;
  float *z = (float *)malloc(sizeof(float) * (size_t)k);
  if (!z) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  aec_rng r;
  aec_rng_seed(&r, seed);
  for (int64_t i = 0; i < k; i += 2) { /* Box-Muller: two N(0, 1) draws per pair */
    double u1 = ((double)(aec_rng_next(&r) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(aec_rng_next(&r) >> 11) / 9007199254740992.0;
    double rad = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
    z[i] = (float)(rad * cos(a));
    if (i + 1 < k) z[i + 1] = (float)(rad * sin(a));
  }
  int rc = aec_rt_decode(s, z, count, out);
  free(z);
  return rc;
}
