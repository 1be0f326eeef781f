/* Batch-1 reconstruct latency of the generated fashion_mlp library:
 * median over 2000 calls after 200 warm-up calls, as the PyTorch peer does.
 * usage: latency [weights.aew] [threads] */
#include "fashion_mlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  fashion_mlp_set_threads(threads);
  fashion_mlp_session *s = fashion_mlp_create();
  if (!s || (argc > 1 && fashion_mlp_load(s, argv[1]) != 0)) {
    fprintf(stderr, "latency: %s\n", fashion_mlp_last_error());
    return 1;
  }
  static float x[fashion_mlp_INPUT_SIZE], y[fashion_mlp_OUTPUT_SIZE];
  for (int i = 0; i < fashion_mlp_INPUT_SIZE; ++i) x[i] = (float)(i % 97) / 96.0f;
  enum { kWarmup = 200, kRuns = 2000 };
  static double t[kRuns];
  for (int i = 0; i < kWarmup; ++i) fashion_mlp_reconstruct(s, x, 1, y);
  for (int i = 0; i < kRuns; ++i) {
    double t0 = now_us();
    fashion_mlp_reconstruct(s, x, 1, y);
    t[i] = now_us() - t0;
  }
  qsort(t, kRuns, sizeof t[0], cmp_double);
  printf("threads=%d batch1_us=%.1f p90_us=%.1f\n", threads, t[kRuns / 2], t[kRuns * 9 / 10]);
  fashion_mlp_destroy(s);
  return 0;
}
