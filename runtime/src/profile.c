/* `train --profile` (issue 13.5): wall time per generated op, summed per
 * layer and phase. The hooks only read the clock while profiling is on. */
#include <string.h>
#include <time.h>

#include "aec/profile.h"

int aec_rt_profiling;

typedef struct op_time {
  const aec_profile_op *op;
  int64_t ns, rows;
} op_time;

static op_time g_ops[AEC_PROFILE_MAX_OPS];
static double g_step_seconds;
static int64_t g_steps;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t aec_rt_profile_begin(void) { return now_ns(); }

void aec_rt_profile_end(const aec_profile_op *op, int64_t t0, int64_t rows) {
  if (op->index < 0 || op->index >= AEC_PROFILE_MAX_OPS) return;
  op_time *t = &g_ops[op->index];
  t->op = op;
  t->ns += now_ns() - t0;
  t->rows += rows;
}

void aec_profile_enable(int on) { aec_rt_profiling = on; }

void aec_profile_add_step(double seconds) {
  g_step_seconds += seconds;
  ++g_steps;
}

static const char *phase_name(int32_t p) {
  return p == AEC_PROFILE_FORWARD ? "forward" : p == AEC_PROFILE_BACKWARD ? "backward" : "update";
}

static void row(FILE *out, const char *layer, const char *phase, double seconds, double flops) {
  double per_step = g_steps ? seconds / (double)g_steps : 0;
  fprintf(out, "  %-16s %-9s %10.4f %6.1f%%", layer, phase, per_step * 1e3,
          g_step_seconds > 0 ? 100.0 * seconds / g_step_seconds : 0.0);
  if (flops > 0 && seconds > 0) fprintf(out, " %9.1f", flops / seconds * 1e-9);
  fputc('\n', out);
}

void aec_profile_report(FILE *out) {
  double timed = 0;
  int any = 0;
  for (int i = 0; i < AEC_PROFILE_MAX_OPS; ++i) any |= g_ops[i].op != NULL;
  if (!any || g_steps == 0) return;
  double flops = 0;
  for (int i = 0; i < AEC_PROFILE_MAX_OPS; ++i)
    if (g_ops[i].op) flops += g_ops[i].op->flops_per_row * (double)g_ops[i].rows;
  fprintf(out, "profile: %lld training steps, %.3f ms and %.6g MFLOP per step; per layer and phase:\n",
          (long long)g_steps, g_step_seconds / (double)g_steps * 1e3, flops / (double)g_steps * 1e-6);
  fprintf(out, "  %-16s %-9s %10s %7s %9s\n", "layer", "phase", "ms/step", "share", "GFLOP/s");
  /* Groups in the order of their first op (the order the step runs them). */
  static unsigned char done[AEC_PROFILE_MAX_OPS];
  memset(done, 0, sizeof done);
  for (int i = 0; i < AEC_PROFILE_MAX_OPS; ++i) {
    const aec_profile_op *a = g_ops[i].op;
    if (!a || done[i]) continue;
    double ns = 0, flops = 0;
    for (int j = i; j < AEC_PROFILE_MAX_OPS; ++j) {
      const aec_profile_op *b = g_ops[j].op;
      if (!b || done[j] || b->phase != a->phase || strcmp(b->layer, a->layer)) continue;
      done[j] = 1;
      ns += (double)g_ops[j].ns;
      flops += b->flops_per_row * (double)g_ops[j].rows;
    }
    row(out, a->layer, phase_name(a->phase), ns * 1e-9, flops);
    timed += ns * 1e-9;
  }
  /* Time of a step outside the ops: copying the batch in, the runtime's
   * bookkeeping, the clock itself. */
  row(out, "(between ops)", "", g_step_seconds > timed ? g_step_seconds - timed : 0, 0);
  row(out, "total", "", g_step_seconds, flops);
}
