/* A growable byte buffer for writers that build a whole file in memory
 * (the checkpoint, ONNX's protobuf): after a failed allocation every append
 * is a no-op and `failed` stays set, so a writer checks once at the end. */
#ifndef AEC_RT_BYTE_BUF_H
#define AEC_RT_BYTE_BUF_H

#include <stddef.h>

typedef struct aec_bytes {
  unsigned char *data;
  size_t size, cap;
  int failed; /* out of memory */
} aec_bytes;

void aec_bytes_put(aec_bytes *b, const void *src, size_t n);

#endif
