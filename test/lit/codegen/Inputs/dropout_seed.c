/* Dropout draws its mask per step seed: accumulate with the same seed gives
 * the same objective, with another seed a different one; forward (inference)
 * has no dropout, so it is deterministic and equals a second forward. */
#include "aec/model_abi.h"

#include <stdio.h>
#include <stdlib.h>

extern const aec_model MODEL;

void aec_rt_parallel_for(void (*fn)(void *, int64_t, int64_t), void *ctx, int64_t n,
                         int64_t min_chunk) {
  (void)min_chunk;
  if (n > 0) fn(ctx, 0, n);
}

int main(void) {
  const aec_model *m = &MODEL;
  const int64_t n = m->max_batch;
  float *p = calloc(m->param_count, 4), *g = calloc(m->param_count, 4);
  float *ws = calloc(m->workspace_size, 4), *x = calloc(n * m->input_size, 4);
  for (int64_t i = 0; i < m->param_count; ++i) p[i] = (float)((i * 37 % 101) - 50) / 200.0f;
  for (int64_t i = 0; i < n * m->input_size; ++i) x[i] = (float)(i % 13) / 13.0f;
  float a = m->accumulate(p, g, ws, x, n, 1.0f, 7), b = m->accumulate(p, g, ws, x, n, 1.0f, 7);
  float c = m->accumulate(p, g, ws, x, n, 1.0f, 8);
  printf("same seed: %s\n", a == b ? "equal" : "different");
  printf("other seed: %s\n", a != c ? "different" : "equal");
  return a == b && a != c ? 0 : 1;
}
