/* The .npy header dict parser (data_npy_header.c). */
#ifndef AEC_RT_DATA_NPY_HEADER_H
#define AEC_RT_DATA_NPY_HEADER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AEC_NPY_MAX_RANK 16

typedef struct aec_npy_header {
  char descr[16];
  int fortran_order;
  int rank;
  int64_t shape[AEC_NPY_MAX_RANK];
} aec_npy_header;

/* Parses text[0, len) (the dict, padding spaces and the final '\n'
 * included); 0 on success, else 1 with a message in err. */
int aec_npy_parse_header(const char *text, size_t len, aec_npy_header *h, char *err, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
