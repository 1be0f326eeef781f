/* `train`: seeded shuffle each epoch, batches of B (the last partial batch
 * is dropped, as the PyTorch peer does; a data set smaller than one batch
 * trains on all of it as one batch), exact resume from a checkpoint
 * (weights, optimizer state, step, epoch, RNG and workflow state are all in
 * it), and a stop with exit status 3 when training diverges (diverge.h) --
 * the last good checkpoint stays as it was.
 * Workflow (issue 8): the learning rate per epoch from warm-up and schedule,
 * validation data (--val, or `validation F` held out by the seed), plateau
 * and early stopping on the validation loss (the checkpoint holds the best
 * epoch's weights), the history (--log, --plot), and the checkpoint policy:
 * written at the end, at most every --save-every seconds during training,
 * and on SIGINT/SIGTERM (the last finished epoch, then exit status 130 or
 * 143: the run did not finish). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aec/profile.h"
#include "cli.h"
#include "dist.h"
#include "diverge.h"

#define AEC_DEFAULT_SAVE_EVERY 60.0

/* Prints why training stopped and whether the last good checkpoint is kept. */
static int diverged(const aec_cli_opts *o, int saved, const char *why) {
  int keep = saved || access(o->save, F_OK) == 0;
  fprintf(stderr, "train: %s; %s%s\n", why,
          keep ? "keeping the last good checkpoint " : "no checkpoint was written to ", o->save);
  return EXIT_DIVERGED;
}

static volatile sig_atomic_t g_signal;
static void on_signal(int sig) { g_signal = sig; }
/* Whether a signal asked to stop; across ranks, whether any rank got one,
 * so every rank stops at the same step. */
static int signaled(void) { return aec_dist_agree(g_signal) != 0; }

/* The session's state at the end of the last finished epoch, restored when
 * a signal arrives in the middle of the next one. */
typedef struct snapshot {
  float *params, *opt;
  int64_t step;
  aec_rng rng;
  float lr;
} snapshot;

/* restore = 0: session -> snapshot; 1: snapshot -> session. */
static void snap_copy(snapshot *p, aec_session *s, int restore) {
  const aec_model *m = s->model;
  size_t np = sizeof(float) * (size_t)m->param_count, no = np * (size_t)m->opt_slots;
  memcpy(restore ? s->params : p->params, restore ? p->params : s->params, np);
  if (s->opt_state) memcpy(restore ? s->opt_state : p->opt, restore ? p->opt : s->opt_state, no);
  if (restore) { s->step = p->step; s->rng = p->rng; s->lr = p->lr; aec_rt_params_changed(s); }
  else { p->step = s->step; p->rng = s->rng; p->lr = s->lr; }
}

/* Everything `train` holds while it runs. */
typedef struct trainer {
  const aec_cli_opts *o;
  const aec_model *m;
  aec_session *s;
  aec_dataset d, v;
  int has_val;
  int64_t *perm;
  float *batch;
  snapshot snap;
  aec_history hist;
  aec_progress prog;
  aec_diverge dg;
  int saved; /* a checkpoint of this run exists at --save */
  double save_seconds; /* spent writing checkpoints: not training time */
} trainer;

static int fail(trainer *t, int rc) { return aec_cli_report(t->o, "train", rc); }

/* The loss of the weights this run started from on up to 2048 training
 * samples: the divergence rule's first reference, asked for at the end of the
 * first epoch only when a decision depends on it (aec_diverge_init_lazy). The
 * epoch's snapshot holds those weights; the current ones are put back. */
static double start_loss(void *ctx) {
  trainer *t = (trainer *)ctx;
  aec_session *s = t->s;
  size_t np = sizeof(float) * (size_t)t->m->param_count;
  float *now = (float *)malloc(np ? np : 1);
  if (!now) return NAN;
  memcpy(now, s->params, np);
  memcpy(s->params, t->snap.params, np);
  aec_rt_params_changed(s);
  aec_dataset head = t->d;
  if (head.n > 2048) head.n = 2048;
  double loss = NAN;
  if (aec_cli_measure(s, &head, NULL, &loss, NULL)) loss = NAN;
  memcpy(s->params, now, np);
  aec_rt_params_changed(s);
  free(now);
  return loss;
}

/* Validation data, normalization statistics, the workflow's preconditions:
 * all checked before anything is written. */
static int prepare(trainer *t) {
  const aec_cli_opts *o = t->o;
  const aec_model *m = t->m;
  aec_session *s = t->s;
  int rc;
  if (o->val) {
    if ((rc = aec_cli_load_input(o, m, o->val, "train", &t->v))) return rc;
    t->has_val = 1;
  } else if (m->validation > 0) {
    if ((rc = fail(t, aec_data_split(&t->d, m->validation, s->seed, &t->v)))) return rc;
    t->has_val = 1;
  }
  if (!t->has_val && (m->schedule == AEC_SCHED_PLATEAU || m->early_stop > 0)) {
    fprintf(stderr, "%s train: %s needs validation data: add `validation F` to train { } or pass --val FILE\n",
            o->prog, m->schedule == AEC_SCHED_PLATEAU ? "`schedule plateau`" : "`early_stop`");
    return EXIT_USER;
  }
  if (m->normalize && !s->norm_kind && (rc = fail(t, aec_rt_fit_normalization(s, t->d.data, t->d.n))))
    return rc;
  if (s->train.base_lr <= 0) s->train.base_lr = s->lr;
  if (o->has_lr) s->train.base_lr = (float)o->lr;
  if (o->plot && (rc = fail(t, aec_plot_available()))) return rc;
  size_t np = (size_t)m->param_count, no = (size_t)(m->opt_slots * m->param_count);
  t->snap.params = (float *)malloc(sizeof(float) * (np ? np : 1));
  t->snap.opt = (float *)malloc(sizeof(float) * (no ? no : 1));
  if (!t->snap.params || !t->snap.opt) return fail(t, aec_rt_fail(AEC_RT_EINTERNAL, "out of memory"));
  if (m->early_stop > 0) {
    s->best_params = (float *)malloc(sizeof(float) * (np ? np : 1));
    if (!s->best_params) return fail(t, aec_rt_fail(AEC_RT_EINTERNAL, "out of memory"));
    memcpy(s->best_params, s->params, sizeof(float) * np); /* the checkpoint's tensors: the best epoch */
    if (s->last_params) memcpy(s->params, s->last_params, sizeof(float) * np);
  }
  return 0;
}

/* One epoch's steps; 1 if a signal stopped it (the session is then back at
 * the end of the previous epoch), <0 with *rc set on error or divergence. */
/* A batch's rows gathered from the shuffled data set by the threads that
 * run its first layer: the pool's chunks of the same n (every chunk of a
 * thread first goes to that thread), so each core then reads its rows from
 * its own cache (fashion_conv's first conv scaled 1.35x on 2 threads with
 * the rows copied by one). Chunks of at least 64 KB; smaller batches are
 * copied inline. */
typedef struct {
  float *dst;
  const float *src;
  const int64_t *rows;
  int64_t per;
} gather_job;
static void gather_rows(void *ctx, int64_t b, int64_t e) {
  const gather_job *g = (const gather_job *)ctx;
  for (int64_t k = b; k < e; ++k)
    memcpy(g->dst + k * g->per, g->src + g->rows[k] * g->per, sizeof(float) * (size_t)g->per);
}

static int run_epoch(trainer *t, int64_t e, int64_t epochs, int64_t B, int64_t steps, double *mean) {
  const aec_cli_opts *o = t->o;
  aec_session *s = t->s;
  int64_t n = t->d.n, per = t->m->input_size;
  snap_copy(&t->snap, s, 0);
  /* The KL warm-up raises β every epoch, so the objective itself grows: each
   * warm-up epoch restarts the rule's reference (non-finite losses count). */
  if (t->m->kl_warmup > 0 && e <= t->m->kl_warmup) aec_diverge_init(&t->dg, NAN);
  for (int64_t i = 0; i < n; ++i) t->perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) { /* Fisher-Yates */
    int64_t j = (int64_t)aec_rng_below(&s->rng, (uint64_t)(i + 1));
    int64_t tmp = t->perm[i]; t->perm[i] = t->perm[j]; t->perm[j] = tmp;
  }
  double sum = 0;
  for (int64_t st = 0; st < steps; ++st) {
    if (signaled()) { snap_copy(&t->snap, s, 1); return 1; }
    gather_job g = {t->batch, t->d.data, t->perm + st * B, per};
    aec_rt_parallel_for(gather_rows, &g, B, (65536 / 4 + per - 1) / per);
    float loss;
    double ts = o->profile ? aec_rt_now() : 0;
    int r = aec_rt_train_step2(s, t->batch, B, &loss);
    if (o->profile) aec_profile_add_step(aec_rt_now() - ts);
    if (r) return -fail(t, r);
    if (!isfinite(loss)) {
      char why[128];
      snprintf(why, sizeof why, "loss became %s at epoch %lld step %lld", isnan(loss) ? "nan" : "inf",
               (long long)(e + 1), (long long)(st + 1));
      if (t->prog.tty) fputc('\n', stderr);
      return -diverged(o, t->saved, why);
    }
    aec_diverge_step(&t->dg, loss);
    sum += loss;
    aec_progress_step(&t->prog, e + 1, epochs, st + 1, steps, sum / (double)(st + 1));
  }
  *mean = sum / (double)steps;
  double limit;
  if (aec_diverge_epoch(&t->dg, *mean, &limit)) {
    char why[192];
    snprintf(why, sizeof why, "training diverged at epoch %lld: mean loss %.6g is more than %gx the best "
             "seen in this run (limit %.6g)", (long long)(e + 1), *mean, AEC_DIVERGE_FACTOR, limit);
    if (t->prog.tty) fputc('\n', stderr);
    return -diverged(o, t->saved, why);
  }
  return 0;
}

static int save(trainer *t) {
  if (aec_dist_rank() != 0) return 0; /* rank 0 writes the job's checkpoints */
  double t0 = aec_rt_now();
  int rc = fail(t, aec_rt_save(t->s, t->o->save));
  if (!rc) t->saved = 1;
  t->save_seconds += aec_rt_now() - t0;
  return rc;
}

static int train_loop(trainer *t, int64_t epochs, int64_t B) {
  const aec_cli_opts *o = t->o;
  const aec_model *m = t->m;
  aec_session *s = t->s;
  int64_t start = aec_rt_epoch(s), samples = 0, steps = t->d.n / B;
  double t0 = aec_rt_now(), last_save = t0, last_loss = NAN;
  double every = o->has_save_every ? o->save_every : AEC_DEFAULT_SAVE_EVERY;
  int rc = 0, interrupted = 0, stopped = aec_sched_stopped(m, &s->train);
  if (stopped)
    fprintf(stderr, "train: early stopping already ended this run (best epoch %lld); nothing to do\n",
            (long long)s->train.best_epoch);
  else if (start >= epochs)
    fprintf(stderr, "train: %s already has %lld epochs (asked for %lld); nothing to do\n",
            o->resume, (long long)start, (long long)epochs);
  if (start < epochs && !stopped) aec_diverge_init_lazy(&t->dg, start_loss, t);
  else aec_diverge_init(&t->dg, NAN);
  int64_t e = start;
  for (; e < epochs && !stopped; ++e) {
    double te = aec_rt_now(), loss = 0;
    s->lr = aec_sched_lr(m, &s->train, e, epochs);
    int r = run_epoch(t, e, epochs, B, steps, &loss);
    if (r < 0) return -r;
    if (r > 0) { interrupted = 1; break; }
    samples += steps * B;
    last_loss = loss;
    aec_rt_set_epoch(s, e + 1);
    aec_hist_row row = {e + 1, loss, NAN, NAN, s->lr, 0, 0};
    if (t->has_val) {
      if ((rc = fail(t, aec_cli_measure(s, &t->v, &row.val_mse, &row.val_loss, NULL)))) return rc;
      if (m->kl_weight && (rc = fail(t, aec_cli_vae_val_loss(s, &t->v, e, &row.val_loss)))) return rc;
      if (aec_sched_observe(m, &s->train, e + 1, row.val_loss) && s->best_params)
        memcpy(s->best_params, s->params, sizeof(float) * (size_t)m->param_count);
      stopped = aec_sched_stopped(m, &s->train);
    }
    double now = aec_rt_now();
    row.seconds = now - te;
    row.samples_per_s = row.seconds > 0 ? (double)(steps * B) / row.seconds : 0;
    if ((rc = fail(t, aec_history_add(&t->hist, &row)))) return rc;
    double eta = (now - t0) / (double)(e + 1 - start) * (double)(epochs - e - 1);
    aec_progress_epoch(&t->prog, e + 1, epochs, loss, t->has_val, row.val_mse, row.val_loss, s->lr,
                       row.samples_per_s, stopped ? 0 : eta);
    int sig = signaled();
    if (e + 1 < epochs && !stopped && !sig && now - last_save >= every) {
      if ((rc = save(t))) return rc;
      last_save = aec_rt_now();
    }
    if (sig) { interrupted = 1; ++e; break; }
  }
  if (aec_rt_epoch(s) > start && (rc = save(t))) return rc;
  if (interrupted)
    fprintf(stderr, "train: interrupted by %s after epoch %lld; %s %s (continue with --resume)\n",
            g_signal == SIGTERM ? "SIGTERM" : "SIGINT", (long long)aec_rt_epoch(s),
            t->saved ? "saved" : "nothing to save in", o->save);
  else if (stopped && e > start)
    fprintf(stderr, "train: early stop after epoch %lld (no lower val_loss for %lld epochs); the "
                    "checkpoint holds best epoch %lld (val_loss=%.6g)\n",
            (long long)aec_rt_epoch(s), (long long)m->early_stop, (long long)s->train.best_epoch,
            s->train.best_val);
  /* seconds= and samples_per_s= measure training (the epochs, validation
   * included); checkpoint writes (an fsync'd temp file and a rename, several
   * ms) are left out, as a peer's timed loop leaves out its torch.save. */
  double secs = aec_rt_now() - t0 - t->save_seconds;
  char best[48] = "";
  if (m->early_stop > 0) snprintf(best, sizeof best, " best_epoch=%lld", (long long)s->train.best_epoch);
  printf("train: epochs=%lld samples=%lld seconds=%.3f samples_per_s=%.0f loss=%.9g%s\n",
         (long long)(aec_rt_epoch(s) > start ? aec_rt_epoch(s) - start : 0), (long long)samples, secs,
         secs > 0 ? (double)samples / secs : 0.0, last_loss, best);
  fflush(stdout);
  if (o->profile && aec_dist_rank() == 0) aec_profile_report(stderr);
  if (o->plot && t->hist.n > 0) rc = fail(t, aec_plot_history(o->plot, &t->hist, m->name));
  if (!rc && interrupted) rc = AEC_EXIT_SIGNALED(g_signal == SIGTERM ? SIGTERM : SIGINT);
  return rc;
}

int aec_cli_train(const aec_cli_opts *o, const aec_model *m) {
  if (m->inference_only || !m->accumulate || !m->update) {
    fprintf(stderr, "%s train: model `%s` was built with --inference-only; it cannot train\n", o->prog, m->name);
    return EXIT_USER;
  }
  trainer t;
  memset(&t, 0, sizeof t);
  t.o = o;
  t.m = m;
  aec_progress_init(&t.prog, o->quiet);
  int rc = aec_cli_load_input(o, m, o->data, "train", &t.d);
  if (rc) return rc;
  t.s = aec_rt_create(m);
  struct sigaction sa, old_int, old_term;
  int handlers = 0;
  if (!t.s) { rc = fail(&t, AEC_RT_EUSER); goto out; }
  aec_rt_set_weight_format(t.s, "f32"); /* training and its validation stay f32 */
  if (o->resume) {
    if (o->has_seed)
      fprintf(stderr, "train: --seed is ignored with --resume (the checkpoint's RNG state continues)\n");
    if ((rc = fail(&t, aec_rt_load(t.s, o->resume)))) goto out;
  } else if (o->has_seed) {
    if ((rc = fail(&t, aec_rt_reset(t.s, o->seed)))) goto out;
  }
  if (o->has_lr && (rc = fail(&t, aec_rt_set_lr(t.s, (float)o->lr)))) goto out;
  if ((rc = prepare(&t))) goto out;

  int64_t epochs = o->has_epochs ? o->epochs : (m->epochs > 0 ? m->epochs : 1);
  int64_t B = o->has_batch ? o->batch : (m->batch > 0 ? m->batch : 1);
  if (B > t.d.n) B = t.d.n;
  t.perm = (int64_t *)malloc(sizeof(int64_t) * (size_t)t.d.n);
  t.batch = (float *)malloc(sizeof(float) * (size_t)(B * m->input_size));
  if (!t.perm || !t.batch) { rc = fail(&t, aec_rt_fail(AEC_RT_EINTERNAL, "out of memory")); goto out; }
  t.saved = o->resume && !strcmp(o->resume, o->save);
  if ((rc = fail(&t, aec_history_open(&t.hist, o->log, o->resume ? aec_rt_epoch(t.s) : 0)))) goto out;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  g_signal = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  handlers = 1;
  /* Only training steps run the timed functions (accumulate, update):
   * validation and the start loss use the forward pass. */
  aec_profile_enable(o->profile);
  rc = train_loop(&t, epochs, B);
  aec_profile_enable(0);
out:
  if (handlers) {
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
  }
  {
    int hrc = aec_history_close(&t.hist);
    if (!rc && hrc) rc = fail(&t, hrc);
  }
  free(t.perm);
  free(t.batch);
  free(t.snap.params);
  free(t.snap.opt);
  aec_rt_destroy(t.s);
  aec_data_free(&t.d);
  aec_data_free(&t.v);
  return rc;
}
