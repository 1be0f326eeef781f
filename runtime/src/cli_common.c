/* Helpers shared by the CLI commands: error reporting, opening a session
 * with weights, loading input data, measuring reconstruction error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int aec_cli_report(const aec_cli_opts *o, const char *cmd, int rc) {
  if (rc == 0) return EXIT_OK;
  fprintf(stderr, "%s %s: %s\n", o->prog, cmd, aec_rt_last_error());
  return rc == AEC_RT_EUSER ? EXIT_USER : EXIT_INTERNAL;
}

int aec_cli_open(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session **out) {
  *out = NULL;
  aec_session *s = aec_rt_create(m);
  if (!s) return aec_cli_report(o, cmd, AEC_RT_EUSER);
  if (o->weights) {
    int rc = aec_rt_load(s, o->weights);
    if (rc) {
      aec_rt_destroy(s);
      return aec_cli_report(o, cmd, rc);
    }
  }
  if (o->weight_format) {
    int rc = aec_rt_set_weight_format(s, o->weight_format);
    if (rc) {
      aec_rt_destroy(s);
      return aec_cli_report(o, cmd, rc);
    }
  }
  *out = s;
  return EXIT_OK;
}

int aec_cli_load_input(const aec_cli_opts *o, const aec_model *m, const char *path, const char *cmd, aec_dataset *d) {
  char what[160];
  snprintf(what, sizeof what, "model `%s`'s input", m->name);
  int rc = aec_data_load(path, m->input_size, what, d);
  if (!rc && m->has_range && (rc = aec_data_check_range(path, d, m->range_lo, m->range_hi, what)))
    aec_data_free(d);
  return aec_cli_report(o, cmd, rc);
}

int aec_cli_measure(aec_session *s, const aec_dataset *d, double *mse, double *loss, float *per_sample) {
  const aec_model *m = aec_rt_session_model(s);
  int64_t per = m->input_size, chunk = 1024;
  float *rec = (float *)malloc(sizeof(float) * (size_t)(chunk * per));
  if (!rec) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  double se = 0, lsum = 0;
  for (int64_t i = 0; i < d->n; i += chunk) {
    int64_t k = d->n - i < chunk ? d->n - i : chunk;
    const float *x = d->data + i * per;
    int rc = aec_rt_reconstruct(s, x, k, rec);
    if (rc) { free(rec); return rc; }
    for (int64_t j = 0; j < k; ++j) {
      double sse = 0, sl = 0;
      for (int64_t e = 0; e < per; ++e) {
        double t = x[j * per + e], y = rec[j * per + e], diff = y - t;
        sse += diff * diff;
        if (s->norm_kind) { /* the loss in the network's units, as in training */
          t = (t - s->norm_shift[e]) * s->norm_scale[e];
          y = (y - s->norm_shift[e]) * s->norm_scale[e];
          diff = y - t;
        }
        if (m->loss == AEC_LOSS_BCE) { /* PyTorch's BCELoss: logs clamped at -100 */
          double ly = y > 0 ? log(y) : -100, l1y = y < 1 ? log(1 - y) : -100;
          if (ly < -100) ly = -100;
          if (l1y < -100) l1y = -100;
          sl -= t * ly + (1 - t) * l1y;
        } else {
          sl += diff * diff;
        }
      }
      if (per_sample) per_sample[i + j] = (float)(sse / (double)per);
      se += sse;
      lsum += sl;
    }
  }
  free(rec);
  double total = (double)d->n * (double)per;
  if (mse) *mse = se / total;
  if (loss) *loss = lsum / total;
  return 0;
}
