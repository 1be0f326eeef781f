/* Reads a whole file into memory through zlib, which passes plain files
 * through unchanged and inflates gzip ones: one pass, one growing buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "rt_internal.h"

int aec_rt_read_file(const char *path, unsigned char **data, size_t *size) {
  *data = NULL;
  *size = 0;
  struct stat st;
  if (stat(path, &st) != 0)
    return aec_rt_fail(AEC_RT_EUSER, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return aec_rt_fail(AEC_RT_EUSER, "%s: is a directory, not a file", path);
  size_t hint = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
  FILE *raw = fopen(path, "rb");
  if (raw) { /* a gzip trailer holds the inflated size mod 2^32: presize */
    unsigned char m[2], t[4];
    if (fread(m, 1, 2, raw) == 2 && m[0] == 0x1f && m[1] == 0x8b && fseek(raw, -4, SEEK_END) == 0 &&
        fread(t, 1, 4, raw) == 4) {
      size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
      if (isize + 1 > hint && isize / 1032 <= (size_t)st.st_size) hint = isize + 1; /* deflate tops out near 1032:1 */
    }
    fclose(raw);
  }
  gzFile f = gzopen(path, "rb");
  if (!f) return aec_rt_fail(AEC_RT_EUSER, "%s: cannot open: %s", path, strerror(errno ? errno : EIO));
  gzbuffer(f, 1 << 17);
  size_t cap = hint, len = 0;
  unsigned char *buf = (unsigned char *)malloc(cap);
  if (!buf) { gzclose(f); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path); }
  for (;;) {
    if (len == cap) {
      size_t ncap = cap * 2;
      unsigned char *nb = (unsigned char *)realloc(buf, ncap);
      if (!nb) { free(buf); gzclose(f); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path); }
      buf = nb;
      cap = ncap;
    }
    size_t want = cap - len;
    if (want > (1u << 30)) want = 1u << 30;
    int got = gzread(f, buf + len, (unsigned)want);
    if (got < 0) {
      int err;
      const char *msg = gzerror(f, &err);
      aec_rt_fail(AEC_RT_EUSER, "%s: read error (corrupt or truncated gzip?): %s", path, msg);
      free(buf);
      gzclose(f);
      return AEC_RT_EUSER;
    }
    if (got == 0) break;
    len += (size_t)got;
  }
  /* zlib reports a gzip stream cut short as a clean EOF; check it. */
  int err = Z_OK;
  gzerror(f, &err);
  gzclose(f);
  if (err != Z_OK && err != Z_BUF_ERROR) {
    free(buf);
    return aec_rt_fail(AEC_RT_EUSER, "%s: read error (corrupt gzip data)", path);
  }
  if (err == Z_BUF_ERROR) {
    free(buf);
    return aec_rt_fail(AEC_RT_EUSER, "%s: gzip data is truncated", path);
  }
  if (len == cap) { /* keep room for a terminating NUL (text parsers rely on it) */
    unsigned char *nb = (unsigned char *)realloc(buf, cap + 1);
    if (!nb) { free(buf); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path); }
    buf = nb;
  }
  buf[len] = '\0';
  *data = buf;
  *size = len;
  return 0;
}
