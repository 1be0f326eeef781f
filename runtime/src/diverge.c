/* The divergence rule (diverge.h). Why relative to the best loss and not
 * only non-finite: with Adam and a huge learning rate the weights blow up
 * but clamped BCE stays finite (about 100 per wrong element), so the loss
 * jumps 50-100x and stays there. Why epochs and not steps: single steps are
 * noisy (batch 1, easy samples); an epoch mean 5x its best is not noise. */
#include <math.h>

#include "diverge.h"

void aec_diverge_init(aec_diverge *d, double start_loss) {
  d->best = NAN;
  d->start = start_loss;
  d->seen_step = 0;
}

void aec_diverge_step(aec_diverge *d, double loss) {
  if (d->seen_step) return;
  d->seen_step = 1;
  double r = isfinite(d->start) && !(loss >= d->start) ? d->start : loss;
  if (isfinite(r) && !(r >= d->best)) d->best = r;
}

int aec_diverge_epoch(aec_diverge *d, double mean, double *limit) {
  if (!isfinite(mean)) { *limit = NAN; return 1; }
  if (isfinite(d->best)) {
    double ref = d->best > AEC_DIVERGE_FLOOR ? d->best : AEC_DIVERGE_FLOOR;
    *limit = AEC_DIVERGE_FACTOR * ref;
    if (mean > *limit) return 1;
  }
  if (!(mean >= d->best)) d->best = mean;
  return 0;
}
