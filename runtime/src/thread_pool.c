/* A small persistent thread pool behind aec_rt_parallel_for.
 *
 * Determinism: work [0, n) is cut into chunks whose boundaries depend only on
 * (n, min_chunk, thread count), never on timing; which thread runs a chunk
 * does not matter because chunks write disjoint outputs. So results are
 * bit-identical for a given thread count.
 *
 * Latency: a training step issues ~25 calls of 0.05-5 ms each, so the
 * hand-off cost matters. Workers spin on the job generation for a while
 * (AEC_SPIN_US, default 50 us: enough to bridge the serial bits between the
 * ops of a step; 1 ms measured worse when other processes share the cores)
 * before sleeping on a condition variable, and the caller signals it only
 * when somebody actually sleeps. The caller takes part: chunks are claimed
 * dynamically from a word tagged with the job's generation, so a worker
 * that wakes late (descheduled by another process) finds nothing left and the
 * caller never waits for it — only for chunks that were actually claimed.
 * Cache affinity: with up to 32 chunks the word is a bitmask and each party
 * (caller 0, worker i: i) claims chunk `party` first when it is still free,
 * so the same thread runs the same part of a layer call after call and its
 * core keeps that part of the weights in its own L2 (batch-1 inference
 * streams ~1-4 MB of weights per call, issue 13.4); then any free chunk.
 * Nested or concurrent calls run inline. Workers are joined by a destructor
 * (process exit, dlclose of a shared model library).
 *
 * Shared words written by different parties sit on their own cache lines. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rt_internal.h"

/* Chunks per thread. 2 or 4 would let the others cover for a delayed thread
 * but every GEMM chunk re-packs all of B; on the 784-512-128-32 MLP (batch
 * 256, 2 threads) 1, 2 and 4 measured the same within noise, so 1. */
#define AEC_CHUNKS_PER_THREAD 1
/* Default spin before sleeping (workers between jobs; caller waiting for the
 * last chunk). Override with AEC_SPIN_US (0 = sleep at once). */
#define AEC_SPIN_NS_DEFAULT 50000LL
/* Kernels keep up to 64 KB of panels on the stack. */
#define AEC_WORKER_STACK (4u << 20)

typedef void (*chunk_fn)(void *, int64_t, int64_t);

#define CL 64
/* Published job, a seqlock: the generation is odd while the caller rewrites
 * the fields and even once the job is complete; a worker copies the fields
 * and re-checks the generation (fields are relaxed atomics, so a late worker
 * reading a job being replaced is no data race; it just retries). */
static _Alignas(CL) struct {
  atomic_ullong generation;
  _Atomic(chunk_fn) fn;
  _Atomic(void *) ctx;
  atomic_llong n, nchunks;
} g_pub;
/* (generation & 0xffffffff) << 32 | the claimed chunks' bits (nchunks <= 32)
 * or the next chunk index. */
static _Alignas(CL) atomic_ullong g_claim;
static _Alignas(CL) atomic_llong g_done;      /* chunks finished in this job */
static _Alignas(CL) atomic_int g_sleepers;    /* workers blocked on g_wake */
static _Alignas(CL) atomic_int g_caller_waits; /* caller blocked on g_done_cv */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_done_cv = PTHREAD_COND_INITIALIZER;
static int g_threads = 0; /* configured total (caller included); 0 = not set yet */
static int g_workers = 0; /* started worker threads */
static pthread_t g_tids[AEC_MAX_THREADS];
static atomic_int g_stop;  /* set by pool_shutdown: workers return */
static atomic_llong g_spin_ns = -1; /* racing first readers compute the same value */
static _Thread_local int t_in_pool = 0;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long spin_ns(void) {
  long long v = atomic_load_explicit(&g_spin_ns, memory_order_relaxed);
  if (v < 0) {
    const char *s = getenv("AEC_SPIN_US");
    v = s && *s ? atoll(s) * 1000LL : AEC_SPIN_NS_DEFAULT;
    if (v < 0) v = 0;
    atomic_store_explicit(&g_spin_ns, v, memory_order_relaxed);
  }
  return v;
}

/* Chunk c of nchunks over [0, n): sizes differ by at most one unit. */
static inline void chunk_range(int64_t n, int64_t nchunks, int64_t c, int64_t *b, int64_t *e) {
  int64_t q = n / nchunks, r = n % nchunks;
  *b = c * q + (c < r ? c : r);
  *e = *b + q + (c < r ? 1 : 0);
}

/* Claims and runs chunks of job `gen` until none is left or the job is gone. */
static void run_chunks(uint64_t gen, chunk_fn fn, void *ctx, int64_t n, int64_t nchunks,
                       int party) {
  const unsigned long long tag = (unsigned long long)(gen & 0xffffffffu) << 32;
  const uint32_t all = nchunks >= 32 ? 0xffffffffu : (1u << nchunks) - 1;
  unsigned long long cur = atomic_load_explicit(&g_claim, memory_order_relaxed);
  for (;;) {
    if ((cur & 0xffffffff00000000ull) != tag) return;
    int64_t c = (int64_t)(cur & 0xffffffffu);
    unsigned long long next = cur + 1;
    if (nchunks <= 32) {
      const uint32_t open = all & ~(uint32_t)cur;
      if (!open) return;
      c = party < nchunks && (open >> party & 1) ? party : __builtin_ctz(open);
      next = cur | 1ull << c;
    } else if (c >= nchunks) {
      return;
    }
    if (!atomic_compare_exchange_weak_explicit(&g_claim, &cur, next, memory_order_acquire,
                                               memory_order_relaxed))
      continue;
    int64_t b, e;
    chunk_range(n, nchunks, c, &b, &e);
    fn(ctx, b, e);
    long long d = atomic_fetch_add(&g_done, 1) + 1; /* seq_cst: pairs with the caller */
    if (d == nchunks && atomic_load(&g_caller_waits)) {
      pthread_mutex_lock(&g_mu);
      pthread_cond_signal(&g_done_cv);
      pthread_mutex_unlock(&g_mu);
    }
    cur = atomic_load_explicit(&g_claim, memory_order_relaxed);
  }
}

static void *worker(void *arg) {
  const int party = (int)(intptr_t)arg;
  t_in_pool = 1;
  uint64_t seen = atomic_load(&g_pub.generation) & ~1ull;
  for (;;) {
    if (atomic_load(&g_stop)) return NULL;
    uint64_t gen = atomic_load_explicit(&g_pub.generation, memory_order_acquire);
    if (gen == seen || (gen & 1)) {
      long long budget = spin_ns(), t0 = budget > 0 ? now_ns() : 0;
      for (unsigned i = 1; budget > 0; ++i) {
        cpu_relax();
        gen = atomic_load_explicit(&g_pub.generation, memory_order_acquire);
        if (gen != seen && !(gen & 1)) break;
        if ((i & 255) == 0 && (now_ns() - t0 > budget || atomic_load(&g_stop))) break;
      }
      if (gen == seen || (gen & 1)) {
        pthread_mutex_lock(&g_mu);
        atomic_fetch_add(&g_sleepers, 1); /* seq_cst: pairs with the caller's */
        for (;;) {
          gen = atomic_load(&g_pub.generation);
          if ((gen != seen && !(gen & 1)) || atomic_load(&g_stop)) break;
          pthread_cond_wait(&g_wake, &g_mu);
        }
        atomic_fetch_sub(&g_sleepers, 1);
        pthread_mutex_unlock(&g_mu);
        if (atomic_load(&g_stop)) return NULL;
      }
    }
    chunk_fn fn = atomic_load_explicit(&g_pub.fn, memory_order_relaxed);
    void *ctx = atomic_load_explicit(&g_pub.ctx, memory_order_relaxed);
    int64_t n = atomic_load_explicit(&g_pub.n, memory_order_relaxed);
    int64_t nchunks = atomic_load_explicit(&g_pub.nchunks, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&g_pub.generation, memory_order_relaxed) != gen) continue; /* torn */
    seen = gen;
    run_chunks(gen, fn, ctx, n, nchunks, party);
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

static void start_workers(int want) {
  pthread_attr_t attr;
  int have_attr = pthread_attr_init(&attr) == 0;
  if (have_attr) {
    size_t cur = 0;
    if (pthread_attr_getstacksize(&attr, &cur) != 0 || cur < AEC_WORKER_STACK)
      pthread_attr_setstacksize(&attr, AEC_WORKER_STACK);
  }
  while (g_workers < want) {
    if (pthread_create(&g_tids[g_workers], have_attr ? &attr : NULL, worker,
                       (void *)(intptr_t)(g_workers + 1)) != 0)
      break;
    ++g_workers;
  }
  if (have_attr) pthread_attr_destroy(&attr);
}

void aec_rt_parallel_for(void (*fn)(void *ctx, int64_t begin, int64_t end), void *ctx,
                         int64_t n, int64_t min_chunk) {
  if (n <= 0) return;
  if (min_chunk < 1) min_chunk = 1;
  /* Too little work for a hand-off (min_chunk is the smallest chunk worth
   * one): run inline, before taking any lock -- a small model's step makes
   * ~25 such calls. One chunk is what any thread count gives, so the result
   * is the same bits. */
  if (n / min_chunk <= 1) {
    fn(ctx, 0, n);
    return;
  }
  if (t_in_pool || atomic_load(&g_stop) || pthread_mutex_trylock(&g_lock) != 0) { /* nested, concurrent, or shut down */
    fn(ctx, 0, n);
    return;
  }
  if (g_threads == 0) g_threads = default_threads();
  int threads = g_threads;
  /* One thread: run inline. */
  int64_t nchunks = n / min_chunk;
  if (threads <= 1) {
    pthread_mutex_unlock(&g_lock);
    fn(ctx, 0, n);
    return;
  }
  if (nchunks > (int64_t)threads * AEC_CHUNKS_PER_THREAD)
    nchunks = (int64_t)threads * AEC_CHUNKS_PER_THREAD;
  if (g_workers < threads - 1) start_workers(threads - 1);
  if (g_workers == 0) {
    pthread_mutex_unlock(&g_lock);
    fn(ctx, 0, n);
    return;
  }

  uint64_t gen = atomic_load_explicit(&g_pub.generation, memory_order_relaxed) + 2;
  atomic_store_explicit(&g_pub.generation, gen - 1, memory_order_relaxed); /* odd: writing */
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&g_pub.fn, fn, memory_order_relaxed);
  atomic_store_explicit(&g_pub.ctx, ctx, memory_order_relaxed);
  atomic_store_explicit(&g_pub.n, n, memory_order_relaxed);
  atomic_store_explicit(&g_pub.nchunks, nchunks, memory_order_relaxed);
  atomic_store_explicit(&g_done, 0, memory_order_relaxed);
  atomic_store_explicit(&g_claim, (gen & 0xffffffffu) << 32, memory_order_relaxed);
  atomic_store(&g_pub.generation, gen); /* even, seq_cst: publish, then look for sleepers */
  if (atomic_load(&g_sleepers) > 0) {
    pthread_mutex_lock(&g_mu);
    pthread_cond_broadcast(&g_wake);
    pthread_mutex_unlock(&g_mu);
  }

  t_in_pool = 1;
  run_chunks(gen, fn, ctx, n, nchunks, 0);
  t_in_pool = 0;

  /* Every chunk is claimed now (run_chunks returned); wait for the ones
   * other threads are still running. */
  if (atomic_load_explicit(&g_done, memory_order_acquire) < nchunks) {
    long long budget = spin_ns(), t0 = budget > 0 ? now_ns() : 0;
    for (unsigned i = 1; budget > 0; ++i) {
      cpu_relax();
      if (atomic_load_explicit(&g_done, memory_order_acquire) >= nchunks) break;
      if ((i & 255) == 0 && now_ns() - t0 > budget) break;
    }
    if (atomic_load_explicit(&g_done, memory_order_acquire) < nchunks) {
      pthread_mutex_lock(&g_mu);
      atomic_store(&g_caller_waits, 1); /* seq_cst: pairs with the finisher's check */
      while (atomic_load(&g_done) < nchunks) pthread_cond_wait(&g_done_cv, &g_mu);
      atomic_store(&g_caller_waits, 0);
      pthread_mutex_unlock(&g_mu);
    }
  }
  pthread_mutex_unlock(&g_lock);
}

/* Joins the workers when the process exits or when a shared library that
 * holds this runtime is dlclose'd (their code would be unmapped under
 * them). A job in flight finishes first: its caller holds g_lock. Later
 * calls run inline. */
__attribute__((destructor)) static void pool_shutdown(void) {
  if (t_in_pool) return; /* exit() from inside a job: g_lock is ours */
  pthread_mutex_lock(&g_lock);
  atomic_store(&g_stop, 1);
  pthread_mutex_lock(&g_mu);
  pthread_cond_broadcast(&g_wake);
  pthread_mutex_unlock(&g_mu);
  for (int i = 0; i < g_workers; ++i) pthread_join(g_tids[i], NULL);
  g_workers = 0;
  pthread_mutex_unlock(&g_lock);
}
