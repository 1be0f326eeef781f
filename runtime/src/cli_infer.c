/* Inference commands of the generated executable: eval, score, encode,
 * decode, reconstruct (with the optional PNG grid). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What a command does once its data is loaded and its session is open;
 * returns the exit status. */
typedef int (*cli_body)(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session *s,
                        const aec_dataset *d);

/* The frame of every inference command: opens the session for the loaded
 * data `d`, runs `body`, then releases the session and the data. */
static int with_session(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_dataset *d,
                        cli_body body) {
  aec_session *s;
  int rc = aec_cli_open(o, m, cmd, &s);
  if (!rc) {
    rc = body(o, m, cmd, s, d);
    aec_rt_destroy(s);
  }
  aec_data_free(d);
  return rc;
}

/* Same, on --data checked against the model input. */
static int with_input(const aec_cli_opts *o, const aec_model *m, const char *cmd, cli_body body) {
  aec_dataset d;
  int rc = aec_cli_load_input(o, m, o->data, cmd, &d);
  return rc ? rc : with_session(o, m, cmd, &d, body);
}

/* Runs `map` (aec_rt_encode/decode/reconstruct) over the rows of `d` into a
 * new buffer *out (the caller frees it, also on failure) and writes the
 * result to --out as .npy rows of shape dims[rank]. */
typedef int (*rt_map)(aec_session *s, const float *in, int64_t n, float *out);
static int map_to_npy(const aec_cli_opts *o, aec_session *s, rt_map map, const aec_dataset *d,
                      int32_t rank, const int64_t *dims, int64_t size, float **out) {
  *out = (float *)malloc(sizeof(float) * (size_t)(d->n * size));
  int r = *out ? map(s, d->data, d->n, *out) : aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!r) r = aec_npy_write(o->out, *out, d->n, rank, dims);
  return r;
}

static int eval_body(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session *s,
                     const aec_dataset *d) {
  double mse, loss, kl = 0;
  int rc = aec_cli_report(o, cmd, aec_cli_measure(s, d, &mse, &loss, NULL));
  if (!rc && m->kl_weight) rc = aec_cli_report(o, cmd, aec_cli_vae_kl(s, d, &kl));
  if (rc) return rc;
  /* A VAE's loss is its training objective, as the history's val_loss: per
   * sample, the reconstruction summed over the elements plus β·KL (z = the
   * mean); with β != 1 the ELBO proper (β = 1) follows as elbo=. */
  if (m->kl_weight) {
    const double rec = loss * (double)m->input_size, beta = m->kl_beta;
    printf("mse=%.6g loss=%.6g kl=%.6g", mse, rec + beta * kl, kl);
    if (beta != 1.0) printf(" elbo=%.6g", rec + kl);
    printf("\n");
  } else printf("mse=%.6g loss=%.6g\n", mse, loss);
  return rc;
}

int aec_cli_eval(const aec_cli_opts *o, const aec_model *m) { return with_input(o, m, "eval", eval_body); }

/* index,score[,anomaly]: the anomaly column once `calibrate` stored a threshold. */
static int score_body(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session *s,
                      const aec_dataset *d) {
  (void)m;
  int rc = 0;
  float *scores = (float *)malloc(sizeof(float) * (size_t)(d->n ? d->n : 1)), thr = 0;
  int has_thr = aec_rt_threshold(s, &thr) == 0;
  if (!scores) rc = aec_cli_report(o, cmd, aec_rt_fail(AEC_RT_EINTERNAL, "out of memory"));
  if (!rc) rc = aec_cli_report(o, cmd, aec_rt_score(s, d->data, d->n, scores));
  if (!rc) {
    aec_out out;
    FILE *f = aec_rt_out_open(&out, o->out);
    if (!f) {
      rc = aec_cli_report(o, cmd, AEC_RT_EUSER);
    } else {
      int ok = fprintf(f, has_thr ? "index,score,anomaly\n" : "index,score\n") > 0;
      for (int64_t i = 0; ok && i < d->n; ++i)
        ok = (has_thr ? fprintf(f, "%lld,%.9g,%d\n", (long long)i, scores[i], scores[i] > thr)
                      : fprintf(f, "%lld,%.9g\n", (long long)i, scores[i])) > 0;
      rc = aec_cli_report(o, cmd, aec_rt_out_close(&out, ok));
    }
  }
  free(scores);
  return rc;
}

int aec_cli_score(const aec_cli_opts *o, const aec_model *m) { return with_input(o, m, "score", score_body); }

static int encode_body(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session *s,
                       const aec_dataset *d) {
  const aec_layer_info *code = &m->layers[m->code_layer];
  float *codes;
  int r = map_to_npy(o, s, aec_rt_encode, d, code->out_rank, code->out_dims, code->out_size, &codes);
  free(codes);
  return aec_cli_report(o, cmd, r);
}

int aec_cli_encode(const aec_cli_opts *o, const aec_model *m) { return with_input(o, m, "encode", encode_body); }

static int decode_body(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session *s,
                       const aec_dataset *d) {
  float *out;
  int r = map_to_npy(o, s, aec_rt_decode, d, m->input_rank, m->input_dims, m->input_size, &out);
  free(out);
  return aec_cli_report(o, cmd, r);
}

int aec_cli_decode(const aec_cli_opts *o, const aec_model *m) {
  aec_dataset d;
  char what[160];
  snprintf(what, sizeof what, "model `%s`'s code", m->name);
  int rc = aec_cli_report(o, "decode", aec_data_load(o->codes, m->code_size, what, &d));
  return rc ? rc : with_session(o, m, "decode", &d, decode_body);
}

/* Image height/width of the model input, or an error. */
int aec_cli_image_shape(const aec_model *m, int64_t *h, int64_t *w) {
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

static int reconstruct_body(const aec_cli_opts *o, const aec_model *m, const char *cmd,
                            aec_session *s, const aec_dataset *d) {
  float *out;
  int r = map_to_npy(o, s, aec_rt_reconstruct, d, m->input_rank, m->input_dims, m->input_size, &out);
  if (!r && o->png) {
    int64_t h = 0, w = 0;
    aec_cli_image_shape(m, &h, &w); /* checked before loading */
    int64_t count = d->n < 64 ? d->n : 64;
    float lo = m->range_lo, hi = m->range_hi;
    if (!m->has_range) { /* no declared range: stretch what is drawn */
      lo = INFINITY;
      hi = -INFINITY;
      for (int64_t i = 0; i < count * m->input_size; ++i) {
        lo = fminf(lo, fminf(d->data[i], out[i]));
        hi = fmaxf(hi, fmaxf(d->data[i], out[i]));
      }
    }
    r = aec_png_grid_write(o->png, d->data, out, count, h, w, lo, hi);
  }
  free(out);
  return aec_cli_report(o, cmd, r);
}

int aec_cli_reconstruct(const aec_cli_opts *o, const aec_model *m) {
  int64_t h = 0, w = 0;
  if (o->png && aec_cli_image_shape(m, &h, &w)) return aec_cli_report(o, "reconstruct", AEC_RT_EUSER);
  return with_input(o, m, "reconstruct", reconstruct_body);
}
