/* `ref_ae` / `ref_ae_mse`: a generated-executable stand-in, the reference
 * model linked with the runtime. REF_AE_PRETRAINED=path turns ref_ae's
 * encoder tensors into pretrained ones (tests the transfer loader);
 * REF_AE_ARCH_HASH=hex fakes another architecture (foreign checkpoints). */
#include <stdlib.h>
#include <string.h>

#include "aec/runtime.h"
#include "ref_model.h"

int main(int argc, char **argv) {
  static aec_model m;
  static aec_tensor_info tensors[16];
  m = REF_MODEL;
  const char *pre = getenv("REF_AE_PRETRAINED");
  const char *hash = getenv("REF_AE_ARCH_HASH");
  if (hash) m.arch_hash = strtoull(hash, NULL, 16);
  if (pre && m.num_tensors <= 16) {
    memcpy(tensors, m.tensors, sizeof(aec_tensor_info) * (size_t)m.num_tensors);
    for (int i = 0; i < m.num_tensors; ++i)
      if (m.layers[tensors[i].layer].section == 0) tensors[i].from_pretrained = 1;
    m.tensors = tensors;
    m.pretrained_path = pre;
  }
  return aec_rt_main(argc, argv, &m);
}
