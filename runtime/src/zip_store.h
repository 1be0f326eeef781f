/* Zip archives for .npz (zip_store.c): stored entries written, stored or
 * deflated entries read. */
#ifndef AEC_RT_ZIP_STORE_H
#define AEC_RT_ZIP_STORE_H

#include <stdio.h>

#include "rt_internal.h"

typedef struct aec_zip_writer {
  const char *path;
  FILE *f;
  aec_out out; /* through the output-path guard: temp file, renamed on close */
  unsigned char *dir; /* central directory entries so far */
  size_t dir_size, offset;
  unsigned entries;
} aec_zip_writer;

int aec_zip_open(aec_zip_writer *z, const char *path);
int aec_zip_add(aec_zip_writer *z, const char *name, const void *data, size_t size);
/* Writes the directory (if ok) and commits the file; on !ok or an error nothing is written. */
int aec_zip_close(aec_zip_writer *z, int ok);

/* Calls fn for every entry with its uncompressed bytes; stops at the first nonzero. */
typedef int (*aec_zip_entry_fn)(void *ctx, const char *name, const unsigned char *data, size_t size);
int aec_zip_read(const char *path, const unsigned char *b, size_t size, aec_zip_entry_fn fn, void *ctx);

#endif
