/* Training progress on stderr (stdout keeps the final `train:` summary line
 * for scripts): one line per epoch, and when stderr is a terminal a bar
 * within the epoch, redrawn at most 10 times a second. --quiet: neither. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "dist.h"

void aec_progress_init(aec_progress *p, int quiet) {
  p->quiet = quiet;
  p->tty = !quiet && isatty(STDERR_FILENO);
  p->last_draw = 0;
}

void aec_progress_step(aec_progress *p, int64_t epoch, int64_t epochs, int64_t step, int64_t steps,
                       double loss_so_far) {
  if (!p->tty || aec_dist_rank() != 0) return;
  double now = aec_rt_now();
  if (now - p->last_draw < 0.1 && step < steps) return;
  p->last_draw = now;
  enum { W = 30 };
  char bar[W + 1];
  int filled = (int)(W * step / (steps > 0 ? steps : 1));
  for (int i = 0; i < W; ++i) bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
  bar[W] = '\0';
  fprintf(stderr, "\repoch %lld/%lld [%s] %3d%% loss=%.6g\033[K", (long long)epoch, (long long)epochs,
          bar, (int)(100 * step / (steps > 0 ? steps : 1)), loss_so_far);
  fflush(stderr);
}

void aec_progress_epoch(aec_progress *p, int64_t epoch, int64_t epochs, double loss, int has_val,
                        double val_mse, double val_loss, double lr, double samples_per_s, double eta_s) {
  if (p->quiet || aec_dist_rank() != 0) return; /* one voice per job */
  char val[96] = "";
  if (has_val) snprintf(val, sizeof val, " val_mse=%.6g val_loss=%.6g", val_mse, val_loss);
  fprintf(stderr, "%sepoch %lld/%lld loss=%.6g%s lr=%.6g samples/s=%.0f eta=%.0fs\n",
          p->tty ? "\r\033[K" : "", (long long)epoch, (long long)epochs, loss, val, lr,
          samples_per_s, eta_s);
  fflush(stderr);
}
