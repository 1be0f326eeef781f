/* Anomaly scores and the calibrated threshold (issue 8). A sample's score is
 * its mean squared reconstruction error over the elements, in the input's
 * own units (outputs are denormalized first). */
#include <math.h>
#include <stdlib.h>

#include "rt_internal.h"

int aec_rt_score(aec_session *s, const float *x, int64_t n, float *scores) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  if (n < 0) return aec_rt_fail(AEC_RT_EUSER, "negative sample count %lld", (long long)n);
  if (n > 0 && (!x || !scores)) return aec_rt_fail(AEC_RT_EUSER, "null data pointer");
  const aec_model *m = s->model;
  int64_t per = m->input_size, chunk = m->max_batch;
  float *rec = (float *)malloc(sizeof(float) * (size_t)(chunk * per));
  if (!rec) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  for (int64_t i = 0; i < n; i += chunk) {
    int64_t k = n - i < chunk ? n - i : chunk;
    int rc = aec_rt_reconstruct(s, x + i * per, k, rec);
    if (rc) { free(rec); return rc; }
    for (int64_t j = 0; j < k; ++j) {
      double sse = 0;
      for (int64_t e = 0; e < per; ++e) {
        double d = (double)rec[j * per + e] - x[(i + j) * per + e];
        sse += d * d;
      }
      scores[i + j] = (float)(sse / (double)per);
    }
  }
  free(rec);
  return 0;
}

int aec_rt_threshold(aec_session *s, float *threshold) {
  if (!s || !threshold) return aec_rt_fail(AEC_RT_EUSER, "no session or output given");
  if (!s->has_threshold)
    return aec_rt_fail(AEC_RT_EUSER, "no anomaly threshold: run `calibrate` on the checkpoint first");
  *threshold = s->threshold;
  return 0;
}

int aec_rt_set_threshold(aec_session *s, float threshold) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  if (!isfinite(threshold) || threshold < 0)
    return aec_rt_fail(AEC_RT_EUSER, "an anomaly threshold must be a finite number >= 0, got %g", (double)threshold);
  s->threshold = threshold;
  s->has_threshold = 1;
  return 0;
}
