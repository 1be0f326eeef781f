/* Header probes for the bounded reader (file_read.c): from the first bytes
 * of a data file, its format and the size its header implies. A header the
 * probe cannot make sense of (bad dict, dims that overflow) yields just the
 * header's size: the parser then reports the precise error. */
#include <strings.h>
#include <string.h>

#include "data_npy_header.h"
#include "rt_internal.h"

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* header + prod(dims) * es, or just header if that overflows. */
static uint64_t implied(uint64_t header, const int64_t *dims, int rank, int es) {
  uint64_t n = (uint64_t)es, t;
  for (int i = 0; i < rank; ++i)
    if (dims[i] < 0 || __builtin_mul_overflow(n, (uint64_t)dims[i], &n)) return header;
  return __builtin_add_overflow(header, n, &t) ? header : t;
}

static int npy_size(const unsigned char *b, size_t len, uint64_t *total, size_t *more) {
  if (len < 12) { *more = 12; return 0; }
  size_t hstart = b[6] == 1 ? 10 : 12;
  size_t hlen = b[6] == 1 ? ((size_t)b[8] | (size_t)b[9] << 8)
                          : ((size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24);
  if (b[6] < 1 || b[6] > 3 || hlen > (1u << 20)) { *total = len; return 1; } /* the parser says why */
  if (len < hstart + hlen) { *more = hstart + hlen; return 0; }
  aec_npy_header h;
  char err[8];
  if (aec_npy_parse_header((const char *)b + hstart, hlen, &h, err, sizeof err)) { *total = hstart + hlen; return 1; }
  int es = !strcmp(h.descr, "<f8") ? 8 : !strcmp(h.descr, "<f4") ? 4 : 1;
  *total = implied(hstart + hlen, h.shape, h.rank, es);
  return 1;
}

static int idx_size(const unsigned char *b, size_t len, uint64_t *total, size_t *more) {
  int rank = b[3];
  size_t header = 4 + 4 * (size_t)rank;
  if (len < header) { *more = header; return 0; }
  int64_t dims[256];
  for (int i = 0; i < rank; ++i) dims[i] = be32(b + 4 + 4 * i);
  int es = b[2] == 0x0B ? 2 : b[2] == 0x0C || b[2] == 0x0D ? 4 : b[2] == 0x0E ? 8 : 1;
  *total = implied(header, dims, rank, es);
  return 1;
}

int aec_data_probe(void *ctx, const char *path, const unsigned char *b, size_t len, int eof, uint64_t *total,
                   size_t *more) {
  const char *ext = (const char *)ctx;
  if (aec_data_is_npy(b, len)) return npy_size(b, len, total, more);
  if (aec_data_is_idx(b, len)) return idx_size(b, len, total, more);
  if (len < 16 && !eof) { *more = 16; return 0; }
  if (!strcasecmp(ext, "npy")) return aec_rt_fail(AEC_RT_EUSER, "%s: not a .npy file (bad magic)", path), -1;
  if (!strncasecmp(ext, "idx", 3) || strstr(path, "ubyte"))
    return aec_rt_fail(AEC_RT_EUSER, "%s: not an IDX file (bad magic)", path), -1;
  aec_rt_fail(AEC_RT_EUSER,
              "%s: unknown data format (not IDX or .npy; use a .csv, .f32, .raw or .bin extension for CSV or "
              "raw float32)", path);
  return -1;
}
