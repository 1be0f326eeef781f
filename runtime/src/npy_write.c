/* Writes float32 .npy files (format v1, C order) for encode/decode/
 * reconstruct outputs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt_internal.h"

int aec_npy_write(const char *path, const float *data, int64_t n, int32_t rank, const int64_t *dims) {
  char header[256];
  int k = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld,",
                   (long long)n);
  int64_t per = 1;
  for (int32_t i = 0; i < rank; ++i) {
    k += snprintf(header + k, sizeof header - (size_t)k, i ? ", %lld" : " %lld", (long long)dims[i]);
    per *= dims[i];
  }
  k += snprintf(header + k, sizeof header - (size_t)k, "), }");
  /* pad so the data starts at a multiple of 64, ending with '\n' */
  int total = 10 + k + 1;
  int pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f) return aec_rt_fail(AEC_RT_EUSER, "%s: cannot write: %s", path, strerror(errno));
  unsigned short hlen = (unsigned short)(k + pad + 1);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                           (unsigned char)(hlen >> 8)};
  int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)k, f) == (size_t)k;
  for (int i = 0; ok && i < pad; ++i) ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF;
  size_t cnt = (size_t)(n * per);
  ok = ok && fwrite(data, sizeof(float), cnt, f) == cnt;
  ok = (fclose(f) == 0) && ok;
  if (!ok) return aec_rt_fail(AEC_RT_EUSER, "%s: write failed: %s", path, strerror(errno));
  return 0;
}
