/* A C program compiled against the generated header of `--emit=lib`:
 * create, train a few steps, encode/decode/reconstruct, layer output, save
 * and load; errors come back as status codes with a message.
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: aec build %S/Inputs/small.ae --emit=lib -o %t/libsmall.a
 * RUN: cc -std=c99 -Wall -Werror -I%t %s -L%t -lsmall -lz -lpng -lpthread -lm -o %t/capi
 * RUN: %t/capi %t/w.aew | FileCheck %s
 * CHECK: sizes 64 8 64
 * CHECK: train ok
 * CHECK: encode ok
 * CHECK: decode matches reconstruct
 * CHECK: layer ok
 * CHECK: save/load ok
 * CHECK: bad load rejected: {{.+}}
 */
#include "small.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 40

int main(int argc, char **argv) {
  static float x[N][small_INPUT_SIZE], codes[N][small_CODE_SIZE];
  static float rec[N][small_OUTPUT_SIZE], dec[N][small_OUTPUT_SIZE], rec2[N][small_OUTPUT_SIZE];
  static float hidden[N][small_LAYER_ENC1_SIZE];
  printf("sizes %d %d %d\n", small_INPUT_SIZE, small_CODE_SIZE, small_OUTPUT_SIZE);
  unsigned s = 1;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < small_INPUT_SIZE; ++j) {
      s = s * 1103515245u + 12345u;
      x[i][j] = ((j + i) % 8 < 4) ? 0.9f : 0.1f * (float)((s >> 16) % 100) / 100.0f;
    }
  small_session *m = small_create();
  if (!m) { printf("create failed: %s\n", small_last_error()); return 1; }
  float first = small_train_step(m, &x[0][0], N), last = first;
  for (int step = 0; step < 200; ++step) last = small_train_step(m, &x[0][0], N);
  if (!(last < first)) { printf("loss did not drop: %g -> %g\n", first, last); return 1; }
  printf("train ok\n");
  if (small_encode(m, &x[0][0], N, &codes[0][0]) != 0) return 1;
  printf("encode ok\n");
  if (small_decode(m, &codes[0][0], N, &dec[0][0]) != 0) return 1;
  if (small_reconstruct(m, &x[0][0], N, &rec[0][0]) != 0) return 1;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < small_OUTPUT_SIZE; ++j)
      if (fabsf(dec[i][j] - rec[i][j]) > 1e-5f) { printf("decode mismatch\n"); return 1; }
  printf("decode matches reconstruct\n");
  if (small_layer_output(m, small_LAYER_ENC1, &x[0][0], N, &hidden[0][0]) != 0) return 1;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < small_LAYER_ENC1_SIZE; ++j)
      if (hidden[i][j] < 0) { printf("relu output negative\n"); return 1; }
  printf("layer ok\n");
  if (small_save(m, argv[1]) != 0) { printf("save: %s\n", small_last_error()); return 1; }
  small_session *m2 = small_create();
  if (small_load(m2, argv[1]) != 0) { printf("load: %s\n", small_last_error()); return 1; }
  small_reconstruct(m2, &x[0][0], N, &rec2[0][0]);
  if (memcmp(rec, rec2, sizeof rec) != 0) { printf("reloaded model differs\n"); return 1; }
  printf("save/load ok\n");
  if (small_load(m2, "/nonexistent.aew") == 0) return 1;
  printf("bad load rejected: %s\n", small_last_error());
  small_destroy(m2);
  small_destroy(m);
  return 0;
}
