/* Reconstructs one sample with the embedded model. */
#include "tiny.h"

#include <stdio.h>

int main(void) {
  float x[tiny_INPUT_SIZE], y[tiny_OUTPUT_SIZE];
  for (int i = 0; i < tiny_INPUT_SIZE; ++i) x[i] = (float)(i % 2);
  tiny_session *s = tiny_create();
  if (!s || tiny_reconstruct(s, x, 1, y) != 0) {
    printf("error: %s\n", tiny_last_error());
    return 1;
  }
  int ok = 1;
  for (int i = 0; i < tiny_OUTPUT_SIZE; ++i) ok &= y[i] > 0.0f && y[i] < 1.0f;
  printf("tiny: input %d code %d params %d reconstruct %s\n", tiny_INPUT_SIZE, tiny_CODE_SIZE,
         tiny_PARAM_COUNT, ok ? "ok" : "out of range");
  tiny_destroy(s);
  return ok ? 0 : 1;
}
