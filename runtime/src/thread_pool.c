/* A small persistent thread pool behind aec_rt_parallel_for. Work [0, n) is
 * cut into chunks whose boundaries depend only on (n, min_chunk, thread
 * count), so results are reproducible for a given thread count. The caller
 * takes part in the work; nested or concurrent calls run inline. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt_internal.h"

#define AEC_MAX_THREADS 256

typedef struct job {
  void (*fn)(void *, int64_t, int64_t);
  void *ctx;
  int64_t n, chunk, nchunks;
} job;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;
static int g_threads = 0;  /* configured total (caller included); 0 = not set yet */
static int g_workers = 0;  /* started worker threads */
static pthread_t g_tids[AEC_MAX_THREADS];
static job g_job;
static uint64_t g_generation = 0;
static atomic_llong g_next;    /* next chunk index */
static int g_active = 0;       /* workers still in the current job */
static _Thread_local int t_in_pool = 0;

static void run_chunks(const job *j) {
  for (;;) {
    long long c = atomic_fetch_add(&g_next, 1);
    if (c >= j->nchunks) break;
    int64_t b = c * j->chunk, e = b + j->chunk;
    if (e > j->n) e = j->n;
    j->fn(j->ctx, b, e);
  }
}

static void *worker(void *arg) {
  (void)arg;
  t_in_pool = 1;
  uint64_t seen = 0;
  pthread_mutex_lock(&g_mu);
  for (;;) {
    while (g_generation == seen) pthread_cond_wait(&g_wake, &g_mu);
    seen = g_generation;
    job j = g_job;
    pthread_mutex_unlock(&g_mu);
    run_chunks(&j);
    pthread_mutex_lock(&g_mu);
    if (--g_active == 0) pthread_cond_signal(&g_done);
  }
  return NULL;
}

static int default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > AEC_MAX_THREADS) n = AEC_MAX_THREADS;
  return (int)n;
}

int aec_rt_set_threads(int n) {
  if (n <= 0) n = default_threads();
  if (n > AEC_MAX_THREADS) n = AEC_MAX_THREADS;
  pthread_mutex_lock(&g_lock);
  g_threads = n;
  pthread_mutex_unlock(&g_lock);
  return 0;
}

int aec_rt_get_threads(void) {
  pthread_mutex_lock(&g_lock);
  if (g_threads == 0) g_threads = default_threads();
  int n = g_threads;
  pthread_mutex_unlock(&g_lock);
  return n;
}

void aec_rt_parallel_for(void (*fn)(void *ctx, int64_t begin, int64_t end), void *ctx,
                         int64_t n, int64_t min_chunk) {
  if (n <= 0) return;
  if (min_chunk < 1) min_chunk = 1;
  if (t_in_pool || pthread_mutex_trylock(&g_lock) != 0) { /* nested or concurrent */
    fn(ctx, 0, n);
    return;
  }
  if (g_threads == 0) g_threads = default_threads();
  int threads = g_threads;
  int64_t nchunks = n / min_chunk;
  if (nchunks > threads) nchunks = threads;
  if (threads <= 1 || nchunks <= 1) {
    pthread_mutex_unlock(&g_lock);
    fn(ctx, 0, n);
    return;
  }
  /* Start missing workers lazily (caller is one of the `threads`). */
  while (g_workers < threads - 1) {
    if (pthread_create(&g_tids[g_workers], NULL, worker, NULL) != 0) break;
    pthread_detach(g_tids[g_workers]);
    ++g_workers;
  }
  int helpers = g_workers < threads - 1 ? g_workers : threads - 1;
  if (helpers == 0) {
    pthread_mutex_unlock(&g_lock);
    fn(ctx, 0, n);
    return;
  }
  int64_t chunk = (n + nchunks - 1) / nchunks;
  job j = {fn, ctx, n, chunk, (n + chunk - 1) / chunk};
  pthread_mutex_lock(&g_mu);
  g_job = j;
  atomic_store(&g_next, 0);
  g_active = g_workers; /* every started worker wakes; extra ones find no chunk */
  ++g_generation;
  pthread_cond_broadcast(&g_wake);
  pthread_mutex_unlock(&g_mu);

  t_in_pool = 1;
  run_chunks(&j);
  t_in_pool = 0;

  pthread_mutex_lock(&g_mu);
  while (g_active > 0) pthread_cond_wait(&g_done, &g_mu);
  pthread_mutex_unlock(&g_mu);
  pthread_mutex_unlock(&g_lock);
}
