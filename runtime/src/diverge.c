/* The divergence rule (diverge.h). Why relative to the best loss and not
 * only non-finite: with Adam and a huge learning rate the weights blow up
 * but clamped BCE stays finite (about 100 per wrong element), so the loss
 * jumps 50-100x and stays there. Why epochs and not steps: single steps are
 * noisy (batch 1, easy samples); an epoch mean 5x its best is not noise. */
#include <math.h>
#include <stddef.h>

#include "diverge.h"

void aec_diverge_init(aec_diverge *d, double start_loss) {
  d->best = NAN;
  d->start = start_loss;
  d->seen_step = 0;
  d->first = NAN;
  d->start_fn = NULL;
  d->start_ctx = NULL;
}

void aec_diverge_init_lazy(aec_diverge *d, aec_diverge_start_fn fn, void *ctx) {
  aec_diverge_init(d, NAN);
  d->start_fn = fn;
  d->start_ctx = ctx;
}

/* The reference after the first step: max(its loss, the start loss). */
static void seed_best(aec_diverge *d) {
  double r = isfinite(d->start) && !(d->first >= d->start) ? d->start : d->first;
  d->best = isfinite(r) ? r : NAN;
}

void aec_diverge_step(aec_diverge *d, double loss) {
  if (d->seen_step) return;
  d->seen_step = 1;
  d->first = loss;
  seed_best(d); /* lazy: the first loss alone until the start loss is known */
}

int aec_diverge_epoch(aec_diverge *d, double mean, double *limit) {
  if (!isfinite(mean)) { *limit = NAN; return 1; }
  /* A mean below the first step's loss is below max(first, start) as well:
   * neither the check nor the new best depends on the start loss then. */
  if (d->start_fn && d->seen_step && !(mean < d->first)) {
    d->start = d->start_fn(d->start_ctx);
    seed_best(d);
  }
  d->start_fn = NULL;
  if (isfinite(d->best)) {
    double ref = d->best > AEC_DIVERGE_FLOOR ? d->best : AEC_DIVERGE_FLOOR;
    *limit = AEC_DIVERGE_FACTOR * ref;
    if (mean > *limit) return 1;
  }
  if (!(mean >= d->best)) d->best = mean;
  return 0;
}
