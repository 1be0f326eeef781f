/* `validation F` (issue 8): a held-out fraction of the training data chosen
 * by the seed alone (its own RNG stream), so the split is the same on every
 * run and on --resume. Both parts keep the file's order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int aec_data_split(aec_dataset *d, double fraction, uint64_t seed, aec_dataset *val) {
  memset(val, 0, sizeof *val);
  if (d->n < 2)
    return aec_rt_fail(AEC_RT_EUSER, "`validation %g` needs at least 2 samples, the data has %lld",
                       fraction, (long long)d->n);
  int64_t n = d->n, nv = (int64_t)llround(fraction * (double)n), per = d->sample_size;
  if (nv < 1) nv = 1;
  if (nv > n - 1) nv = n - 1;
  unsigned char *held = (unsigned char *)calloc((size_t)n, 1);
  int64_t *perm = (int64_t *)malloc(sizeof(int64_t) * (size_t)n);
  float *v = (float *)malloc(sizeof(float) * (size_t)(nv * per));
  if (!held || !perm || !v) {
    free(held); free(perm); free(v);
    return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory splitting the validation data");
  }
  aec_rng rng;
  aec_rng_seed(&rng, aec_rt_mix64(seed ^ 0x7a11da7eull));
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = (int64_t)aec_rng_below(&rng, (uint64_t)(i + 1));
    int64_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  for (int64_t i = 0; i < nv; ++i) held[perm[i]] = 1;
  int64_t kt = 0, kv = 0;
  for (int64_t i = 0; i < n; ++i) {
    float *dst = held[i] ? v + (kv++) * per : d->data + (kt++) * per;
    memmove(dst, d->data + i * per, sizeof(float) * (size_t)per);
  }
  d->n = kt;
  *val = *d;
  val->data = v;
  val->n = nv;
  free(held);
  free(perm);
  return 0;
}
