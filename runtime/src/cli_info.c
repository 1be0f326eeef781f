/* `info`: the architecture table compiled into the model, then one line
 * of totals and training defaults. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int aec_cli_info(const aec_cli_opts *o, const aec_model *m) {
  (void)o;
  if (m->summary && *m->summary) {
    fputs(m->summary, stdout);
    if (m->summary[strlen(m->summary) - 1] != '\n') putchar('\n');
  }
  int64_t trainable = 0;
  for (int32_t i = 0; i < m->num_tensors; ++i)
    if (m->tensors[i].trainable) trainable += m->tensors[i].size;
  printf("model %s: params=%lld trainable=%lld layers=%d input=%lld code=%lld\n", m->name,
         (long long)m->param_count, (long long)trainable, m->num_layers, (long long)m->input_size,
         (long long)m->code_size);
  printf("train: optimizer=%s lr=%g batch=%lld epochs=%lld seed=%llu loss=%s max_batch=%lld%s\n",
         aec_cli_optimizer_name(m->optimizer), (double)m->lr, (long long)m->batch, (long long)m->epochs,
         (unsigned long long)m->seed, aec_cli_loss_name(m->loss), (long long)m->max_batch,
         m->inference_only ? " inference-only" : "");
  return EXIT_OK;
}
