/* The per-epoch history of `train` (issue 8): kept in memory for --plot and
 * appended to --log as CSV, one flushed line per epoch (no fsync: it is a
 * log, the checkpoint is what must survive). On --resume an existing log
 * keeps its rows up to the checkpoint's epoch (later ones belonged to a run
 * whose epochs were lost) and continues after them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char kHeader[] = "epoch,loss,val_loss,val_mse,lr,seconds,samples_per_s";

int aec_history_add(aec_history *h, const aec_hist_row *r) {
  if (h->n == h->cap) {
    int64_t cap = h->cap ? h->cap * 2 : 64;
    aec_hist_row *p = (aec_hist_row *)realloc(h->rows, sizeof *p * (size_t)cap);
    if (!p) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory for the training history");
    h->rows = p;
    h->cap = cap;
  }
  h->rows[h->n++] = *r;
  if (!h->log) return 0;
  char val[64] = ",";
  if (!isnan(r->val_loss)) snprintf(val, sizeof val, "%.9g,%.9g", r->val_loss, r->val_mse);
  if (fprintf(h->log, "%lld,%.9g,%s,%.7g,%.6f,%.0f\n", (long long)r->epoch, r->loss, val, r->lr,
              r->seconds, r->samples_per_s) < 0 || fflush(h->log) != 0)
    return aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the history: %s", h->log_path, strerror(errno));
  return 0;
}

/* One CSV row; empty val fields are NaN. */
static int parse_row(char *line, aec_hist_row *r) {
  double f[7];
  char *p = line;
  for (int i = 0; i < 7; ++i) {
    char *end;
    f[i] = strtod(p, &end);
    if (end == p) f[i] = NAN;
    if (i < 6 && *end != ',') return 0;
    p = end + 1;
  }
  if (!(f[0] >= 1)) return 0;
  *r = (aec_hist_row){(int64_t)f[0], f[1], f[2], f[3], f[4], f[5], f[6]};
  return 1;
}

int aec_history_open(aec_history *h, const char *path, int64_t keep_until) {
  h->log_path = path;
  if (!path) return 0;
  if (keep_until > 0) {
    FILE *old = fopen(path, "r");
    if (old) {
      char line[512];
      aec_hist_row r;
      while (fgets(line, sizeof line, old))
        if (parse_row(line, &r) && r.epoch <= keep_until && (h->n == 0 || r.epoch > h->rows[h->n - 1].epoch))
          if (aec_history_add(h, &r)) { fclose(old); return AEC_RT_EINTERNAL; }
      fclose(old);
    }
  }
  h->log = fopen(path, "w");
  if (!h->log) return aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the history: %s", path, strerror(errno));
  if (fprintf(h->log, "%s\n", kHeader) < 0) return aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the history", path);
  int64_t kept = h->n;
  h->n = 0;
  for (int64_t i = 0; i < kept; ++i) {
    aec_hist_row r = h->rows[i];
    if (aec_history_add(h, &r)) return AEC_RT_EUSER;
  }
  return 0;
}

int aec_history_close(aec_history *h) {
  int rc = 0;
  if (h->log && fclose(h->log) != 0)
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the history: %s", h->log_path, strerror(errno));
  free(h->rows);
  memset(h, 0, sizeof *h);
  return rc;
}
