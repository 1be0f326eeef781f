/* Training entry points (libaec_runtime only, never in libaec_rt_core):
 * one optimizer step over a batch, split into chunks of at most max_batch
 * that accumulate gradients scaled by 1/n, then one fused update. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dist.h"
#include "rt_internal.h"

/* First row of rank r's share when n rows are spread over p ranks. */
static int64_t share_begin(int64_t n, int r, int p) {
  return (n / p) * r + (r < n % p ? r : n % p);
}

/* Debug mode (AEC_DIST_CHECK=N): every N steps all ranks compare a checksum
 * of their weights, which must stay identical. */
static int check_due(int64_t step) {
  static int64_t every = -1;
  if (every < 0) {
    const char *v = getenv("AEC_DIST_CHECK");
    every = v ? atoll(v) : 0;
    if (every < 0) every = 0;
  }
  return every > 0 && step % every == 0;
}

static uint64_t weights_crc(const float *p, int64_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const unsigned char *b = (const unsigned char *)p;
  for (size_t left = (size_t)n * sizeof(float); left > 0;) {
    uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
    crc = crc32(crc, b, k);
    b += k, left -= k;
  }
  return crc;
}

float aec_rt_kl_beta(const aec_model *m, int64_t epoch) { /* linear from 0 over kl_warmup epochs */
  return m->kl_warmup > 0 && epoch < m->kl_warmup ? m->kl_beta * (float)epoch / (float)m->kl_warmup
                                                  : m->kl_beta;
}

int aec_rt_train_step2(aec_session *s, const float *x, int64_t n, float *loss) {
  aec_rt_clear_error();
  if (loss) *loss = NAN;
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  const aec_model *m = s->model;
  if (m->inference_only || !m->accumulate || !m->update || !s->grads)
    return aec_rt_fail(AEC_RT_EUSER, "model `%s` was built for inference only; it cannot train", m->name);
  if (n < 1) return aec_rt_fail(AEC_RT_EUSER, "a training batch needs at least one sample, got %lld", (long long)n);
  if (!x) return aec_rt_fail(AEC_RT_EUSER, "null data pointer");
  int rc = aec_norm_require(s);
  if (rc) return rc;
  if (aec_dist_init()) return AEC_RT_EINTERNAL;
  /* Distributed: this rank takes rows [lo, hi) of the global batch (shares
   * differ by at most one row, the first n % P ranks take the extra), every
   * gradient is scaled by the global 1/n and the sums are all-reduced, so
   * every rank applies the same update. */
  int rank = aec_dist_rank(), ranks = aec_dist_size();
  int64_t lo = share_begin(n, rank, ranks), hi = share_begin(n, rank + 1, ranks);
  float scale = 1.0f / (float)n;
  double sum = 0;
  if (m->kl_weight) *m->kl_weight = aec_rt_kl_beta(m, s->epoch);
  /* Noise seeds: one per max_batch chunk of the global batch, drawn on every
   * rank in the same order, so the RNG (shuffles) stays identical across
   * ranks and one process sees exactly the stream it always did. Input noise
   * thus differs from one process's (other rows per chunk); without noise the
   * step equals one process's up to the order of the gradient sums. */
  int64_t chunks = (n + m->max_batch - 1) / m->max_batch, drawn = 0;
  uint64_t noise_seed = 0;
  for (int64_t i = lo; i < hi; i += m->max_batch) {
    int64_t k = hi - i < m->max_batch ? hi - i : m->max_batch;
    for (; drawn <= i / m->max_batch; ++drawn) noise_seed = aec_rng_next(&s->rng);
    /* a share that starts inside a chunk gets its own stream */
    uint64_t seed = i % m->max_batch ? aec_rt_mix64(noise_seed + (uint64_t)i) : noise_seed;
    const float *xk = aec_norm_input(s, x + i * m->input_size, k);
    sum += m->accumulate(s->params, s->grads, s->ws, xk, k, scale, seed);
  }
  for (; drawn < chunks; ++drawn) aec_rng_next(&s->rng);
  if (ranks > 1) {
    rc = aec_dist_sum_f32(s->grads, m->param_count);
    if (!rc) rc = aec_dist_sum_f64(&sum, 1);
    if (rc) return rc;
  }
  float mean = (float)(sum / (double)n);
  if (!isfinite(mean)) {
    /* Diverged: leave the weights as they were (still usable, still the
     * ones in the last checkpoint) and drop the poisoned gradients. */
    memset(s->grads, 0, sizeof(float) * (size_t)m->param_count);
  } else {
    s->step += 1;
    m->update(s->params, s->grads, s->opt_state, s->lr, s->step);
    aec_rt_params_changed(s);
    if (ranks > 1 && check_due(s->step) &&
        !aec_dist_same_u64(weights_crc(s->params, m->param_count)))
      return aec_rt_fail(AEC_RT_EINTERNAL, "the weights differ across ranks after step %lld",
                         (long long)s->step);
  }
  if (loss) *loss = mean;
  return 0;
}

float aec_rt_train_step(aec_session *s, const float *x, int64_t n) {
  float loss = NAN;
  aec_rt_train_step2(s, x, n, &loss);
  return loss;
}

int aec_rt_set_lr(aec_session *s, float lr) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  if (!(lr > 0.0f) || !isfinite(lr))
    return aec_rt_fail(AEC_RT_EUSER, "learning rate must be a positive finite number, got %g", (double)lr);
  s->lr = lr;
  return 0;
}

int aec_rt_rank(void) { return aec_dist_init() ? 0 : aec_dist_rank(); }
int aec_rt_ranks(void) { return aec_dist_init() ? 1 : aec_dist_size(); }
