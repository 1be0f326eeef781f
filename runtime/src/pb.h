/* Protocol Buffers wire format, the subset ONNX files need (pb.c): a
 * growable writer (varints, 32-bit floats, length-delimited fields and
 * nested messages) and a bounds-checked field reader. */
#ifndef AEC_RT_PB_H
#define AEC_RT_PB_H

#include <stddef.h>
#include <stdint.h>

#include "byte_buf.h"

typedef aec_bytes aec_pb; /* out of memory: every later write is a no-op */

void aec_pb_varint_field(aec_pb *b, int field, uint64_t v);
void aec_pb_float_field(aec_pb *b, int field, float v);
void aec_pb_bytes_field(aec_pb *b, int field, const void *data, size_t n);
void aec_pb_string_field(aec_pb *b, int field, const char *s);
/* A nested message: its bytes (built in `m`, then freed) as field `field`. */
void aec_pb_message_field(aec_pb *b, int field, aec_pb *m);
void aec_pb_free(aec_pb *b);

/* Reading: one field at a time from [p, end). */
typedef struct aec_pb_reader {
  const unsigned char *p, *end;
  int bad; /* malformed input seen */
} aec_pb_reader;

typedef struct aec_pb_field {
  int number, wire;             /* wire 0 varint, 1 fixed64, 2 bytes, 5 fixed32 */
  uint64_t value;               /* varint / fixed value */
  const unsigned char *data;    /* wire 2: the bytes */
  size_t size;
} aec_pb_field;

/* 1 and the next field in *f, 0 at the end or on malformed input (r->bad). */
int aec_pb_next(aec_pb_reader *r, aec_pb_field *f);
aec_pb_reader aec_pb_sub(const aec_pb_field *f);
/* Reads a varint from a packed repeated field's bytes; 0 when done or bad. */
int aec_pb_packed_varint(aec_pb_reader *r, uint64_t *v);

#endif
