/* Raw little-endian float32 (.f32/.raw/.bin): no header, the per-sample
 * size comes from the model, so the file size must be a multiple of it. */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

int aec_data_parse_raw(const char *path, const unsigned char *buf, size_t size,
                       int64_t sample_size, aec_dataset *d) {
  size_t per = (size_t)sample_size * 4;
  if (size % 4 != 0 || size % per != 0)
    return aec_rt_fail(AEC_RT_EUSER,
                       "%s: raw float32 file has %zu bytes, not a multiple of one sample "
                       "(%lld float32 values = %zu bytes)", path, size, (long long)sample_size, per);
  d->n = (int64_t)(size / per);
  d->sample_size = sample_size;
  d->rank = 1;
  d->dims[0] = sample_size;
  d->data = (float *)malloc(size ? size : 1);
  if (!d->data) return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
  memcpy(d->data, buf, size);
  return 0;
}
