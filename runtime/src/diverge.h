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

typedef struct aec_diverge {
  double best;     /* lowest reference so far (NAN: none yet) */
  double start;    /* clean loss of the starting weights (NAN: unknown) */
  int seen_step;   /* the first step's loss has been taken */
} aec_diverge;

/* start_loss: the model's loss of the starting weights on (part of) the
 * training data, or NAN. */
void aec_diverge_init(aec_diverge *d, double start_loss);
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
