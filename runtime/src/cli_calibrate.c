/* `calibrate` (issue 8): scores data known to be normal and stores the
 * anomaly threshold in the checkpoint -- the P-th percentile of the scores
 * (linear interpolation, as numpy.percentile), or for --contamination C the
 * (1 - C) quantile (PyOD's `contamination`). The checkpoint is rewritten
 * atomically with everything else it held unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* q in [0, 1] of n sorted values. */
static double quantile(const float *v, int64_t n, double q) {
  double pos = q * (double)(n - 1);
  int64_t i = (int64_t)pos;
  if (i >= n - 1) return v[n - 1];
  double f = pos - (double)i;
  return (double)v[i] + f * ((double)v[i + 1] - (double)v[i]);
}

int aec_cli_calibrate(const aec_cli_opts *o, const aec_model *m) {
  static const char *cmd = "calibrate";
  if (o->has_percentile == o->has_contamination) {
    fprintf(stderr, "%s calibrate: give exactly one of --percentile P or --contamination C\n", o->prog);
    return EXIT_USER;
  }
  if (m->inference_only || !m->update) {
    fprintf(stderr, "%s calibrate: model `%s` was built with --inference-only; calibrate with the "
                    "training executable\n", o->prog, m->name);
    return EXIT_USER;
  }
  aec_ckpt c;
  int rc = aec_cli_report(o, cmd, aec_ckpt_read(o->weights, &c));
  if (rc) return rc;
  int inference_only = m->opt_slots > 0 && c.opt_slots == 0;
  aec_ckpt_free(&c);
  if (inference_only) {
    fprintf(stderr, "%s calibrate: %s is an inference-only checkpoint (no optimizer state); rewriting "
                    "it would not give a checkpoint training can resume: calibrate the checkpoint "
                    "`train` wrote\n", o->prog, o->weights);
    return EXIT_USER;
  }
  aec_dataset d;
  if ((rc = aec_cli_load_input(o, m, o->data, cmd, &d))) return rc;
  aec_session *s = NULL;
  float *scores = NULL;
  if ((rc = aec_cli_open(o, m, cmd, &s))) goto out;
  scores = (float *)malloc(sizeof(float) * (size_t)d.n);
  if (!scores) { rc = aec_cli_report(o, cmd, aec_rt_fail(AEC_RT_EINTERNAL, "out of memory")); goto out; }
  if ((rc = aec_cli_report(o, cmd, aec_rt_score(s, d.data, d.n, scores)))) goto out;
  qsort(scores, (size_t)d.n, sizeof(float), cmp_float);
  double q = o->has_percentile ? o->percentile / 100.0 : 1.0 - o->contamination;
  float thr = (float)quantile(scores, d.n, q);
  int64_t above = 0;
  for (int64_t i = 0; i < d.n; ++i) above += scores[i] > thr;
  if ((rc = aec_cli_report(o, cmd, aec_rt_set_threshold(s, thr)))) goto out;
  if ((rc = aec_cli_report(o, cmd, aec_rt_save(s, o->weights)))) goto out;
  printf("calibrate: threshold=%.9g quantile=%.6g samples=%lld above=%lld\n", (double)thr, q,
         (long long)d.n, (long long)above);
out:
  free(scores);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}
