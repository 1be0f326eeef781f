/* `train`: seeded shuffle each epoch, batches of B (the last partial batch
 * is dropped, as the PyTorch peer does; a data set smaller than one batch
 * trains on all of it as one batch), a checkpoint after every epoch, exact
 * resume from one (weights, optimizer state, step, epoch and RNG state are
 * all in it), and a stop with exit status 3 when training diverges
 * (diverge.h) -- the last good checkpoint stays as it was. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dist.h"
#include "diverge.h"

/* Prints why training stopped and whether the last good checkpoint is kept. */
static int diverged(const aec_cli_opts *o, int saved, const char *why) {
  int keep = saved || access(o->save, F_OK) == 0;
  fprintf(stderr, "train: %s; %s%s\n", why,
          keep ? "keeping the last good checkpoint " : "no checkpoint was written to ", o->save);
  return EXIT_DIVERGED;
}

/* The loss of the starting weights on up to 2048 training samples: the
 * divergence rule's first reference. */
static double start_loss(aec_session *s, const aec_dataset *d) {
  aec_dataset head = *d;
  if (head.n > 2048) head.n = 2048;
  double loss = NAN;
  return aec_cli_measure(s, &head, NULL, &loss, NULL) ? NAN : loss;
}

int aec_cli_train(const aec_cli_opts *o, const aec_model *m) {
  if (m->inference_only || !m->accumulate || !m->update) {
    fprintf(stderr, "%s train: model `%s` was built with --inference-only; it cannot train\n", o->prog, m->name);
    return EXIT_USER;
  }
  aec_dataset d, v;
  memset(&v, 0, sizeof v);
  int rc = aec_cli_load_input(o, m, o->data, "train", &d);
  if (rc) return rc;
  if (o->val && (rc = aec_cli_load_input(o, m, o->val, "train", &v))) { aec_data_free(&d); return rc; }

  aec_session *s = aec_rt_create(m);
  int64_t *perm = NULL;
  float *batch = NULL;
  if (!s) { rc = aec_cli_report(o, "train", AEC_RT_EUSER); goto out; }
  if (o->resume) {
    if (o->has_seed)
      fprintf(stderr, "train: --seed is ignored with --resume (the checkpoint's RNG state continues)\n");
    if ((rc = aec_cli_report(o, "train", aec_rt_load(s, o->resume)))) goto out;
  } else if (o->has_seed) {
    if ((rc = aec_cli_report(o, "train", aec_rt_reset(s, o->seed)))) goto out;
  }
  if (o->has_lr && (rc = aec_cli_report(o, "train", aec_rt_set_lr(s, (float)o->lr)))) goto out;

  int64_t epochs = o->has_epochs ? o->epochs : (m->epochs > 0 ? m->epochs : 1);
  int64_t B = o->has_batch ? o->batch : (m->batch > 0 ? m->batch : 1);
  if (B > d.n) B = d.n;
  int64_t steps = d.n / B, per = m->input_size;
  perm = (int64_t *)malloc(sizeof(int64_t) * (size_t)d.n);
  batch = (float *)malloc(sizeof(float) * (size_t)(B * per));
  if (!perm || !batch) { rc = aec_cli_report(o, "train", aec_rt_fail(AEC_RT_EINTERNAL, "out of memory")); goto out; }

  int64_t start = aec_rt_epoch(s), samples = 0;
  double t0 = aec_rt_now(), last_loss = NAN;
  int saved = o->resume && !strcmp(o->resume, o->save);
  if (start >= epochs)
    fprintf(stderr, "train: %s already has %lld epochs (asked for %lld); nothing to do\n",
            o->resume, (long long)start, (long long)epochs);
  aec_diverge dg;
  aec_diverge_init(&dg, start < epochs ? start_loss(s, &d) : NAN);
  for (int64_t e = start; e < epochs; ++e) {
    double te = aec_rt_now();
    for (int64_t i = 0; i < d.n; ++i) perm[i] = i;
    aec_rng *rng = &s->rng;
    for (int64_t i = d.n - 1; i > 0; --i) { /* Fisher-Yates */
      int64_t j = (int64_t)aec_rng_below(rng, (uint64_t)(i + 1));
      int64_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    double sum = 0;
    for (int64_t st = 0; st < steps; ++st) {
      for (int64_t k = 0; k < B; ++k)
        memcpy(batch + k * per, d.data + perm[st * B + k] * per, sizeof(float) * (size_t)per);
      float loss;
      int r = aec_rt_train_step2(s, batch, B, &loss);
      if (r) { rc = aec_cli_report(o, "train", r); goto out; }
      if (!isfinite(loss)) {
        char why[128];
        snprintf(why, sizeof why, "loss became %s at epoch %lld step %lld", isnan(loss) ? "nan" : "inf",
                 (long long)(e + 1), (long long)(st + 1));
        rc = diverged(o, saved, why);
        goto out;
      }
      aec_diverge_step(&dg, loss);
      sum += loss;
    }
    samples += steps * B;
    last_loss = sum / (double)steps;
    double limit;
    if (aec_diverge_epoch(&dg, last_loss, &limit)) {
      char why[192];
      snprintf(why, sizeof why, "training diverged at epoch %lld: mean loss %.6g is more than %gx the best "
               "seen in this run (limit %.6g)", (long long)(e + 1), last_loss, AEC_DIVERGE_FACTOR, limit);
      rc = diverged(o, saved, why);
      goto out;
    }
    aec_rt_set_epoch(s, e + 1);
    double val_mse = 0;
    if (o->val && (rc = aec_cli_report(o, "train", aec_cli_measure(s, &v, &val_mse, NULL, NULL)))) goto out;
    if (aec_dist_rank() == 0 && (rc = aec_cli_report(o, "train", aec_rt_save(s, o->save)))) goto out;
    saved = 1;
    double now = aec_rt_now(), ep_s = now - te;
    double sps = ep_s > 0 ? (double)(steps * B) / ep_s : 0;
    double eta = (now - t0) / (double)(e + 1 - start) * (double)(epochs - e - 1);
    aec_progress_epoch(e + 1, epochs, last_loss, o->val != NULL, val_mse, sps, eta);
  }
  {
    double secs = aec_rt_now() - t0;
    printf("train: epochs=%lld samples=%lld seconds=%.3f samples_per_s=%.0f loss=%.9g\n",
           (long long)(epochs > start ? epochs - start : 0), (long long)samples, secs,
           secs > 0 ? (double)samples / secs : 0.0, last_loss);
    fflush(stdout);
  }
out:
  free(perm);
  free(batch);
  aec_rt_destroy(s);
  aec_data_free(&d);
  aec_data_free(&v);
  return rc;
}
