/* Input normalization (`input ... normalize standard | minmax`, issue 8):
 * per-element statistics taken from the training data when training starts,
 * stored in the checkpoint, applied to every input (training, encode,
 * reconstruct, layer_output, score) and undone on every output (reconstruct,
 * decode), so callers always work in the data's own units.
 *   standard  x' = (x - mean) / std   (population std)
 *   minmax    x' = (x - min) / (max - min)
 * A column without spread has no such scale: an error naming it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static const char *norm_name(int32_t kind) { return kind == AEC_NORM_MINMAX ? "minmax" : "standard"; }

void aec_norm_clear(aec_session *s) {
  free(s->norm_shift);
  free(s->norm_scale);
  free(s->norm_buf);
  s->norm_shift = s->norm_scale = s->norm_buf = NULL;
  s->norm_kind = AEC_NORM_NONE;
}

int aec_norm_set(aec_session *s, int32_t kind, const float *shift, const float *scale) {
  const aec_model *m = s->model;
  size_t n = (size_t)m->input_size;
  float *a = (float *)malloc(sizeof(float) * n), *b = (float *)malloc(sizeof(float) * n);
  float *buf = (float *)malloc(sizeof(float) * n * (size_t)m->max_batch);
  if (!a || !b || !buf) {
    free(a); free(b); free(buf);
    return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory for normalization statistics");
  }
  memcpy(a, shift, sizeof(float) * n);
  memcpy(b, scale, sizeof(float) * n);
  aec_norm_clear(s);
  s->norm_kind = kind;
  s->norm_shift = a;
  s->norm_scale = b;
  s->norm_buf = buf;
  return 0;
}

int aec_rt_fit_normalization(aec_session *s, const float *x, int64_t n) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  const aec_model *m = s->model;
  if (m->normalize == AEC_NORM_NONE) return 0;
  if (n < 1 || !x) return aec_rt_fail(AEC_RT_EUSER, "normalization needs at least one sample");
  int64_t per = m->input_size;
  double *a = (double *)calloc((size_t)per, sizeof(double)), *b = (double *)calloc((size_t)per, sizeof(double));
  float *shift = (float *)malloc(sizeof(float) * (size_t)per), *scale = (float *)malloc(sizeof(float) * (size_t)per);
  int rc = 0;
  if (!a || !b || !shift || !scale) { rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory"); goto out; }
  if (m->normalize == AEC_NORM_STANDARD) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < per; ++j) a[j] += x[i * per + j];
    for (int64_t j = 0; j < per; ++j) a[j] /= (double)n;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < per; ++j) { double d = x[i * per + j] - a[j]; b[j] += d * d; }
    for (int64_t j = 0; j < per; ++j) b[j] = sqrt(b[j] / (double)n);
  } else {
    for (int64_t j = 0; j < per; ++j) a[j] = b[j] = x[j];
    for (int64_t i = 1; i < n; ++i)
      for (int64_t j = 0; j < per; ++j) {
        double v = x[i * per + j];
        if (v < a[j]) a[j] = v;
        if (v > b[j]) b[j] = v;
      }
    for (int64_t j = 0; j < per; ++j) b[j] -= a[j];
  }
  for (int64_t j = 0; j < per; ++j) {
    if (!(b[j] > 0) || !isfinite(1.0 / b[j])) {
      rc = aec_rt_fail(AEC_RT_EUSER,
                       "`normalize %s`: input column %lld is constant in the training data (every "
                       "value is %g), so it cannot be scaled; drop the column or use another "
                       "normalization", norm_name(m->normalize), (long long)j, x[j]);
      goto out;
    }
    shift[j] = (float)a[j];
    scale[j] = (float)(1.0 / b[j]);
  }
  rc = aec_norm_set(s, m->normalize, shift, scale);
out:
  free(a); free(b); free(shift); free(scale);
  return rc;
}

const float *aec_norm_input(aec_session *s, const float *x, int64_t k) {
  if (!s->norm_kind) return x;
  int64_t per = s->model->input_size;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < per; ++j)
      s->norm_buf[i * per + j] = (x[i * per + j] - s->norm_shift[j]) * s->norm_scale[j];
  return s->norm_buf;
}

void aec_norm_output(const aec_session *s, float *out, int64_t k) {
  if (!s->norm_kind) return;
  int64_t per = s->model->input_size;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < per; ++j)
      out[i * per + j] = out[i * per + j] / s->norm_scale[j] + s->norm_shift[j];
}

int aec_norm_require(const aec_session *s) {
  const aec_model *m = s->model;
  if (m->normalize == AEC_NORM_NONE || s->norm_kind) return 0;
  return aec_rt_fail(AEC_RT_EUSER,
                     "model `%s` normalizes its input (`normalize %s`) but this session has no "
                     "statistics: load a trained checkpoint or call aec_rt_fit_normalization",
                     m->name, norm_name(m->normalize));
}
