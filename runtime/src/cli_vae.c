/* Commands of variational models (issue 7): `sample` (decoded draws from
 * N(0, I), as .npy and optionally a PNG grid), the KL term that `eval`
 * prints beside mse= and loss=, and the validation loss of `train` in the
 * training objective's units (issue 8). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int aec_cli_vae_kl(aec_session *s, const aec_dataset *d, double *kl) {
  const aec_model *m = s->model;
  const int64_t K = m->code_size, per = m->input_size;
  float *codes = (float *)malloc(sizeof(float) * (size_t)(m->max_batch * K));
  if (!codes) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  double sum = 0;
  for (int64_t i = 0; i < d->n; i += m->max_batch) {
    int64_t k = d->n - i < m->max_batch ? d->n - i : m->max_batch;
    int rc = aec_rt_encode(s, d->data + i * per, k, codes); /* one forward: ws has logvar */
    if (rc) { free(codes); return rc; }
    const float *lv = s->ws + m->logvar_offset;
    for (int64_t j = 0; j < k * K; ++j)
      sum += -0.5 * (1.0 + lv[j] - (double)codes[j] * codes[j] - exp(lv[j]));
  }
  free(codes);
  *kl = d->n > 0 ? sum / (double)d->n : 0;
  return 0;
}

int aec_cli_vae_val_loss(aec_session *s, const aec_dataset *d, int64_t epoch, double *loss) {
  double kl = 0;
  int rc = aec_cli_vae_kl(s, d, &kl);
  if (!rc) *loss = *loss * (double)s->model->input_size + (double)aec_rt_kl_beta(s->model, epoch) * kl;
  return rc;
}

int aec_cli_sample(const aec_cli_opts *o, const aec_model *m) {
  int64_t h = 0, w = 0;
  if (o->png && aec_cli_image_shape(m, &h, &w)) return aec_cli_report(o, "sample", AEC_RT_EUSER);
  aec_session *s;
  int rc = aec_cli_open(o, m, "sample", &s);
  if (rc) return rc;
  float *out = (float *)malloc(sizeof(float) * (size_t)(o->count * m->input_size));
  int r = out ? aec_rt_sample(s, o->count, o->has_seed ? o->seed : 0, out)
              : aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!r) r = aec_npy_write(o->out, out, o->count, m->input_rank, m->input_dims);
  if (!r && o->png) { /* pairs of samples side by side: up to 128 images */
    int64_t half = o->count / 2 < 64 ? o->count / 2 : 64;
    r = half < 1 ? aec_rt_fail(AEC_RT_EUSER, "--png needs --count 2 or more")
                 : aec_png_grid_write(o->png, out, out + half * m->input_size, half, h, w,
                                      m->has_range ? m->range_lo : 0.0f,
                                      m->has_range ? m->range_hi : 1.0f);
  }
  free(out);
  aec_rt_destroy(s);
  return aec_cli_report(o, "sample", r);
}
