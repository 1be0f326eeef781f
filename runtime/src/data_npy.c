/* .npy files (format v1, v2 and v3 headers): C order, little-endian
 * float32/float64 or uint8 (scaled to [0, 1]); shape [n, ...]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_npy_header.h"
#include "rt_internal.h"

int aec_data_is_npy(const unsigned char *b, size_t size) {
  return size >= 6 && memcmp(b, "\x93NUMPY", 6) == 0;
}

int aec_data_parse_npy(const char *path, const unsigned char *b, size_t size, aec_dataset *d) {
  if (size < 10) return aec_rt_fail(AEC_RT_EUSER, "%s: .npy header is truncated", path);
  int major = b[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (size_t)b[8] | (size_t)b[9] << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return aec_rt_fail(AEC_RT_EUSER, "%s: .npy header is truncated", path);
    hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    hstart = 12;
  } else {
    return aec_rt_fail(AEC_RT_EUSER, "%s: .npy format version %d is not supported", path, major);
  }
  if (hlen > size - hstart || hlen > (1u << 20))
    return aec_rt_fail(AEC_RT_EUSER, "%s: .npy header is truncated", path);
  char *h = (char *)malloc(hlen + 1);
  if (!h) return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
  memcpy(h, b + hstart, hlen);
  h[hlen] = '\0';

  aec_npy_header hd;
  char why[160];
  int rc = 0;
  if (aec_npy_parse_header(h, hlen, &hd, why, sizeof why)) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: .npy %s", path, why);
    goto out;
  }
  int kind = 0; /* 1 f4, 2 f8, 3 u1 */
  if (!strcmp(hd.descr, "<f4")) kind = 1;
  else if (!strcmp(hd.descr, "<f8")) kind = 2;
  else if (!strcmp(hd.descr, "|u1") || !strcmp(hd.descr, "<u1")) kind = 3;
  if (!kind) {
    rc = aec_rt_fail(AEC_RT_EUSER,
                     "%s: .npy dtype %s is not supported (use float32, float64 or uint8, little-endian)",
                     path, hd.descr);
    goto out;
  }
  if (hd.fortran_order) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: .npy array is in Fortran order; save it in C order", path);
    goto out;
  }
  int rank = hd.rank;
  const int64_t *dims = hd.shape;
  if (rank == 0) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: .npy array is a scalar; need shape [n, ...]", path);
    goto out;
  }
  if (rank - 1 > AEC_MAX_RANK) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: .npy array has %d dimensions, at most %d are supported",
                     path, rank, AEC_MAX_RANK + 1);
    goto out;
  }
  int64_t per = 1;
  for (int i = 1; i < rank; ++i) {
    if (__builtin_mul_overflow(per, dims[i], &per) || per > ((int64_t)1 << 40)) {
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: .npy shape is too large (more than 2^40 values per sample)", path);
      goto out;
    }
    d->dims[i - 1] = dims[i];
  }
  d->rank = rank - 1;
  {
    int es = kind == 1 ? 4 : kind == 2 ? 8 : 1;
    size_t avail = size - hstart - hlen;
    uint64_t need;
    if (__builtin_mul_overflow((uint64_t)dims[0], (uint64_t)per * (uint64_t)es, &need) || need > avail) {
      rc = aec_data_truncated(path, ".npy", avail, dims[0], per, es);
      goto out;
    }
    const unsigned char *data = b + hstart + hlen;
    size_t total = (size_t)dims[0] * (size_t)per;
    d->n = dims[0];
    d->sample_size = per;
    d->data = (float *)malloc(total ? total * sizeof(float) : 1);
    if (!d->data) {
      rc = aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
      goto out;
    }
    if (kind == 1) {
      memcpy(d->data, data, total * 4);
    } else if (kind == 2) {
      for (size_t i = 0; i < total; ++i) {
        double v;
        memcpy(&v, data + 8 * i, 8);
        d->data[i] = (float)v;
      }
    } else {
      for (size_t i = 0; i < total; ++i) d->data[i] = data[i] * (1.0f / 255.0f);
    }
  }
out:
  free(h);
  return rc;
}

