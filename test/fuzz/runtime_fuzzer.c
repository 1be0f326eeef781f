/* libFuzzer targets for the runtime's readers (issue 9), one per reader,
 * chosen by AEC_FUZZ_READER at compile time (test/fuzz/CMakeLists.txt):
 *   npy, idx, csv, raw  the in-memory parsers (+ the range check), fed as is
 *   gzip                the bounded reader on a file: the input is written
 *                       to disk and loaded as a data set (any format, by magic)
 *   aew                 checkpoints: the input is a checkpoint *body*; the
 *                       target adds header and a valid CRC (or the fuzzer
 *                       would only ever test the checksum), then loads it into
 *                       a session of the reference model ref_ae
 * Every path must end in 0 or an error, never a crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ref_model.h"
#include "rt_internal.h"

#define NPY 1
#define IDX 2
#define CSV 3
#define RAW 4
#define GZIP 5
#define AEW 6

static char g_path[256];

static const char *scratch(const char *ext) {
  snprintf(g_path, sizeof g_path, "%s/aec-rt-fuzz-%d%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
           (int)getpid(), ext);
  return g_path;
}

static void write_file(const char *path, const void *a, size_t na, const void *b, size_t nb, const void *c,
                       size_t nc) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (na) fwrite(a, 1, na, f);
  if (nb) fwrite(b, 1, nb, f);
  if (nc) fwrite(c, 1, nc, f);
  fclose(f);
}

static void check_dataset(int rc, aec_dataset *d) {
  if (!rc) aec_data_check_range("fuzz", d, 0.0f, 1.0f, "the fuzz model's input");
  aec_data_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aec_dataset d;
  memset(&d, 0, sizeof d);
#if AEC_FUZZ_READER == NPY || AEC_FUZZ_READER == IDX || AEC_FUZZ_READER == CSV || AEC_FUZZ_READER == RAW
  /* The parsers get what the reader gives them: a NUL-terminated copy. */
  unsigned char *buf = malloc(size + 1);
  memcpy(buf, data, size);
  buf[size] = '\0';
  int64_t sample = 1 + (size ? data[0] % 32 : 0);
#if AEC_FUZZ_READER == NPY
  uint64_t total;
  size_t more;
  if (aec_data_is_npy(buf, size)) aec_data_probe((void *)"npy", "fuzz.npy", buf, size, 1, &total, &more);
  check_dataset(aec_data_is_npy(buf, size) ? aec_data_parse_npy("fuzz.npy", buf, size, &d) : 1, &d);
#elif AEC_FUZZ_READER == IDX
  uint64_t total;
  size_t more;
  if (aec_data_is_idx(buf, size)) aec_data_probe((void *)"idx", "fuzz.idx", buf, size, 1, &total, &more);
  check_dataset(aec_data_is_idx(buf, size) ? aec_data_parse_idx("fuzz.idx", buf, size, &d) : 1, &d);
#elif AEC_FUZZ_READER == CSV
  check_dataset(aec_data_parse_csv("fuzz.csv", buf, size, sample, &d), &d);
#else
  check_dataset(aec_data_parse_raw("fuzz.f32", buf, size, sample, &d), &d);
#endif
  free(buf);
#elif AEC_FUZZ_READER == GZIP
  const char *path = scratch(".gz");
  write_file(path, data, size, NULL, 0, NULL, 0);
  check_dataset(aec_data_load(path, 16, "the fuzz model's input", &d), &d);
  unlink(path);
#elif AEC_FUZZ_READER == AEW
  unsigned char head[16] = {'A', 'E', 'W', '1', 1, 0, 0, 0};
  uint64_t body = size;
  memcpy(head + 8, &body, 8);
  uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
  const char *path = scratch(".aew");
  write_file(path, head, sizeof head, data, size, &crc, 4);
  aec_session *s = aec_rt_create(&ref_ae_model);
  if (!s) abort();
  if (aec_rt_load(s, path) == 0) { /* accepted: it must be usable */
    float x[16] = {0}, out[16];
    if (aec_rt_reconstruct(s, x, 1, out)) abort();
  }
  aec_rt_destroy(s);
  unlink(path);
#else
#error "AEC_FUZZ_READER must be one of npy idx csv raw gzip aew"
#endif
  return 0;
}
