/* The one bounded reader: every input file (data sets, checkpoints) is read
 * through zlib (plain files pass through, gzip is inflated), but the format
 * is checked from the first bytes and the reading stops at the size the
 * header implies -- a gzip bomb or /dev/zero costs a few KB, never all of
 * memory. Formats without a header (CSV, raw float32) are capped at a
 * quarter of the physical memory (AEC_MAX_INPUT_MB). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rt_internal.h"

/* deflate tops out near 1032:1; gzip headers add a little. */
#define AEC_DEFLATE_MAX_RATIO 1032u

uint64_t aec_rt_memory_cap(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return (uint64_t)1 << 40;
  return (uint64_t)pages * (uint64_t)page;
}

/* Headerless formats (CSV, raw) have nothing to bound them by: a quarter of
 * the memory (their floats are a second copy), or AEC_MAX_INPUT_MB. */
static uint64_t headerless_cap(void) {
  const char *env = getenv("AEC_MAX_INPUT_MB");
  long long mb = env && *env ? atoll(env) : 0;
  return mb > 0 ? (uint64_t)mb << 20 : aec_rt_memory_cap() / 4;
}

static int is_gzip(const char *path) {
  unsigned char m[2];
  FILE *f = fopen(path, "rb");
  int gz = f && fread(m, 1, 2, f) == 2 && m[0] == 0x1f && m[1] == 0x8b;
  if (f) fclose(f);
  return gz;
}

static void human(char *buf, size_t cap, uint64_t bytes) {
  if (bytes < (1u << 20)) snprintf(buf, cap, "%llu bytes", (unsigned long long)bytes);
  else snprintf(buf, cap, "%.1f MiB", (double)bytes / 1048576.0);
}

/* Grows *buf to hold at least `need` bytes (+1 for a NUL). */
static int reserve(unsigned char **buf, size_t *cap, size_t need) {
  if (need + 1 <= *cap) return 0;
  size_t ncap = *cap ? *cap : (size_t)1 << 16;
  while (ncap < need + 1) ncap = ncap > SIZE_MAX / 2 ? need + 1 : ncap * 2;
  unsigned char *nb = (unsigned char *)realloc(*buf, ncap);
  if (!nb) return -1;
  *buf = nb;
  *cap = ncap;
  return 0;
}

/* Reads until len == goal or EOF; returns gzread's error (< 0) or 0. */
static int fill(gzFile f, unsigned char *buf, size_t *len, size_t goal) {
  while (*len < goal) {
    size_t room = goal - *len;
    int got = gzread(f, buf + *len, (unsigned)(room > (1u << 30) ? 1u << 30 : room));
    if (got < 0) return got;
    if (got == 0) return 0;
    *len += (size_t)got;
  }
  return 0;
}

int aec_rt_read_bounded(const char *path, aec_rt_probe probe, void *ctx, unsigned char **data, size_t *size) {
  *data = NULL;
  *size = 0;
  struct stat st;
  if (stat(path, &st) != 0)
    return aec_rt_fail(AEC_RT_EUSER, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return aec_rt_fail(AEC_RT_EUSER, "%s: is a directory, not a file", path);
  int regular = S_ISREG(st.st_mode), gz = regular && is_gzip(path);
  gzFile f = gzopen(path, "rb");
  if (!f) return aec_rt_fail(AEC_RT_EUSER, "%s: cannot open: %s", path, strerror(errno ? errno : EIO));
  gzbuffer(f, 1 << 17);
  const uint64_t mem = aec_rt_memory_cap();
  uint64_t limit = headerless_cap();
  size_t cap = 0, len = 0;
  unsigned char *buf = NULL;
  int rc = 0, headerless = 1;
  char need[48], have[48];
  /* 1. The header: as many bytes as the probe asks for, then its verdict. */
  for (size_t want = 16; probe && !rc;) {
    if (reserve(&buf, &cap, want) || fill(f, buf, &len, want) < 0) {
      rc = buf ? aec_rt_fail(AEC_RT_EUSER, "%s: read error (corrupt or truncated gzip?)", path)
               : aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
      break;
    }
    uint64_t total = 0;
    size_t more = 0;
    int r = probe(ctx, path, buf, len, len < want, &total, &more);
    if (r < 0) rc = AEC_RT_EUSER;
    else if (r == 0 && len == want && more > want) { want = more; continue; }
    else if (r > 0) {
      headerless = 0;
      human(need, sizeof need, total);
      uint64_t stored = (uint64_t)st.st_size;
      if (total > mem) {
        human(have, sizeof have, mem);
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: its header describes %s of data, more than this machine's memory (%s)",
                         path, need, have);
      } else if (gz && total / AEC_DEFLATE_MAX_RATIO > stored) { /* plain files just end: the parser says so */
        human(have, sizeof have, stored);
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: is truncated: its header describes %s of data, more than %s of gzip "
                         "can inflate to", path, need, have);
      }
      limit = total + 1; /* one more byte shows trailing data to the parser */
    }
    break;
  }
  /* 2. The rest, never past the limit; the buffer grows with what arrives. */
  while (!rc) {
    size_t goal = limit > SIZE_MAX - 2 ? SIZE_MAX - 2 : (size_t)limit;
    size_t step = !regular || gz ? (size_t)1 << 24 : (size_t)st.st_size + 1;
    size_t next = len + step < goal && len + step > len ? len + step : goal;
    size_t before = len;
    if (reserve(&buf, &cap, next)) { rc = aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path); break; }
    if (fill(f, buf, &len, next) < 0) {
      int err;
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: read error (corrupt or truncated gzip?): %s", path, gzerror(f, &err));
      break;
    }
    if (len < next || len == before) break; /* EOF */
    if (len >= goal) {
      if (headerless) {
        human(have, sizeof have, limit);
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: holds more than %s, the limit for files without a size in their "
                         "header (a quarter of the memory; AEC_MAX_INPUT_MB sets another)", path, have);
      }
      break;
    }
  }
  if (!rc && len < limit) { /* zlib reports a gzip stream cut short as a clean EOF; check it */
    int err = Z_OK;
    gzerror(f, &err);
    if (err == Z_BUF_ERROR) rc = aec_rt_fail(AEC_RT_EUSER, "%s: gzip data is truncated", path);
    else if (err != Z_OK) rc = aec_rt_fail(AEC_RT_EUSER, "%s: read error (corrupt gzip data)", path);
  }
  gzclose(f);
  if (!rc && reserve(&buf, &cap, len)) rc = aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
  if (rc) { free(buf); return rc; }
  buf[len] = '\0';
  *data = buf;
  *size = len;
  return 0;
}

int aec_rt_read_file(const char *path, unsigned char **data, size_t *size) {
  return aec_rt_read_bounded(path, NULL, NULL, data, size);
}
