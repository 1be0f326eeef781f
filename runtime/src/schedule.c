/* Learning-rate schedules, plateau and early stopping (issue 8). Pure
 * functions of the model's settings and the checkpointed aec_train_state,
 * so a resumed run computes the same rates as an uninterrupted one.
 * For epoch e (0-based) of E with base rate L and W warm-up epochs:
 *   warm-up   e < W: L * (e + 1) / W
 *   cosine    L * (1 + cos(pi * (e - W) / (E - W))) / 2       (PyTorch CosineAnnealingLR, eta_min 0)
 *   step      L * F^floor((e - W) / N)                        (StepLR)
 *   plateau   L * F^k after k reductions; one reduction after N epochs
 *             without a lower validation loss (Keras ReduceLROnPlateau)
 * Early stopping: stop after N epochs without a lower validation loss
 * (for a VAE with a KL warm-up of W epochs, counted from epoch W + 1). */
#include <math.h>

#include "cli.h"

float aec_sched_lr(const aec_model *m, const aec_train_state *t, int64_t e, int64_t epochs) {
  double lr = t->base_lr, w = (double)m->warmup;
  if (e < m->warmup) return (float)(lr * (double)(e + 1) / w);
  double k = (double)(e - m->warmup);
  switch (m->schedule) {
  case AEC_SCHED_COSINE: {
    double span = (double)(epochs - m->warmup);
    if (span > 0) lr *= 0.5 * (1.0 + cos(M_PI * k / span));
    break;
  }
  case AEC_SCHED_STEP:
    if (m->schedule_every > 0) lr *= pow((double)m->schedule_factor, floor(k / (double)m->schedule_every));
    break;
  case AEC_SCHED_PLATEAU: lr *= (double)t->plateau_scale; break;
  default: break;
  }
  return (float)lr;
}

int aec_sched_observe(const aec_model *m, aec_train_state *t, int64_t epoch, double val_loss) {
  /* A VAE's objective grows with β during the KL warm-up (epochs 1..W), so
   * its validation losses are compared from the first epoch at full β on:
   * there the best restarts, and no patience is counted before it. */
  int warm = m->kl_weight && epoch <= m->kl_warmup;
  if (m->kl_weight && m->kl_warmup > 0 && epoch == m->kl_warmup + 1) t->best_val = INFINITY;
  if (val_loss < t->best_val) {
    t->best_val = val_loss;
    t->best_epoch = epoch;
    t->stop_wait = 0;
    t->plateau_wait = 0;
    return 1;
  }
  if (warm) return 0;
  t->stop_wait += 1;
  t->plateau_wait += 1;
  if (m->schedule == AEC_SCHED_PLATEAU && t->plateau_wait >= m->schedule_every) {
    t->plateau_scale *= m->schedule_factor;
    t->plateau_wait = 0;
  }
  return 0;
}

int aec_sched_stopped(const aec_model *m, const aec_train_state *t) {
  return m->early_stop > 0 && t->best_epoch > 0 && t->stop_wait >= m->early_stop;
}
