/* A minimal zip archive (PKWARE APPNOTE) writer and reader for .npz files:
 * entries are written stored (no compression, fixed 1980-01-01 timestamp,
 * so the bytes are reproducible) and read stored or deflated (what
 * numpy.savez and numpy.savez_compressed write). No zip64: entries and the
 * archive stay under 4 GiB. CRC-32 and inflate come from zlib. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "zip_store.h"

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v) {
  put16(p, v & 0xffff);
  put16(p + 2, v >> 16);
}
static unsigned get16(const unsigned char *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static uint32_t get32(const unsigned char *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

enum { LOCAL_SIZE = 30, CENTRAL_SIZE = 46, END_SIZE = 22, DOS_DATE_1980 = 0x21 };

/* The fields local and central headers share, in the same order: version
 * needed, flags, method (stored), time, date, CRC, sizes, name length. */
static void put_entry(unsigned char *p, uint32_t crc, size_t size, size_t nlen) {
  put16(p, 20);
  put16(p + 8, DOS_DATE_1980);
  put32(p + 10, crc);
  put32(p + 14, (uint32_t)size);
  put32(p + 18, (uint32_t)size);
  put16(p + 22, (unsigned)nlen);
}

int aec_zip_open(aec_zip_writer *z, const char *path) {
  memset(z, 0, sizeof *z);
  z->path = path;
  z->f = aec_rt_out_open(&z->out, path);
  return z->f ? 0 : AEC_RT_EUSER;
}

int aec_zip_add(aec_zip_writer *z, const char *name, const void *data, size_t size) {
  size_t nlen = strlen(name);
  if (size > 0xffffffffu || z->offset > 0xffffffffu - size || nlen > 0xffff)
    return aec_rt_fail(AEC_RT_EUSER, "%s: archive larger than 4 GiB is not supported", z->path);
  uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)data, (uInt)size);
  unsigned char h[LOCAL_SIZE] = {0};
  put32(h, 0x04034b50);
  put_entry(h + 4, crc, size, nlen);
  if (fwrite(h, 1, sizeof h, z->f) != sizeof h || fwrite(name, 1, nlen, z->f) != nlen ||
      fwrite(data, 1, size, z->f) != size)
    return aec_rt_fail(AEC_RT_EUSER, "%s: write failed: %s", z->path, strerror(errno));
  /* the central directory entry, kept until close */
  size_t need = z->dir_size + CENTRAL_SIZE + nlen;
  unsigned char *dir = (unsigned char *)realloc(z->dir, need);
  if (!dir) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  z->dir = dir;
  unsigned char *c = dir + z->dir_size;
  memset(c, 0, CENTRAL_SIZE);
  put32(c, 0x02014b50);
  put16(c + 4, 20); /* made by */
  put_entry(c + 6, crc, size, nlen);
  put32(c + 42, (uint32_t)z->offset);
  memcpy(c + CENTRAL_SIZE, name, nlen);
  z->dir_size = need;
  z->offset += LOCAL_SIZE + nlen + size;
  z->entries++;
  return 0;
}

int aec_zip_close(aec_zip_writer *z, int ok) {
  int rc = 0;
  if (ok && z->f) {
    unsigned char e[END_SIZE] = {0};
    put32(e, 0x06054b50);
    put16(e + 8, z->entries);
    put16(e + 10, z->entries);
    put32(e + 12, (uint32_t)z->dir_size);
    put32(e + 16, (uint32_t)z->offset);
    if (z->entries > 0xffff || z->offset > 0xffffffffu)
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: too many entries for a zip archive", z->path);
    else if (fwrite(z->dir, 1, z->dir_size, z->f) != z->dir_size || fwrite(e, 1, sizeof e, z->f) != sizeof e)
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: write failed: %s", z->path, strerror(errno));
  }
  if (z->f && ok && !rc) rc = aec_rt_out_close(&z->out, 1);
  else if (z->f) aec_out_abort(&z->out); /* keeps the error already reported */
  free(z->dir);
  z->f = NULL;
  z->dir = NULL;
  return rc;
}

/* ---- reading ---- */

static int bad(const char *path, const char *what) {
  return aec_rt_fail(AEC_RT_EUSER, "%s: not a readable .npz/zip archive (%s)", path, what);
}

int aec_zip_read(const char *path, const unsigned char *b, size_t size, aec_zip_entry_fn fn, void *ctx) {
  if (size < END_SIZE) return bad(path, "too short");
  size_t end = size - END_SIZE;
  size_t lowest = size > END_SIZE + 0xffff ? size - END_SIZE - 0xffff : 0;
  while (get32(b + end) != 0x06054b50) {
    if (end == lowest) return bad(path, "no end of central directory");
    --end;
  }
  unsigned count = get16(b + end + 10);
  size_t dir = get32(b + end + 16), dir_size = get32(b + end + 12);
  if (dir > end || dir_size > end - dir) return bad(path, "central directory out of bounds");
  size_t p = dir;
  for (unsigned i = 0; i < count; ++i) {
    if (p + CENTRAL_SIZE > end || get32(b + p) != 0x02014b50) return bad(path, "bad central directory entry");
    unsigned method = get16(b + p + 10);
    uint32_t crc = get32(b + p + 16);
    size_t csize = get32(b + p + 20), usize = get32(b + p + 24);
    size_t nlen = get16(b + p + 28), xlen = get16(b + p + 30), clen = get16(b + p + 32);
    size_t local = get32(b + p + 42);
    if (p + CENTRAL_SIZE + nlen > end || nlen > 255) return bad(path, "bad entry name");
    char name[256];
    memcpy(name, b + p + CENTRAL_SIZE, nlen);
    name[nlen] = '\0';
    p += CENTRAL_SIZE + nlen + xlen + clen;
    if (local + LOCAL_SIZE > dir || get32(b + local) != 0x04034b50) return bad(path, "bad local header");
    size_t data = local + LOCAL_SIZE + get16(b + local + 26) + get16(b + local + 28);
    if (data > dir || csize > dir - data) return bad(path, "entry out of bounds");
    if (usize > ((size_t)1 << 32)) return bad(path, "entry too large");
    unsigned char *out = (unsigned char *)malloc(usize ? usize : 1);
    if (!out) return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
    int rc = 0;
    if (method == 0) {
      if (csize != usize) rc = bad(path, "stored entry sizes differ");
      else memcpy(out, b + data, usize);
    } else if (method == 8) {
      z_stream s;
      memset(&s, 0, sizeof s);
      if (inflateInit2(&s, -15) != Z_OK) rc = aec_rt_fail(AEC_RT_EINTERNAL, "%s: inflate failed", path);
      else {
        s.next_in = (Bytef *)(b + data);
        s.avail_in = (uInt)csize;
        s.next_out = out;
        s.avail_out = (uInt)usize;
        int zr = inflate(&s, Z_FINISH);
        if (zr != Z_STREAM_END || s.total_out != usize) rc = bad(path, "corrupt deflate data");
        inflateEnd(&s);
      }
    } else {
      rc = bad(path, "unsupported compression method");
    }
    if (!rc && (uint32_t)crc32(0L, out, (uInt)usize) != crc)
      rc = bad(path, "CRC mismatch");
    if (!rc) rc = fn(ctx, name, out, usize);
    free(out);
    if (rc) return rc;
  }
  return 0;
}
