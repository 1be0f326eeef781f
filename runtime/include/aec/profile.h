/* Per-op timing for `train --profile` (issue 13.5). Generated training code
 * brackets every op with aec_rt_profile_begin / aec_rt_profile_end while
 * aec_rt_profiling is set (a load and a branch per op otherwise); each op has
 * one constant record, laid out as codegen's ProfileHooks.cpp builds it
 * (test/unit/abi_test.cpp checks the offsets). */
#ifndef AEC_PROFILE_H
#define AEC_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { AEC_PROFILE_FORWARD = 0, AEC_PROFILE_BACKWARD = 1, AEC_PROFILE_UPDATE = 2 };
#define AEC_PROFILE_MAX_OPS 1024

typedef struct aec_profile_op {
  const char *layer;    /* the layer's name, "model" for model-wide ops */
  const char *what;     /* the op: "dense", "weight_grad", ... */
  int32_t index;        /* unique in the model, < AEC_PROFILE_MAX_OPS */
  int32_t phase;        /* AEC_PROFILE_* */
  double flops_per_row; /* multiply-adds count 2; per batch row (update ops: per call) */
} aec_profile_op;

extern int aec_rt_profiling;
int64_t aec_rt_profile_begin(void);
void aec_rt_profile_end(const aec_profile_op *op, int64_t t0, int64_t rows);

/* Turns the hooks on or off (the figures gathered so far are kept). */
void aec_profile_enable(int on);
/* Adds wall time of whole training steps, the report's denominator. */
void aec_profile_add_step(double seconds);
/* Time per layer and phase, its share of the step time and the achieved
 * GFLOP/s; nothing if no op was timed. */
void aec_profile_report(FILE *out);

#ifdef __cplusplus
}
#endif
#endif
