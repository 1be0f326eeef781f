/* C API of --weight-format (weight_format.test): a bf16 build defaults to the
 * bf16 weights, _set_weight_format switches to f32 and back (the same bits as
 * before), and rejects an unknown format. */
#include "tabular.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  tabular_session *s = tabular_create();
  if (argc < 2 || !s || tabular_load(s, argv[1])) {
    printf("load failed: %s\n", tabular_last_error());
    return 1;
  }
  static float x[3 * tabular_INPUT_SIZE], a[3 * tabular_OUTPUT_SIZE], b[3 * tabular_OUTPUT_SIZE];
  for (int i = 0; i < 3 * tabular_INPUT_SIZE; ++i) x[i] = (float)(i % 13) / 6.0f - 1.0f;
  tabular_reconstruct(s, x, 3, a);
  printf("bf16 build: %d\n", tabular_WEIGHT_FORMAT_BF16);
  printf("f32 rc=%d\n", tabular_set_weight_format(s, "f32"));
  tabular_reconstruct(s, x, 3, b);
  printf("f32 differs from bf16: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  printf("bad rc=%d: %s\n", tabular_set_weight_format(s, "fp8"), tabular_last_error());
  printf("bf16 rc=%d\n", tabular_set_weight_format(s, "bf16"));
  tabular_reconstruct(s, x, 3, b);
  printf("bf16 again identical: %s\n", memcmp(a, b, sizeof a) ? "no" : "yes");
  tabular_destroy(s);
  return 0;
}
