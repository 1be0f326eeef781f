/* The runtime's writers (npy, png, csv) on top of the output-path guard:
 * a stdio stream on the temp file, errors into aec_rt_last_error. */
#include "rt_internal.h"

static int report(int rc, const char *err) {
  return aec_rt_fail(rc == AEC_OUT_EUSER ? AEC_RT_EUSER : AEC_RT_EINTERNAL, "%s", err);
}

FILE *aec_rt_out_open(aec_out *o, const char *path) {
  char err[512];
  int rc = aec_out_open(o, path, NULL, 0, err, sizeof err);
  if (rc) { report(rc, err); return NULL; }
  FILE *f = aec_out_fdopen(o, err, sizeof err);
  if (!f) { aec_out_abort(o); report(AEC_OUT_EINTERNAL, err); }
  return f;
}

int aec_rt_out_close(aec_out *o, int ok) {
  char err[512];
  if (!ok) {
    snprintf(err, sizeof err, "%s: write failed", o->target);
    aec_out_abort(o);
    return report(AEC_OUT_EUSER, err);
  }
  int rc = aec_out_commit(o, err, sizeof err);
  return rc ? report(rc, err) : 0;
}
