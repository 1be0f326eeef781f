/* Internal interface of the generated executable's command line. */
#ifndef AEC_RT_CLI_H
#define AEC_RT_CLI_H

#include <stdio.h>

#include "rt_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_INTERNAL = 2, EXIT_DIVERGED = 3 };
/* `train` stopped by a signal after saving: 128 + the signal, the shell's
 * convention (130 for SIGINT, 143 for SIGTERM). */
#define AEC_EXIT_SIGNALED(sig) (128 + (sig))
#define AEC_EXIT_IS_SIGNALED(rc) ((rc) > 128 && (rc) < 128 + 65)

typedef struct aec_cli_opts {
  const char *prog;
  const char *data, *val, *save, *resume, *weights, *out, *codes, *png;
  const char *npz; /* import --npz */
  const char *weight_format; /* --weight-format f32|bf16|int8 (issue 13.4) */
  int64_t epochs, batch;
  double lr;
  uint64_t seed;
  int threads;
  int has_epochs, has_batch, has_lr, has_seed, has_threads;
  int64_t count; /* sample --count */
  /* issue 8 */
  const char *log, *plot;
  double save_every;      /* seconds between checkpoints during training */
  double percentile, contamination;
  int quiet, profile, has_save_every, has_percentile, has_contamination;
} aec_cli_opts;

int aec_cli_train(const aec_cli_opts *o, const aec_model *m);
int aec_cli_eval(const aec_cli_opts *o, const aec_model *m);
int aec_cli_encode(const aec_cli_opts *o, const aec_model *m);
int aec_cli_decode(const aec_cli_opts *o, const aec_model *m);
int aec_cli_reconstruct(const aec_cli_opts *o, const aec_model *m);
int aec_cli_score(const aec_cli_opts *o, const aec_model *m);
int aec_cli_info(const aec_cli_opts *o, const aec_model *m);
int aec_cli_sample(const aec_cli_opts *o, const aec_model *m); /* cli_vae.c */
/* Mean KL(q(z|x) || N(0, I)) per sample of a variational model (cli_vae.c). */
int aec_cli_vae_kl(aec_session *s, const aec_dataset *d, double *kl);
/* A VAE's validation loss in the units of its training loss, the ELBO per
 * sample: *loss (aec_cli_measure's, per element) times the input size plus
 * epoch `epoch`'s β times the KL term (z = the mean: no sampling noise). */
int aec_cli_vae_val_loss(aec_session *s, const aec_dataset *d, int64_t epoch, double *loss);
/* Image height/width of the model input for --png, or a user error. */
int aec_cli_image_shape(const aec_model *m, int64_t *h, int64_t *w);
int aec_cli_export(const aec_cli_opts *o, const aec_model *m);
int aec_cli_import(const aec_cli_opts *o, const aec_model *m);
int aec_cli_calibrate(const aec_cli_opts *o, const aec_model *m);

/* Shared helpers (cli_common.c). */
/* Prints "<prog> <cmd>: <last error>" and returns the exit status for rc. */
int aec_cli_report(const aec_cli_opts *o, const char *cmd, int rc);
/* Creates a session and loads --weights into it. */
int aec_cli_open(const aec_cli_opts *o, const aec_model *m, const char *cmd, aec_session **out);
/* Loads data whose samples must match the model input. */
int aec_cli_load_input(const aec_cli_opts *o, const aec_model *m, const char *path, const char *cmd, aec_dataset *d);
/* Mean squared error and mean loss (bce/mse) over all elements of data;
 * per_sample (optional, n floats) receives each sample's mse. */
int aec_cli_measure(aec_session *s, const aec_dataset *d, double *mse, double *loss, float *per_sample);
const char *aec_cli_optimizer_name(int32_t opt);
const char *aec_cli_loss_name(int32_t loss);

/* Refuses outputs that are special files, inputs or each other
 * (cli_outputs.c); returns the exit status. */
int aec_cli_check_outputs(const aec_cli_opts *o, const char *cmd);

/* Progress (progress.c): one line per epoch on stderr (none with --quiet)
 * and, when stderr is a terminal, a bar within the epoch. */
typedef struct aec_progress {
  int quiet, tty;
  double last_draw;
} aec_progress;
void aec_progress_init(aec_progress *p, int quiet);
void aec_progress_step(aec_progress *p, int64_t epoch, int64_t epochs, int64_t step, int64_t steps,
                       double loss_so_far);
void aec_progress_epoch(aec_progress *p, int64_t epoch, int64_t epochs, double loss, int has_val,
                        double val_mse, double val_loss, double lr, double samples_per_s, double eta_s);

/* ---- the training workflow (issue 8) ---- */
/* schedule.c */
float aec_sched_lr(const aec_model *m, const aec_train_state *t, int64_t e, int64_t epochs);
/* Records epoch `epoch`'s validation loss; 1 if it is the best so far. */
int aec_sched_observe(const aec_model *m, aec_train_state *t, int64_t epoch, double val_loss);
int aec_sched_stopped(const aec_model *m, const aec_train_state *t);
/* data_split.c: moves the held-out rows of d into val. */
int aec_data_split(aec_dataset *d, double fraction, uint64_t seed, aec_dataset *val);
/* train_history.c */
typedef struct aec_hist_row {
  int64_t epoch;
  double loss, val_loss, val_mse, lr, seconds, samples_per_s; /* val_*: NaN without validation */
} aec_hist_row;
typedef struct aec_history {
  aec_hist_row *rows;
  int64_t n, cap;
  FILE *log;
  const char *log_path;
} aec_history;
int aec_history_open(aec_history *h, const char *log_path, int64_t keep_until);
int aec_history_add(aec_history *h, const aec_hist_row *r);
int aec_history_close(aec_history *h);
/* plot_png.c: the loss curves as a PNG (cairo, loaded when first needed). */
int aec_plot_history(const char *path, const aec_history *h, const char *model_name);
/* 0 if cairo can be loaded, else an error saying how to get it. */
int aec_plot_available(void);

#ifdef __cplusplus
}
#endif

#endif
