/* Inference commands of the generated executable: eval, score, encode,
 * decode, reconstruct (with the optional PNG grid). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int aec_cli_eval(const aec_cli_opts *o, const aec_model *m) {
  aec_dataset d;
  int rc = aec_cli_load_input(o, m, o->data, "eval", &d);
  if (rc) return rc;
  aec_session *s;
  if ((rc = aec_cli_open(o, m, "eval", &s))) { aec_data_free(&d); return rc; }
  double mse, loss;
  rc = aec_cli_report(o, "eval", aec_cli_measure(s, &d, &mse, &loss, NULL));
  if (!rc) printf("mse=%.6g loss=%.6g\n", mse, loss);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}

int aec_cli_score(const aec_cli_opts *o, const aec_model *m) {
  aec_dataset d;
  int rc = aec_cli_load_input(o, m, o->data, "score", &d);
  if (rc) return rc;
  aec_session *s;
  if ((rc = aec_cli_open(o, m, "score", &s))) { aec_data_free(&d); return rc; }
  float *scores = (float *)malloc(sizeof(float) * (size_t)d.n);
  if (!scores) rc = aec_cli_report(o, "score", aec_rt_fail(AEC_RT_EINTERNAL, "out of memory"));
  if (!rc) rc = aec_cli_report(o, "score", aec_cli_measure(s, &d, NULL, NULL, scores));
  if (!rc) {
    FILE *f = fopen(o->out, "w");
    if (!f) {
      rc = aec_cli_report(o, "score", aec_rt_fail(AEC_RT_EUSER, "%s: cannot write: %s", o->out, strerror(errno)));
    } else {
      int ok = fprintf(f, "index,mse\n") > 0;
      for (int64_t i = 0; ok && i < d.n; ++i) ok = fprintf(f, "%lld,%.9g\n", (long long)i, scores[i]) > 0;
      ok = (fclose(f) == 0) && ok;
      if (!ok) rc = aec_cli_report(o, "score", aec_rt_fail(AEC_RT_EUSER, "%s: write failed", o->out));
    }
  }
  free(scores);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}

int aec_cli_encode(const aec_cli_opts *o, const aec_model *m) {
  aec_dataset d;
  int rc = aec_cli_load_input(o, m, o->data, "encode", &d);
  if (rc) return rc;
  aec_session *s;
  if ((rc = aec_cli_open(o, m, "encode", &s))) { aec_data_free(&d); return rc; }
  const aec_layer_info *code = &m->layers[m->code_layer];
  float *codes = (float *)malloc(sizeof(float) * (size_t)(d.n * code->out_size));
  int r = codes ? aec_rt_encode(s, d.data, d.n, codes) : aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!r) r = aec_npy_write(o->out, codes, d.n, code->out_rank, code->out_dims);
  rc = aec_cli_report(o, "encode", r);
  free(codes);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}

int aec_cli_decode(const aec_cli_opts *o, const aec_model *m) {
  aec_dataset d;
  char what[160];
  snprintf(what, sizeof what, "model `%s`'s code", m->name);
  int rc = aec_cli_report(o, "decode", aec_data_load(o->codes, m->code_size, what, &d));
  if (rc) return rc;
  aec_session *s;
  if ((rc = aec_cli_open(o, m, "decode", &s))) { aec_data_free(&d); return rc; }
  float *out = (float *)malloc(sizeof(float) * (size_t)(d.n * m->input_size));
  int r = out ? aec_rt_decode(s, d.data, d.n, out) : aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!r) r = aec_npy_write(o->out, out, d.n, m->input_rank, m->input_dims);
  rc = aec_cli_report(o, "decode", r);
  free(out);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}

/* Image height/width of the model input, or an error. */
static int image_shape(const aec_model *m, int64_t *h, int64_t *w) {
  if (m->input_rank == 3 && m->input_dims[0] == 1) { *h = m->input_dims[1]; *w = m->input_dims[2]; return 0; }
  if (m->input_rank == 2) { *h = m->input_dims[0]; *w = m->input_dims[1]; return 0; }
  if (m->input_rank == 1) {
    int64_t r = (int64_t)llround(sqrt((double)m->input_size));
    if (r * r == m->input_size) { *h = *w = r; return 0; }
  }
  char shape[96] = "";
  size_t k = 0;
  for (int32_t i = 0; i < m->input_rank; ++i)
    k += (size_t)snprintf(shape + k, sizeof shape - k, i ? ", %lld" : "%lld", (long long)m->input_dims[i]);
  return aec_rt_fail(AEC_RT_EUSER,
                     "--png: model `%s`'s input [%s] is not an image (needs [1, H, W], [H, W] or a "
                     "flat size that is a perfect square)", m->name, shape);
}

int aec_cli_reconstruct(const aec_cli_opts *o, const aec_model *m) {
  int64_t h = 0, w = 0;
  if (o->png && image_shape(m, &h, &w)) return aec_cli_report(o, "reconstruct", AEC_RT_EUSER);
  aec_dataset d;
  int rc = aec_cli_load_input(o, m, o->data, "reconstruct", &d);
  if (rc) return rc;
  aec_session *s;
  if ((rc = aec_cli_open(o, m, "reconstruct", &s))) { aec_data_free(&d); return rc; }
  float *out = (float *)malloc(sizeof(float) * (size_t)(d.n * m->input_size));
  int r = out ? aec_rt_reconstruct(s, d.data, d.n, out) : aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!r) r = aec_npy_write(o->out, out, d.n, m->input_rank, m->input_dims);
  if (!r && o->png) {
    int64_t count = d.n < 64 ? d.n : 64;
    float lo = m->range_lo, hi = m->range_hi;
    if (!m->has_range) { /* no declared range: stretch what is drawn */
      lo = INFINITY;
      hi = -INFINITY;
      for (int64_t i = 0; i < count * m->input_size; ++i) {
        lo = fminf(lo, fminf(d.data[i], out[i]));
        hi = fmaxf(hi, fmaxf(d.data[i], out[i]));
      }
    }
    r = aec_png_grid_write(o->png, d.data, out, count, h, w, lo, hi);
  }
  rc = aec_cli_report(o, "reconstruct", r);
  free(out);
  aec_rt_destroy(s);
  aec_data_free(&d);
  return rc;
}
