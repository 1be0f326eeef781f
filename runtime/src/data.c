/* Loading a data set: pick the format (by extension for CSV and raw
 * float32, by magic for IDX and npy), parse it, then check the per-sample
 * size against what the model needs and reject NaN/inf. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rt_internal.h"

void aec_data_free(aec_dataset *d) {
  if (!d) return;
  free(d->data);
  memset(d, 0, sizeof *d);
}

/* The extension, ignoring a trailing ".gz" ("x.csv.gz" -> "csv"). */
static void extension(const char *path, char *ext, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0) n -= 3;
  ext[0] = '\0';
  for (size_t i = n; i-- > 0;) {
    if (base[i] == '.') {
      size_t k = n - i - 1;
      if (k >= cap) k = cap - 1;
      memcpy(ext, base + i + 1, k);
      ext[k] = '\0';
      return;
    }
  }
}

int aec_data_truncated(const char *path, const char *fmt, uint64_t avail, int64_t n, int64_t per, int es) {
  unsigned __int128 need = (unsigned __int128)(uint64_t)n * (uint64_t)per * (unsigned)es;
  if (need >> 64)
    return aec_rt_fail(AEC_RT_EUSER, "%s: %s data is truncated (%llu bytes of %.4g)", path, fmt,
                       (unsigned long long)avail, (double)need);
  return aec_rt_fail(AEC_RT_EUSER, "%s: %s data is truncated (%llu bytes of %llu)", path, fmt,
                     (unsigned long long)avail, (unsigned long long)need);
}

static void shape_str(char *buf, size_t cap, int32_t rank, const int64_t *dims) {
  size_t k = 0;
  buf[0] = '\0';
  for (int32_t i = 0; i < rank && k + 1 < cap; ++i)
    k += (size_t)snprintf(buf + k, cap - k, i ? "x%lld" : "%lld", (long long)dims[i]);
  if (rank == 0) snprintf(buf, cap, "scalar");
}

/* The min and max of n values, and whether all are finite: one pass of eight
 * independent lanes (which -O2 vectorizes), so that valid data, the common
 * case, is checked at memory speed and only an error scans again. */
#define SPAN_LANES 8
static int data_span(const float *p, int64_t n, float *mn, float *mx) {
  float lo[SPAN_LANES], hi[SPAN_LANES];
  uint32_t bad = 0; /* the exponent bits of a NaN or an infinity */
  for (int k = 0; k < SPAN_LANES; ++k) lo[k] = INFINITY, hi[k] = -INFINITY;
  int64_t i = 0;
  for (; i + SPAN_LANES <= n; i += SPAN_LANES)
    for (int k = 0; k < SPAN_LANES; ++k) {
      const float v = p[i + k];
      uint32_t bits;
      memcpy(&bits, &v, sizeof bits);
      bad |= (bits & 0x7f800000u) == 0x7f800000u;
      lo[k] = v < lo[k] ? v : lo[k];
      hi[k] = v > hi[k] ? v : hi[k];
    }
  for (; i < n; ++i) {
    bad |= !isfinite(p[i]);
    lo[0] = p[i] < lo[0] ? p[i] : lo[0];
    hi[0] = p[i] > hi[0] ? p[i] : hi[0];
  }
  for (int k = 1; k < SPAN_LANES; ++k) {
    lo[0] = lo[k] < lo[0] ? lo[k] : lo[0];
    hi[0] = hi[k] > hi[0] ? hi[k] : hi[0];
  }
  *mn = lo[0], *mx = hi[0];
  return !bad;
}

int aec_data_load(const char *path, int64_t sample_size, const char *what, aec_dataset *out) {
  memset(out, 0, sizeof *out);
  unsigned char *buf;
  size_t size;
  char ext[16];
  extension(path, ext, sizeof ext);
  int csv = !strcasecmp(ext, "csv") || !strcasecmp(ext, "txt") || !strcasecmp(ext, "tsv");
  int raw = !strcasecmp(ext, "f32") || !strcasecmp(ext, "raw") || !strcasecmp(ext, "bin");
  int rc = aec_rt_read_bounded(path, csv || raw ? NULL : aec_data_probe, ext, &buf, &size);
  if (rc) return rc;
  if (csv) rc = aec_data_parse_csv(path, buf, size, sample_size, out);
  else if (raw) rc = aec_data_parse_raw(path, buf, size, sample_size, out);
  else if (aec_data_is_npy(buf, size)) rc = aec_data_parse_npy(path, buf, size, out);
  else rc = aec_data_parse_idx(path, buf, size, out); /* the probe let nothing else through */
  free(buf);
  if (rc) { aec_data_free(out); return rc; }
  if (out->n == 0) {
    aec_data_free(out);
    return aec_rt_fail(AEC_RT_EUSER, "%s: contains no samples", path);
  }
  if (out->sample_size != sample_size) {
    char shape[96];
    shape_str(shape, sizeof shape, out->rank, out->dims);
    rc = aec_rt_fail(AEC_RT_EUSER,
                     "%s: each sample has %lld value%s (shape %s) but %s needs %lld",
                     path, (long long)out->sample_size, out->sample_size == 1 ? "" : "s", shape, what,
                     (long long)sample_size);
    aec_data_free(out);
    return rc;
  }
  int64_t total = out->n * out->sample_size;
  float mn, mx;
  if (data_span(out->data, total, &mn, &mx)) return 0;
  for (int64_t i = 0; i < total; ++i) { /* the first non-finite value, for the message */
    if (!isfinite(out->data[i])) {
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: sample %lld value %lld is %s", path,
                       (long long)(i / sample_size), (long long)(i % sample_size),
                       isnan(out->data[i]) ? "NaN" : "infinite");
      aec_data_free(out);
      return rc;
    }
  }
  return 0;
}

int aec_data_check_range(const char *path, const aec_dataset *d, float lo, float hi, const char *what) {
  const double tol = 1e-3 * ((double)hi - (double)lo); /* float rounding of rescaled data */
  int64_t total = d->n * d->sample_size, outside = 0, first = -1;
  float mn, mx;
  data_span(d->data, total, &mn, &mx);
  if ((double)mn >= lo - tol && (double)mx <= hi + tol) return 0;
  mn = INFINITY, mx = -INFINITY; /* the counts and the first value outside, for the message */
  for (int64_t i = 0; i < total; ++i) {
    float v = d->data[i];
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    if ((double)v < lo - tol || (double)v > hi + tol) {
      if (first < 0) first = i;
      ++outside;
    }
  }
  if (!outside) return 0;
  return aec_rt_fail(AEC_RT_EUSER,
                     "%s: %lld of %lld values (%.3g%%) are outside %s range [%g, %g] (min %g, max %g; "
                     "first: sample %lld value %lld); rescale the data",
                     path, (long long)outside, (long long)total, 100.0 * (double)outside / (double)total, what,
                     (double)lo, (double)hi, (double)mn, (double)mx, (long long)(first / d->sample_size),
                     (long long)(first % d->sample_size));
}
