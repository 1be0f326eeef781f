/* GEMM benchmark for the aec kernel library, emulating the code generator's
 * specialization: the kernel sources are included with every entry point
 * always_inline, and each wrapper below passes N, K and the strides as
 * literals (only the row range / batch rows are runtime values), then the
 * whole thing is compiled with clang-19 -O3 -march=native.
 *
 * Workload: the dense AE 784-512-128-32-128-512-784, batch 256:
 *   fwd   Y[256][out] = act(X[256][in] . W[in][out] + b)          aec_gemm
 *   dX    dX[256][in] = (dZ[256][out] . W^T) * act'(Yprev)       aec_gemm transB
 *   dW    dW[in][out] += X^T . dZ (accumulate, as the code generator)  aec_gemm_tn
 * Prints GFLOP/s per form and shape with 1 and 2 threads (rows split like
 * aec_rt_parallel_for would). */
#include "../kernel_bench.h"
#include "../../compiler/kernels/aec_elementwise.c"
#include "../../compiler/kernels/aec_optimizer.c"
#include "../../compiler/kernels/aec_gemm.c"
#include "../../compiler/kernels/aec_gemm_tn.c"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BATCH 256

typedef void (*range_fn)(int64_t b, int64_t e, void *ctx);

struct bufs {
  float *X, *W, *b, *Y, *dZ, *dX, *Yp, *dW;
};

#define LAYER(IN, OUT, ACT)                                                                   \
  static __attribute__((noinline)) void fwd_##IN##_##OUT(int64_t m0, int64_t m1, void *p) {   \
    struct bufs *q = p;                                                                       \
    aec_gemm(m0, m1, OUT, IN, q->X, IN, q->W, OUT, 0, q->Y, OUT, 0, q->b, ACT, 0, 0, 0);       \
  }                                                                                           \
  static __attribute__((noinline)) void dx_##IN##_##OUT(int64_t m0, int64_t m1, void *p) {    \
    struct bufs *q = p;                                                                       \
    aec_gemm(m0, m1, IN, OUT, q->dZ, OUT, q->W, OUT, 1, q->dX, IN, 0, 0, 0, q->Yp, IN, 1);     \
  }                                                                                           \
  static __attribute__((noinline)) void dw_##IN##_##OUT(int64_t k0, int64_t k1, void *p) {    \
    struct bufs *q = p;                                                                       \
    aec_gemm_tn(k0, k1, OUT, rows_runtime, q->X, IN, q->dZ, OUT, q->dW, OUT, 1.0f, 1);        \
  }

static volatile int64_t rows_volatile = BATCH;

/* Elementwise kernels on the workload's largest tensors (constant sizes). */
#define ELEMS (BATCH * 784)
#define PARAMS 1149712 /* weights + biases of 784-512-128-32-128-512-784 */
struct ew {
  float *x, *y, *z, *dz, *p, *g, *m, *v;
};
static __attribute__((noinline)) void ew_sigmoid(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  aec_act_forward(b, e, q->x, q->y, 3);
}
static __attribute__((noinline)) void ew_tanh(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  aec_act_forward(b, e, q->x, q->y, 4);
}
static __attribute__((noinline)) void ew_relu_bwd(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  aec_act_backward(b, e, q->y, q->dz, q->g, 1);
}
static __attribute__((noinline)) void ew_noise(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  aec_noise(b, e, q->x, q->y, 1, 0.1f, 0.0f, 1.0f, 42);
}
static __attribute__((noinline)) void ew_bce(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  static volatile double sink;
  sink += aec_loss(b, e, 784, q->y, q->z, q->x, q->dz, 1, 3, 1.0f / BATCH, 0);
}
static __attribute__((noinline)) void ew_adam(int64_t b, int64_t e, void *p) {
  struct ew *q = p;
  aec_adam(b, e, q->p, q->g, q->m, q->v, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-5f, 10);
}
static int64_t rows_runtime = BATCH;

LAYER(784, 512, 1)
LAYER(512, 128, 1)
LAYER(128, 32, 0)
LAYER(32, 128, 1)
LAYER(128, 512, 1)
LAYER(512, 784, 3)

/* ---- a one-worker pool: the caller runs [0, mid), the worker [mid, n) ---- */
static struct {
  _Atomic int64_t gen, done;
  void (*fn)(int64_t, int64_t, void *);
  void *ctx;
  int64_t mid, n;
} pool;

static void *worker(void *arg) {
  (void)arg;
  int64_t seen = 0;
  for (;;) {
    int64_t g;
    for (int spins = 0; (g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen;)
      if (++spins < 4096)
        __builtin_ia32_pause();
      else
        sched_yield(); /* the machine may be oversubscribed */
    seen = g;
    if (!pool.fn)
      return 0;
    pool.fn(pool.mid, pool.n, pool.ctx);
    atomic_store_explicit(&pool.done, g, memory_order_release);
  }
}

static void run2(void (*fn)(int64_t, int64_t, void *), void *ctx, int64_t n, int64_t align) {
  int64_t mid = (n / 2 + align - 1) / align * align;
  pool.fn = fn;
  pool.ctx = ctx;
  pool.mid = mid;
  pool.n = n;
  int64_t g = atomic_fetch_add_explicit(&pool.gen, 1, memory_order_acq_rel) + 1;
  fn(0, mid, ctx);
  for (int spins = 0; atomic_load_explicit(&pool.done, memory_order_acquire) != g;)
    if (++spins < 4096)
      __builtin_ia32_pause();
    else
      sched_yield();
}

/* With one thread, CPU time of the calling thread: the machine is shared, and
 * wall time would measure the other processes. Two threads: wall time. */
static int use_thread_clock;
static double now(void) {
  struct timespec ts;
  clock_gettime(use_thread_clock ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* AEC_BENCH_HUGEPAGES=1: back buffers with transparent huge pages (fewer TLB
 * misses on the strided row walks of the weight-gradient GEMM). */
static float *randbuf(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  float *p;
  const char *huge = getenv("AEC_BENCH_HUGEPAGES");
  if (huge && huge[0] == '1') {
    bytes = (bytes + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    p = aligned_alloc(2u << 20, bytes);
    madvise(p, bytes, MADV_HUGEPAGE);
  } else {
    p = aligned_alloc(64, bytes);
  }
  for (size_t i = 0; i < n; ++i)
    p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

/* Seconds per call (best of 15 runs of >= 10 ms). */
static double timeit(void (*fn)(int64_t, int64_t, void *), void *ctx, int64_t n, int threads,
                     int64_t align) {
  double best = 1e9;
  for (int rep = 0; rep < 15; ++rep) {
    use_thread_clock = threads == 1;
    int64_t iters = 0;
    double t0 = now(), t;
    do {
      if (threads == 1)
        fn(0, n, ctx);
      else
        run2(fn, ctx, n, align);
      ++iters;
    } while ((t = now() - t0) < 0.01);
    if (t / iters < best)
      best = t / iters;
  }
  return best;
}

int main(int argc, char **argv) {
  int only1 = argc > 1 && strcmp(argv[1], "-1") == 0;
  rows_runtime = rows_volatile;
  pthread_t th;
  pthread_create(&th, 0, worker, 0);
  struct {
    int in, out;
    void (*fwd)(int64_t, int64_t, void *), (*dx)(int64_t, int64_t, void *),
        (*dw)(int64_t, int64_t, void *);
  } layers[] = {{784, 512, fwd_784_512, dx_784_512, dw_784_512},
                {512, 128, fwd_512_128, dx_512_128, dw_512_128},
                {128, 32, fwd_128_32, dx_128_32, dw_128_32},
                {32, 128, fwd_32_128, dx_32_128, dw_32_128},
                {128, 512, fwd_128_512, dx_128_512, dw_128_512},
                {512, 784, fwd_512_784, dx_512_784, dw_512_784}};
  printf("aec kernels, AEC_VW=%d (MR=%d, NR=%d), batch %d; GFLOP/s\n", AEC_VW, AEC_MR, AEC_NR,
         BATCH);
  printf("%-10s %8s %8s %8s %8s %8s %8s\n", "layer", "fwd1", "dX1", "dW1", "fwd2", "dX2", "dW2");
  double total_s[2] = {0, 0}, total_flop = 0;
  for (int l = 0; l < 6; ++l) {
    int in = layers[l].in, out = layers[l].out;
    struct bufs q = {randbuf((size_t)BATCH * in), randbuf((size_t)in * out), randbuf(out),
                     randbuf((size_t)BATCH * out), randbuf((size_t)BATCH * out),
                     randbuf((size_t)BATCH * in), randbuf((size_t)BATCH * in),
                     randbuf((size_t)in * out)};
    double flop = 2.0 * BATCH * in * out;
    double g[2][3];
    for (int t = 0; t < (only1 ? 1 : 2); ++t) {
      double sf = timeit(layers[l].fwd, &q, BATCH, t + 1, AEC_MR);
      double sx = timeit(layers[l].dx, &q, BATCH, t + 1, AEC_MR);
      double sw = timeit(layers[l].dw, &q, in, t + 1, AEC_MR);
      g[t][0] = flop / sf * 1e-9;
      g[t][1] = flop / sx * 1e-9;
      g[t][2] = flop / sw * 1e-9;
      /* A training step runs fwd + dW for every layer, dX for all but the first. */
      total_s[t] += sf + sw + (l > 0 ? sx : 0);
    }
    total_flop += flop * (l > 0 ? 3 : 2);
    char name[32];
    snprintf(name, sizeof name, "%d-%d", in, out);
    if (only1)
      printf("%-10s %8.1f %8.1f %8.1f\n", name, g[0][0], g[0][1], g[0][2]);
    else
      printf("%-10s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", name, g[0][0], g[0][1], g[0][2],
             g[1][0], g[1][1], g[1][2]);
  }
  {
    /* Batch-1 inference: the six forward GEMMs with one row (GEMV). */
    double total1 = 0;
    for (int l = 0; l < 6; ++l) {
      int in = layers[l].in, out = layers[l].out;
      struct bufs q = {randbuf((size_t)in), randbuf((size_t)in * out), randbuf(out),
                       randbuf((size_t)out), 0, 0, 0, 0};
      total1 += timeit(layers[l].fwd, &q, 1, 1, AEC_MR);
    }
    printf("batch-1 forward (6 GEMV + bias + act, 1 thread, weights in cache): %.1f us\n",
           total1 * 1e6);
  }
  {
    struct ew q = {randbuf(ELEMS), randbuf(ELEMS), randbuf(ELEMS), randbuf(ELEMS),
                   randbuf(PARAMS), randbuf(PARAMS), randbuf(PARAMS), randbuf(PARAMS)};
    for (int64_t i = 0; i < PARAMS; ++i)
      q.v[i] = q.v[i] * q.v[i];
    for (int64_t i = 0; i < ELEMS; ++i)
      q.x[i] += 0.5f, q.y[i] = 1.0f / (1.0f + __builtin_expf(-q.z[i]));
    struct {
      const char *name;
      void (*fn)(int64_t, int64_t, void *);
      int64_t n, elems;
    } ew[] = {{"sigmoid fwd", ew_sigmoid, ELEMS, ELEMS},  {"tanh fwd", ew_tanh, ELEMS, ELEMS},
              {"relu bwd", ew_relu_bwd, ELEMS, ELEMS},    {"noise gauss", ew_noise, ELEMS, ELEMS},
              {"bce loss+dZ", ew_bce, BATCH, ELEMS},      {"adam", ew_adam, PARAMS, PARAMS}};
    printf("elementwise (1 thread): ");
    for (int i = 0; i < 6; ++i) {
      double sec = timeit(ew[i].fn, &q, ew[i].n, 1, 64);
      printf("%s %.2f ns/elem (%.0f us)%s", ew[i].name, sec / ew[i].elems * 1e9, sec * 1e6,
             i < 5 ? "; " : "\n");
    }
  }
  for (int t = 0; t < (only1 ? 1 : 2); ++t)
    printf("training-step GEMMs, %d thread(s): %.3f ms/batch, %.1f GFLOP/s, "
           "GEMM-only bound %.0f samples/s\n",
           t + 1, total_s[t] * 1e3, total_flop / total_s[t] * 1e-9, BATCH / total_s[t]);
  pool.fn = 0;
  atomic_fetch_add(&pool.gen, 1);
  pthread_join(th, 0);
  return 0;
}
