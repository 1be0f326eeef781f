/* ThreadSanitizer workload (scripts/test-sanitized.sh --tsan): the thread
 * pool under concurrent callers, and two sessions of one model trained and
 * used from two threads at once while the pool is shared. Built together
 * with the runtime sources and a model (MODEL: a reference model or an
 * `aec build --emit=obj` object). Prints "tsan workload: ok". */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "aec/runtime.h"

extern const aec_model MODEL;

static atomic_llong g_sum;

static void add_range(void *ctx, int64_t b, int64_t e) {
  int64_t *out = (int64_t *)ctx;
  for (int64_t i = b; i < e; ++i) out[i] += i; /* disjoint chunks: no race */
  atomic_fetch_add(&g_sum, e - b);
}

static void *pool_user(void *arg) {
  (void)arg;
  int64_t *v = calloc(4096, sizeof *v);
  for (int r = 0; r < 200; ++r) aec_rt_parallel_for(add_range, v, 4096, 64);
  for (int64_t i = 0; i < 4096; ++i)
    if (v[i] != 200 * i) { fprintf(stderr, "pool: wrong result at %lld\n", (long long)i); exit(1); }
  free(v);
  return NULL;
}

static void *session_user(void *arg) {
  const aec_model *m = &MODEL;
  int64_t n = 256, in = m->input_size, code = m->code_size; /* enough to split over the pool */
  float *x = malloc(sizeof(float) * (size_t)(n * in)), *c = malloc(sizeof(float) * (size_t)(n * code));
  for (int64_t i = 0; i < n * in; ++i) x[i] = (float)((i * 2654435761u + (uintptr_t)arg) % 1000) / 1000.0f;
  aec_session *s = aec_rt_create(m);
  if (!s) { fprintf(stderr, "create: %s\n", aec_rt_last_error()); exit(1); }
  for (int step = 0; step < 20 && !m->inference_only; ++step) aec_rt_train_step(s, x, n);
  if (aec_rt_encode(s, x, n, c)) { fprintf(stderr, "encode: %s\n", aec_rt_last_error()); exit(1); }
  aec_rt_destroy(s);
  free(x);
  free(c);
  return NULL;
}

int main(void) {
  aec_rt_set_threads(3);
  pthread_t t[4];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, pool_user, NULL);
  for (int i = 2; i < 4; ++i) pthread_create(&t[i], NULL, session_user, (void *)(uintptr_t)i);
  pool_user(NULL); /* the main thread too */
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  aec_rt_set_threads(2); /* a resize between jobs */
  pool_user(NULL);
  printf("tsan workload: ok (%lld items)\n", (long long)atomic_load(&g_sum));
  return 0;
}
