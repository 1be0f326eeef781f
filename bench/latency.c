/* Batch-1 reconstruct latency of a generated library (default fashion_mlp; bench/run.sh
 * builds it with -DAEC_MODEL=name -DAEC_HEADER='"name.h"'): median over `runs` calls (default
 * 2000) after 200 warm-up calls, as the PyTorch peer does.
 * usage: latency [weights.aew] [threads] [runs] */
#ifndef AEC_MODEL
#define AEC_MODEL fashion_mlp
#define AEC_HEADER "fashion_mlp.h"
#endif
#include AEC_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define AEC_CAT2(a, b) a##b
#define AEC_CAT(a, b) AEC_CAT2(a, b)
#define M(x) AEC_CAT(AEC_MODEL, x)

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
  M(_set_threads)(threads);
  M(_session) *s = M(_create)();
  if (!s || (argc > 1 && M(_load)(s, argv[1]) != 0)) {
    fprintf(stderr, "latency: %s\n", M(_last_error)());
    return 1;
  }
  static float x[M(_INPUT_SIZE)], y[M(_OUTPUT_SIZE)];
  for (int i = 0; i < M(_INPUT_SIZE); ++i) x[i] = (float)(i % 97) / 96.0f;
  enum { kWarmup = 200, kMaxRuns = 5000 };
  int kRuns = argc > 3 ? atoi(argv[3]) : 2000;
  if (kRuns < 1 || kRuns > kMaxRuns) kRuns = kMaxRuns;
  static double t[kMaxRuns];
  for (int i = 0; i < kWarmup; ++i) M(_reconstruct)(s, x, 1, y);
  for (int i = 0; i < kRuns; ++i) {
    double t0 = now_us();
    M(_reconstruct)(s, x, 1, y);
    t[i] = now_us() - t0;
  }
  qsort(t, kRuns, sizeof t[0], cmp_double);
  printf("threads=%d batch1_us=%.1f p90_us=%.1f\n", threads, t[kRuns / 2], t[kRuns * 9 / 10]);
  M(_destroy)(s);
  return 0;
}
