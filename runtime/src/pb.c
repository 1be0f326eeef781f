/* Protocol Buffers wire format helpers (see pb.h). */
#include <stdlib.h>
#include <string.h>

#include "pb.h"

static void varint(aec_pb *b, uint64_t v) {
  unsigned char buf[10];
  int n = 0;
  do {
    buf[n] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v) buf[n] |= 0x80;
    ++n;
  } while (v);
  aec_bytes_put(b, buf, (size_t)n);
}

static void tag(aec_pb *b, int field, int wire) { varint(b, (uint64_t)field << 3 | (uint64_t)wire); }

void aec_pb_varint_field(aec_pb *b, int field, uint64_t v) {
  tag(b, field, 0);
  varint(b, v);
}

void aec_pb_float_field(aec_pb *b, int field, float v) {
  unsigned char le[4];
  uint32_t u;
  memcpy(&u, &v, 4);
  for (int i = 0; i < 4; ++i) le[i] = (unsigned char)(u >> (8 * i));
  tag(b, field, 5);
  aec_bytes_put(b, le, 4);
}

void aec_pb_bytes_field(aec_pb *b, int field, const void *data, size_t n) {
  tag(b, field, 2);
  varint(b, n);
  aec_bytes_put(b, data, n);
}

void aec_pb_string_field(aec_pb *b, int field, const char *s) { aec_pb_bytes_field(b, field, s, strlen(s)); }

void aec_pb_message_field(aec_pb *b, int field, aec_pb *m) {
  if (m->failed) b->failed = 1;
  aec_pb_bytes_field(b, field, m->data, m->size);
  aec_pb_free(m);
}

void aec_pb_free(aec_pb *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

static int read_varint(aec_pb_reader *r, uint64_t *v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end) break;
    unsigned char c = *r->p++;
    x |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *v = x;
      return 1;
    }
  }
  r->bad = 1;
  return 0;
}

int aec_pb_next(aec_pb_reader *r, aec_pb_field *f) {
  if (r->bad || r->p >= r->end) return 0;
  uint64_t key;
  if (!read_varint(r, &key)) return 0;
  memset(f, 0, sizeof *f);
  f->number = (int)(key >> 3);
  f->wire = (int)(key & 7);
  size_t left;
  switch (f->wire) {
  case 0:
    return read_varint(r, &f->value);
  case 1:
  case 5: {
    size_t n = f->wire == 1 ? 8 : 4;
    if ((size_t)(r->end - r->p) < n) break;
    for (size_t i = 0; i < n; ++i) f->value |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return 1;
  }
  case 2:
    if (!read_varint(r, &f->value)) return 0;
    left = (size_t)(r->end - r->p);
    if (f->value > left) break;
    f->data = r->p;
    f->size = (size_t)f->value;
    r->p += f->size;
    return 1;
  default:
    break;
  }
  r->bad = 1;
  return 0;
}

aec_pb_reader aec_pb_sub(const aec_pb_field *f) {
  aec_pb_reader r = {f->data, f->data + f->size, f->wire != 2};
  return r;
}

int aec_pb_packed_varint(aec_pb_reader *r, uint64_t *v) {
  if (r->bad || r->p >= r->end) return 0;
  return read_varint(r, v);
}
