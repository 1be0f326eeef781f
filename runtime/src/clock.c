/* Monotonic wall clock for progress and throughput. */
#include <time.h>

#include "rt_internal.h"

double aec_rt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
