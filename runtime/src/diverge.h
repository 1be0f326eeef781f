/* The divergence rule of `train` (runtime/README.md, "Divergence"): a step
 * whose loss is not finite, or an epoch whose mean loss is more than
 * AEC_DIVERGE_FACTOR times the best loss seen in this run, means the run
 * diverged; the CLI then stops with exit status 3 before saving. */
#ifndef AEC_RT_DIVERGE_H
#define AEC_RT_DIVERGE_H

#ifdef __cplusplus
extern "C" {
#endif

#define AEC_DIVERGE_FACTOR 5.0
#define AEC_DIVERGE_FLOOR 1e-6 /* best losses below this count as this */

/* The start loss computed on demand (aec_diverge_init_lazy), or NAN. */
typedef double (*aec_diverge_start_fn)(void *ctx);

typedef struct aec_diverge {
  double best;     /* lowest reference so far (NAN: none yet) */
  double start;    /* clean loss of the starting weights (NAN: unknown) */
  int seen_step;   /* the first step's loss has been taken */
  double first;    /* that loss */
  aec_diverge_start_fn start_fn; /* not NULL: start not computed yet */
  void *start_ctx;
} aec_diverge;

/* start_loss: the model's loss of the starting weights on (part of) the
 * training data, or NAN. */
void aec_diverge_init(aec_diverge *d, double start_loss);
/* The same rule with the start loss computed by fn only when a decision
 * depends on it: the first epoch's mean is at least the first step's loss
 * (a fresh run's loss falls, so this is rare; it costs a pass over up to
 * 2048 samples, as long as 5-25 % of a short run). fn must give the loss of
 * the weights this run started from (the epoch's snapshot), so every
 * decision and the reference are exactly those of aec_diverge_init. */
void aec_diverge_init_lazy(aec_diverge *d, aec_diverge_start_fn fn, void *ctx);
/* Every step's loss; the first one (starting weights, the training
 * objective itself) seeds the reference with max(it, start_loss), so one
 * lucky first batch cannot make it too small. */
void aec_diverge_step(aec_diverge *d, double loss);
/* At the end of an epoch: 1 if `mean` diverged (then *limit is the
 * threshold it crossed), else 0 and the best is updated. */
int aec_diverge_epoch(aec_diverge *d, double mean, double *limit);

#ifdef __cplusplus
}
#endif

#endif
