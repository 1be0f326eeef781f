/* aec_dist_* over MPI (see dist.h), linked by `aec build --distributed`.
 *
 * Only the calling (main) thread talks to MPI; the thread pool never does,
 * so MPI_THREAD_FUNNELED suffices. A watchdog thread turns a collective that
 * makes no progress for AEC_DIST_TIMEOUT seconds (default 300) into a clear
 * error and an exit of this rank (which makes the launcher end the job), so
 * a job whose peer vanished without the launcher noticing ends instead of
 * hanging. */
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dist.h"
#include "rt_internal.h"

static int g_rank = 0, g_size = 1, g_we_initialized = 0, g_ready = 0;
static double g_comm_seconds = 0;
static double g_timeout = 300;
static _Atomic double g_busy_since = 0; /* monotonic start of the collective in flight, 0 if none */

static void *watchdog(void *arg) {
  (void)arg;
  for (;;) {
    sleep(1);
    double since = atomic_load(&g_busy_since);
    if (since > 0 && aec_rt_now() - since > g_timeout) {
      fprintf(stderr,
              "train: rank %d waited %.0f s for the other ranks (AEC_DIST_TIMEOUT); one of them "
              "has stopped or hung: ending the job\n",
              g_rank, g_timeout);
      fflush(stderr);
      _exit(2); /* not MPI_Abort: this thread may not call MPI (FUNNELED) */
    }
  }
  return NULL;
}

int aec_dist_init(void) {
  if (g_ready) return 0;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      return aec_rt_fail(AEC_RT_EINTERNAL, "MPI_Init failed");
    g_we_initialized = 1;
    atexit(aec_dist_finalize); /* library users who never call it */
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  const char *t = getenv("AEC_DIST_TIMEOUT");
  if (t && atof(t) > 0) g_timeout = atof(t);
  if (g_size > 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, watchdog, NULL) == 0) pthread_detach(th);
  }
  g_ready = 1;
  return 0;
}

int aec_dist_rank(void) { return g_rank; }
int aec_dist_size(void) { return g_size; }

static int reduce(void *buf, int64_t n, MPI_Datatype type, size_t elem, MPI_Op op) {
  if (g_size == 1 || n <= 0) return 0;
  double t0 = aec_rt_now();
  atomic_store(&g_busy_since, t0);
  int rc = MPI_SUCCESS;
  for (int64_t i = 0; i < n && rc == MPI_SUCCESS; i += 1 << 28) { /* MPI counts are int */
    int k = (int)(n - i < (1 << 28) ? n - i : (1 << 28));
    rc = MPI_Allreduce(MPI_IN_PLACE, (char *)buf + (size_t)i * elem, k, type, op, MPI_COMM_WORLD);
  }
  atomic_store(&g_busy_since, 0.0);
  g_comm_seconds += aec_rt_now() - t0;
  return rc == MPI_SUCCESS ? 0 : aec_rt_fail(AEC_RT_EINTERNAL, "MPI_Allreduce failed");
}

int aec_dist_sum_f32(float *buf, int64_t n) { return reduce(buf, n, MPI_FLOAT, sizeof(float), MPI_SUM); }
int aec_dist_sum_f64(double *buf, int64_t n) { return reduce(buf, n, MPI_DOUBLE, sizeof(double), MPI_SUM); }

int aec_dist_agree(int status) {
  int v = status;
  if (reduce(&v, 1, MPI_INT, sizeof(int), MPI_MAX)) aec_dist_abort(2);
  return v;
}

int aec_dist_same_u64(uint64_t value) {
  unsigned long long lo = value, hi = value;
  if (reduce(&lo, 1, MPI_UNSIGNED_LONG_LONG, sizeof lo, MPI_MIN) ||
      reduce(&hi, 1, MPI_UNSIGNED_LONG_LONG, sizeof hi, MPI_MAX))
    aec_dist_abort(2);
  return lo == hi;
}

double aec_dist_comm_seconds(void) { return g_comm_seconds; }

void aec_dist_abort(int status) {
  fflush(stdout);
  fflush(stderr);
  if (g_size > 1) MPI_Abort(MPI_COMM_WORLD, status);
}

void aec_dist_finalize(void) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (g_we_initialized && !finalized) MPI_Finalize();
}
