/* Reconstructs rows through an --inference-only library of Inputs/small.ae:
 *   infer_small WEIGHTS.aew ROWS IN.f32 OUT.f32   (raw float32, [ROWS][64]) */
#include "small.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  const int64_t n = atoll(argv[2]);
  float *x = malloc(sizeof(float) * n * small_INPUT_SIZE);
  float *y = malloc(sizeof(float) * n * small_OUTPUT_SIZE);
  FILE *in = fopen(argv[3], "rb");
  if (!x || !y || !in || fread(x, sizeof(float), n * small_INPUT_SIZE, in) != (size_t)(n * small_INPUT_SIZE))
    return 2;
  fclose(in);
  small_session *s = small_create();
  if (!s || small_load(s, argv[1]) != 0 || small_reconstruct(s, x, n, y) != 0) {
    fprintf(stderr, "infer_small: %s\n", small_last_error());
    return 1;
  }
  FILE *out = fopen(argv[4], "wb");
  if (!out || fwrite(y, sizeof(float), n * small_OUTPUT_SIZE, out) != (size_t)(n * small_OUTPUT_SIZE))
    return 2;
  fclose(out);
  small_destroy(s);
  free(x);
  free(y);
  return 0;
}
