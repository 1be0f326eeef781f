/* Training entry points (libaec_runtime only, never in libaec_rt_core):
 * one optimizer step over a batch, split into chunks of at most max_batch
 * that accumulate gradients scaled by 1/n, then one fused update. */
#include <math.h>
#include <string.h>

#include "rt_internal.h"

int aec_rt_train_step2(aec_session *s, const float *x, int64_t n, float *loss) {
  aec_rt_clear_error();
  if (loss) *loss = NAN;
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  const aec_model *m = s->model;
  if (m->inference_only || !m->accumulate || !m->update || !s->grads)
    return aec_rt_fail(AEC_RT_EUSER, "model `%s` was built for inference only; it cannot train", m->name);
  if (n < 1) return aec_rt_fail(AEC_RT_EUSER, "a training batch needs at least one sample, got %lld", (long long)n);
  if (!x) return aec_rt_fail(AEC_RT_EUSER, "null data pointer");
  float scale = 1.0f / (float)n;
  double sum = 0;
  if (m->kl_weight) /* kl warm-up: linear from 0 over kl_warmup epochs */
    *m->kl_weight = m->kl_warmup > 0 && s->epoch < m->kl_warmup
                        ? m->kl_beta * (float)s->epoch / (float)m->kl_warmup
                        : m->kl_beta;
  for (int64_t i = 0; i < n; i += m->max_batch) {
    int64_t k = n - i < m->max_batch ? n - i : m->max_batch;
    uint64_t noise_seed = aec_rng_next(&s->rng); /* one stream per chunk, checkpointed */
    sum += m->accumulate(s->params, s->grads, s->ws, x + i * m->input_size, k, scale, noise_seed);
  }
  float mean = (float)(sum / (double)n);
  if (!isfinite(mean)) {
    /* Diverged: leave the weights as they were (still usable, still the
     * ones in the last checkpoint) and drop the poisoned gradients. */
    memset(s->grads, 0, sizeof(float) * (size_t)m->param_count);
  } else {
    s->step += 1;
    m->update(s->params, s->grads, s->opt_state, s->lr, s->step);
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
