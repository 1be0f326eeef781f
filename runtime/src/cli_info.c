/* `info`: the architecture table compiled into the model, then one line
 * of totals and training defaults; with --weights, what the checkpoint
 * holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* --weights: the checkpoint's header fields and whether it fits this model. */
static int describe_checkpoint(const aec_cli_opts *o, const aec_model *m) {
  aec_ckpt c;
  int rc = aec_ckpt_read(o->weights, &c);
  if (rc) return aec_cli_report(o, "info", rc);
  int64_t floats = 0;
  for (int32_t i = 0; i < c.num_tensors; ++i) floats += c.tensors[i].size;
  printf("checkpoint %s: model=%s arch_hash=%016llx (%s) step=%lld epoch=%lld optimizer=%s "
         "slots=%d lr=%g seed=%llu tensors=%d params=%lld\n",
         o->weights, c.model_name, (unsigned long long)c.arch_hash,
         c.arch_hash == m->arch_hash ? "matches this model" : "another architecture",
         (long long)c.step, (long long)c.epoch, aec_cli_optimizer_name(c.optimizer), c.opt_slots,
         (double)c.lr, (unsigned long long)c.seed, c.num_tensors, (long long)floats);
  char threshold[32] = "none";
  if (c.has_threshold) snprintf(threshold, sizeof threshold, "%.9g", (double)c.threshold);
  printf("  normalization=%s threshold=%s\n",
         c.norm_kind == 0 ? "none" : c.norm_kind == AEC_NORM_MINMAX ? "minmax" : "standard", threshold);
  aec_ckpt_free(&c);
  return EXIT_OK;
}

int aec_cli_info(const aec_cli_opts *o, const aec_model *m) {
  if (m->summary && *m->summary) {
    fputs(m->summary, stdout);
    if (m->summary[strlen(m->summary) - 1] != '\n') putchar('\n');
  }
  /* param_count is the parameter buffer, tensors padded for alignment. */
  int64_t params = 0, trainable = 0;
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    params += m->tensors[i].size;
    if (m->tensors[i].trainable) trainable += m->tensors[i].size;
  }
  printf("model %s: params=%lld trainable=%lld layers=%d input=%lld code=%lld\n", m->name,
         (long long)params, (long long)trainable, m->num_layers, (long long)m->input_size,
         (long long)m->code_size);
  printf("train: optimizer=%s lr=%g batch=%lld epochs=%lld seed=%llu loss=%s max_batch=%lld%s\n",
         aec_cli_optimizer_name(m->optimizer), (double)m->lr, (long long)m->batch, (long long)m->epochs,
         (unsigned long long)m->seed, aec_cli_loss_name(m->loss), (long long)m->max_batch,
         m->inference_only ? " inference-only" : "");
  if (m->packed_words)
    printf("inference: weight-format=%s (dense weights, a %lld KiB copy made from the f32 "
           "weights at load; training f32)\n", aec_rt_weight_format_name(m->weight_format),
           (long long)((m->packed_words * 4 + 1023) / 1024));
  return o->weights ? describe_checkpoint(o, m) : EXIT_OK;
}
