/* Training progress: one line per epoch on stderr (stdout keeps the final
 * `train:` summary line for scripts). */
#include <stdio.h>

#include "cli.h"
#include "dist.h"

void aec_progress_epoch(int64_t epoch, int64_t epochs, double loss, int has_val, double val_mse,
                    double samples_per_s, double eta_s) {
  if (aec_dist_rank() != 0) return; /* one voice per job */
  char val[48] = "";
  if (has_val) snprintf(val, sizeof val, " val_mse=%.6g", val_mse);
  fprintf(stderr, "epoch %lld/%lld loss=%.6g%s samples/s=%.0f eta=%.0fs\n", (long long)epoch,
          (long long)epochs, loss, val, samples_per_s, eta_s);
  fflush(stderr);
}
