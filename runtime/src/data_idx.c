/* IDX files (MNIST / Fashion-MNIST): 0 0 type rank, big-endian u32 dims,
 * big-endian data. The first dim is the sample count. ubyte is scaled to
 * [0, 1]; byte/short/int are taken as they are; float/double converted. */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static int type_size(unsigned char t) {
  switch (t) {
  case 0x08: case 0x09: return 1;
  case 0x0B: return 2;
  case 0x0C: case 0x0D: return 4;
  case 0x0E: return 8;
  default: return 0;
  }
}

int aec_data_is_idx(const unsigned char *b, size_t size) {
  return size >= 4 && b[0] == 0 && b[1] == 0 && type_size(b[2]) && b[3] >= 1 && b[3] <= 8;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

int aec_data_parse_idx(const char *path, const unsigned char *b, size_t size, aec_dataset *d) {
  int rank = b[3], es = type_size(b[2]);
  if (size < 4 + 4 * (size_t)rank)
    return aec_rt_fail(AEC_RT_EUSER, "%s: IDX header is truncated", path);
  if (rank - 1 > AEC_MAX_RANK)
    return aec_rt_fail(AEC_RT_EUSER, "%s: IDX file has %d dimensions, at most %d are supported",
                       path, rank, AEC_MAX_RANK + 1);
  int64_t n = be32(b + 4), per = 1;
  d->rank = rank - 1;
  for (int i = 1; i < rank; ++i) {
    d->dims[i - 1] = be32(b + 4 + 4 * i);
    if (__builtin_mul_overflow(per, d->dims[i - 1], &per) || per > ((int64_t)1 << 40))
      return aec_rt_fail(AEC_RT_EUSER, "%s: IDX dims are too large (more than 2^40 values per sample)", path);
  }
  const unsigned char *p = b + 4 + 4 * rank;
  size_t avail = size - (4 + 4 * (size_t)rank);
  uint64_t need;
  if (__builtin_mul_overflow((uint64_t)n, (uint64_t)per * (uint64_t)es, &need) || need > avail)
    return aec_data_truncated(path, "IDX", avail, n, per, es);
  d->n = n;
  d->sample_size = per;
  size_t total = (size_t)n * (size_t)per;
  d->data = (float *)malloc(total ? total * sizeof(float) : 1);
  if (!d->data) return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
  float *o = d->data;
  switch (b[2]) {
  case 0x08:
    for (size_t i = 0; i < total; ++i) o[i] = p[i] * (1.0f / 255.0f);
    break;
  case 0x09:
    for (size_t i = 0; i < total; ++i) o[i] = (float)(signed char)p[i];
    break;
  case 0x0B:
    for (size_t i = 0; i < total; ++i) o[i] = (float)(int16_t)((p[2 * i] << 8) | p[2 * i + 1]);
    break;
  case 0x0C:
    for (size_t i = 0; i < total; ++i) o[i] = (float)(int32_t)be32(p + 4 * i);
    break;
  case 0x0D:
    for (size_t i = 0; i < total; ++i) {
      uint32_t u = be32(p + 4 * i);
      memcpy(&o[i], &u, 4);
    }
    break;
  case 0x0E:
    for (size_t i = 0; i < total; ++i) {
      uint64_t u = be64(p + 8 * i);
      double v;
      memcpy(&v, &u, 8);
      o[i] = (float)v;
    }
    break;
  }
  return 0;
}
