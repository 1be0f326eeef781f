/* The growable byte buffer (byte_buf.h). */
#include <stdlib.h>
#include <string.h>

#include "byte_buf.h"

void aec_bytes_put(aec_bytes *b, const void *src, size_t n) {
  if (b->failed) return;
  if (b->size + n > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->size + n) cap *= 2;
    unsigned char *d = (unsigned char *)realloc(b->data, cap);
    if (!d) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->size, src, n);
  b->size += n;
}
