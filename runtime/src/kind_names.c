/* Names of the registered kinds (the .def tables of runtime/include/aec) for the CLI's
 * `info` and training header: the same rows the compiler reads. */
#include "cli.h"

#include <stddef.h>

static const char *const kOptimizerNames[] = {
#define AEC_OPTIMIZER(Name, C, keyword, ...) keyword,
#include "aec/optimizers.def"
};
static const char *const kLossNames[] = {
#define AEC_LOSS(Name, C, keyword, ...) keyword,
#include "aec/losses.def"
};

static const char *name_of(const char *const *names, size_t count, int32_t v) {
  return v >= 0 && (size_t)v < count ? names[v] : "?";
}
const char *aec_cli_optimizer_name(int32_t opt) {
  return name_of(kOptimizerNames, sizeof kOptimizerNames / sizeof *kOptimizerNames, opt);
}
const char *aec_cli_loss_name(int32_t loss) {
  return name_of(kLossNames, sizeof kLossNames / sizeof *kLossNames, loss);
}
