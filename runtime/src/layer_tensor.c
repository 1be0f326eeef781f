/* A layer's tensors by name suffix (layer_tensor.h). */
#include "layer_tensor.h"

#include <string.h>

int32_t aec_rt_layer_tensor(const aec_model *m, int32_t l, const char *suffix) {
  const size_t n = strlen(suffix);
  for (int32_t t = 0; t < m->num_tensors; ++t) {
    const char *name = m->tensors[t].name;
    const size_t len = strlen(name);
    if (m->tensors[t].layer == l && len >= n && !strcmp(name + len - n, suffix)) return t;
  }
  return -1;
}
