/* Writes float32 .npy files (format v1, C order) for encode/decode/
 * reconstruct outputs, atomically (aec/output_path.h). */
#include <stdio.h>
#include <string.h>

#include "rt_internal.h"

size_t aec_npy_write_header(unsigned char *out, int64_t n, int32_t rank, const int64_t *dims) {
  char header[200];
  int k = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld,",
                   (long long)n);
  for (int32_t i = 0; i < rank; ++i)
    k += snprintf(header + k, sizeof header - (size_t)k, i ? ", %lld" : " %lld", (long long)dims[i]);
  k += snprintf(header + k, sizeof header - (size_t)k, "), }");
  /* pad so the data starts at a multiple of 64, ending with '\n' */
  int total = 10 + k + 1;
  int pad = (64 - total % 64) % 64;
  unsigned short hlen = (unsigned short)(k + pad + 1);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                           (unsigned char)(hlen >> 8)};
  memcpy(out, pre, 10);
  memcpy(out + 10, header, (size_t)k);
  memset(out + 10 + k, ' ', (size_t)pad);
  out[10 + k + pad] = '\n';
  return (size_t)(10 + hlen);
}

int aec_npy_write(const char *path, const float *data, int64_t n, int32_t rank, const int64_t *dims) {
  unsigned char header[256];
  size_t hlen = aec_npy_write_header(header, n, rank, dims);
  int64_t per = 1;
  for (int32_t i = 0; i < rank; ++i) per *= dims[i];
  aec_out out;
  FILE *f = aec_rt_out_open(&out, path);
  if (!f) return AEC_RT_EUSER;
  int ok = fwrite(header, 1, hlen, f) == hlen;
  size_t cnt = (size_t)(n * per);
  ok = ok && fwrite(data, sizeof(float), cnt, f) == cnt;
  return aec_rt_out_close(&out, ok);
}
