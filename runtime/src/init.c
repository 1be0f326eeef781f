/* Weight initialisation: each tensor by its init kind from its own RNG
 * stream (seed mixed with the tensor's name, so adding a tensor does not
 * change the others), then the from_pretrained tensors from the pretrained
 * checkpoint by name, with a dims check. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rt_internal.h"

static uint64_t name_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (; s && *s; ++s) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static void dims_str(char *buf, size_t cap, int32_t rank, const int64_t *dims) {
  size_t k = (size_t)snprintf(buf, cap, "[");
  for (int32_t i = 0; i < rank && k < cap; ++i)
    k += (size_t)snprintf(buf + k, cap - k, i ? ", %lld" : "%lld", (long long)dims[i]);
  if (k < cap) snprintf(buf + k, cap - k, "]");
}

static int load_transfer_tensors(aec_session *s) {
  const aec_model *m = s->model;
  int any = 0;
  for (int32_t i = 0; i < m->num_tensors; ++i) any |= m->tensors[i].from_pretrained;
  if (!any) return 0;
  if (!m->pretrained_path)
    return aec_rt_fail(AEC_RT_EINTERNAL, "model `%s` has pretrained tensors but no pretrained path",
                       m->name);
  aec_ckpt c;
  size_t len = strlen(m->pretrained_path);
  int onnx = len > 5 && !strcmp(m->pretrained_path + len - 5, ".onnx");
  int rc = onnx ? aec_onnx_read_encoder(m->pretrained_path, m, &c) : aec_ckpt_read(m->pretrained_path, &c);
  if (rc) return rc;
  for (int32_t i = 0; i < m->num_tensors && !rc; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    if (!t->from_pretrained) continue;
    const aec_ckpt_tensor *ct = aec_ckpt_find(&c, t->name);
    if (!ct) {
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: pretrained checkpoint (model `%s`) has no tensor `%s`",
                       m->pretrained_path, c.model_name, t->name);
      break;
    }
    int same = ct->rank == t->rank;
    for (int32_t d = 0; same && d < t->rank; ++d) same = ct->dims[d] == t->dims[d];
    if (!same) {
      char a[96], b[96];
      dims_str(a, sizeof a, ct->rank, ct->dims);
      dims_str(b, sizeof b, t->rank, t->dims);
      rc = aec_rt_fail(AEC_RT_EUSER,
                       "%s: pretrained tensor `%s` has shape %s but model `%s` needs %s",
                       m->pretrained_path, t->name, a, m->name, b);
      break;
    }
    memcpy(s->params + t->offset, ct->data, sizeof(float) * (size_t)t->size);
  }
  aec_ckpt_free(&c);
  return rc;
}

int aec_rt_init_params(aec_session *s, uint64_t seed) {
  const aec_model *m = s->model;
  memset(s->params, 0, sizeof(float) * (size_t)m->param_count);
  aec_rt_params_changed(s);
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    float *p = s->params + t->offset;
    double bound = 0;
    switch (t->init) {
    case AEC_INIT_KAIMING_UNIFORM: /* He et al. for ReLU: U(-sqrt(6/fan_in), +) */
      bound = sqrt(6.0 / (double)(t->fan_in > 0 ? t->fan_in : 1));
      break;
    case AEC_INIT_XAVIER_UNIFORM: /* Glorot: U(-sqrt(6/(fan_in+fan_out)), +) */
      bound = sqrt(6.0 / (double)(t->fan_in + t->fan_out > 0 ? t->fan_in + t->fan_out : 1));
      break;
    case AEC_INIT_ONE:
      for (int64_t k = 0; k < t->size; ++k) p[k] = 1.0f;
      continue;
    default:
      bound = 0;
    }
    if (bound == 0) continue;
    aec_rng r;
    aec_rng_seed(&r, seed ^ name_hash(t->name));
    for (int64_t k = 0; k < t->size; ++k)
      p[k] = (float)((2.0 * aec_rng_uniform(&r) - 1.0) * bound);
  }
  return load_transfer_tensors(s);
}
