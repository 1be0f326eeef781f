/* Sessions: the buffers a model needs (params, grads, optimizer state,
 * workspace) and the inference entry points, which split n into chunks of
 * at most max_batch. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "rt_internal.h"

static int check_model(const aec_model *m) {
  if (!m) return aec_rt_fail(AEC_RT_EUSER, "no model given");
  if (m->abi_version != AEC_ABI_VERSION)
    return aec_rt_fail(AEC_RT_EINTERNAL,
                       "model `%s` was compiled for runtime ABI %d, this runtime implements %d",
                       m->name ? m->name : "?", m->abi_version, AEC_ABI_VERSION);
  if (m->max_batch < 1 || m->param_count < 0 || m->workspace_size < 0 || m->input_size < 1 ||
      m->num_layers < 1 || !m->layers || m->code_layer < 0 || m->code_layer >= m->num_layers ||
      !m->forward)
    return aec_rt_fail(AEC_RT_EINTERNAL, "model `%s` has an inconsistent description",
                       m->name ? m->name : "?");
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    if (t->offset < 0 || t->size < 0 || t->offset + t->size > m->param_count)
      return aec_rt_fail(AEC_RT_EINTERNAL, "model `%s`: tensor `%s` lies outside the parameters",
                         m->name, t->name);
  }
  return 0;
}

/* Zeroed float buffer. Big ones (params, grads, optimizer state, workspace
 * of real models) are 2 MB aligned and advised as transparent huge pages:
 * the GEMMs and the fused optimizer stream through all of them every step,
 * and with THP in `madvise` mode (a common default) they would otherwise sit
 * on 4 KB pages and miss the TLB. Freed with free(). */
static float *alloc_floats(int64_t n) {
  /* More than the machine has would only fail later, or thrash (and a
   * sanitizer's allocator aborts on absurd sizes instead of returning NULL). */
  if (n < 0 || (uint64_t)n > aec_rt_memory_cap() / sizeof(float)) return NULL;
  size_t bytes = (n > 0 ? (size_t)n : 1) * sizeof(float);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const size_t huge = (size_t)2 << 20;
  if (bytes >= huge) {
    void *p = NULL;
    size_t rounded = (bytes + huge - 1) & ~(huge - 1);
    if (posix_memalign(&p, huge, rounded) == 0) {
      madvise(p, rounded, MADV_HUGEPAGE); /* advisory: failure is harmless */
      memset(p, 0, rounded);
      return (float *)p;
    }
  }
#endif
  return (float *)calloc(1, bytes);
}

aec_session *aec_rt_create(const aec_model *model) {
  if (check_model(model)) return NULL;
  aec_session *s = (aec_session *)calloc(1, sizeof *s);
  if (!s) { aec_rt_fail(AEC_RT_EINTERNAL, "out of memory creating a session"); return NULL; }
  s->model = model;
  s->params = alloc_floats(model->param_count);
  s->ws = alloc_floats(model->workspace_size);
  int ok = s->params && s->ws;
  if (model->weight_format != AEC_WEIGHTS_F32 && model->packed_words > 0 && model->weight_pack &&
      model->forward_packed && model->decode_packed) {
    s->packed = (uint32_t *)alloc_floats(model->packed_words); /* 4-byte words */
    ok = ok && s->packed;
    s->packed_on = 1;
  }
  if (!model->inference_only && model->accumulate && model->update) {
    s->grads = alloc_floats(model->param_count);
    ok = ok && s->grads;
    if (model->opt_slots > 0) {
      s->opt_state = alloc_floats(model->opt_slots * model->param_count);
      ok = ok && s->opt_state;
    }
  }
  if (!ok) {
    /* Name what was asked for: "3232 parameters" hides that the workspace
     * of a big batch is what does not fit. Doubles: no wrap. */
    int train = s->grads || (!model->inference_only && model->accumulate && model->update);
    double params = 4.0 * (double)model->param_count, ws = 4.0 * (double)model->workspace_size;
    double total = params * (train ? 2.0 + (double)model->opt_slots : 1.0) + ws;
    aec_rt_fail(AEC_RT_EINTERNAL,
                "out of memory: model `%s` needs %.4g GiB for %s (parameters%s %.4g GiB, workspace "
                "%.4g GiB for batches of %lld); this machine has %.4g GiB", model->name,
                total / 1073741824.0, train ? "training" : "inference",
                train ? ", gradients and optimizer state" : "", (total - ws) / 1073741824.0,
                ws / 1073741824.0, (long long)model->max_batch, (double)aec_rt_memory_cap() / 1073741824.0);
    aec_rt_destroy(s);
    return NULL;
  }
  if (aec_rt_reset(s, model->seed)) {
    aec_rt_destroy(s);
    return NULL;
  }
  return s;
}

void aec_rt_destroy(aec_session *s) {
  if (!s) return;
  free(s->params);
  free(s->grads);
  free(s->opt_state);
  free(s->ws);
  free(s->packed);
  free(s->last_params);
  free(s->best_params);
  aec_norm_clear(s);
  free(s);
}

void aec_workflow_state_init(aec_train_state *t) {
  t->base_lr = 0;
  t->plateau_scale = 1;
  t->plateau_wait = 0;
  t->best_val = INFINITY;
  t->best_epoch = 0;
  t->stop_wait = 0;
}

int aec_rt_reset(aec_session *s, uint64_t seed) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  const aec_model *m = s->model;
  if (s->grads) memset(s->grads, 0, sizeof(float) * (size_t)m->param_count);
  if (s->opt_state) memset(s->opt_state, 0, sizeof(float) * (size_t)(m->opt_slots * m->param_count));
  s->step = 0;
  s->epoch = 0;
  s->seed = seed;
  s->lr = m->lr;
  aec_workflow_state_init(&s->train);
  free(s->last_params);
  s->last_params = NULL;
  s->has_threshold = 0;
  aec_rng_seed(&s->rng, aec_rt_mix64(seed ^ 0x5eedull));
  return aec_rt_init_params(s, seed);
}

const aec_model *aec_rt_session_model(const aec_session *s) { return s ? s->model : NULL; }
float *aec_rt_params(aec_session *s) {
  if (!s) return NULL;
  aec_rt_params_changed(s); /* the caller may write through it */
  return s->params;
}

static const char *const kWeightFormats[] = {
#define AEC_WEIGHT_FORMAT(Name, C, keyword, ...) keyword,
#include "aec/weight_formats.def"
};
#define NFORMATS (int32_t)(sizeof kWeightFormats / sizeof *kWeightFormats)

const char *aec_rt_weight_format_name(int32_t format) {
  return format >= 0 && format < NFORMATS ? kWeightFormats[format] : "?";
}

int aec_rt_set_weight_format(aec_session *s, const char *format) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  int32_t f = NFORMATS;
  for (int32_t i = 0; format && i < NFORMATS; ++i)
    if (!strcmp(format, kWeightFormats[i])) f = i;
  if (f == NFORMATS)
    return aec_rt_fail(AEC_RT_EUSER, "weight format `%s` is not one of f32, bf16, int8",
                       format ? format : "(null)");
  const int32_t built = s->packed ? s->model->weight_format : AEC_WEIGHTS_F32;
  if (f != AEC_WEIGHTS_F32 && f != built)
    return aec_rt_fail(AEC_RT_EUSER,
                       "model `%s` was built without `--weight-format %s` (it has no %s "
                       "inference code%s%s)", s->model->name, format, format,
                       built != AEC_WEIGHTS_F32 ? "; it has " : "",
                       built != AEC_WEIGHTS_F32 ? kWeightFormats[built] : "");
  s->packed_on = f != AEC_WEIGHTS_F32;
  return 0;
}

int aec_rt_packed_sync(aec_session *s) {
  if (!s->packed || !s->packed_on) return 0;
  if (s->packed_stale) {
    s->model->weight_pack(s->params, s->packed);
    s->packed_stale = 0;
  }
  return 1;
}
int64_t aec_rt_step(const aec_session *s) { return s ? s->step : 0; }
int64_t aec_rt_epoch(const aec_session *s) { return s ? s->epoch : 0; }
void aec_rt_set_epoch(aec_session *s, int64_t epoch) { if (s) s->epoch = epoch; }
float aec_rt_get_lr(const aec_session *s) { return s ? s->lr : 0.0f; }

int64_t aec_rt_layer_size(const aec_session *s, int32_t layer) {
  if (!s || layer < 0 || layer >= s->model->num_layers) return -1;
  return s->model->layers[layer].out_size;
}

static int check_args(const aec_session *s, const void *in, int64_t n, const void *out) {
  if (!s) return aec_rt_fail(AEC_RT_EUSER, "no session given");
  if (n < 0) return aec_rt_fail(AEC_RT_EUSER, "negative sample count %lld", (long long)n);
  if (n > 0 && (!in || !out)) return aec_rt_fail(AEC_RT_EUSER, "null data pointer");
  return 0;
}

/* Forward chunk by chunk, copying layer `layer`'s output to out. */
static int forward_copy(aec_session *s, int32_t layer, const float *x, int64_t n, float *out) {
  const aec_model *m = s->model;
  const aec_layer_info *L = &m->layers[layer];
  int rc = aec_norm_require(s);
  if (rc) return rc;
  const int packed = aec_rt_packed_sync(s);
  for (int64_t i = 0; i < n; i += m->max_batch) {
    int64_t k = n - i < m->max_batch ? n - i : m->max_batch;
    const float *xk = aec_norm_input(s, x + i * m->input_size, k);
    if (packed)
      m->forward_packed(s->params, s->packed, s->ws, xk, k);
    else
      m->forward(s->params, s->ws, xk, k);
    memcpy(out + i * L->out_size, s->ws + L->act_offset, sizeof(float) * (size_t)(k * L->out_size));
    if (layer == m->num_layers - 1) aec_norm_output(s, out + i * L->out_size, k);
  }
  return 0;
}

int aec_rt_layer_output(aec_session *s, int32_t layer, const float *x, int64_t n, float *out) {
  int rc = check_args(s, x, n, out);
  if (rc) return rc;
  if (layer < 0 || layer >= s->model->num_layers)
    return aec_rt_fail(AEC_RT_EUSER, "layer index %d is out of range: model `%s` has %d layers",
                       layer, s->model->name, s->model->num_layers);
  return forward_copy(s, layer, x, n, out);
}

int aec_rt_encode(aec_session *s, const float *x, int64_t n, float *codes) {
  int rc = check_args(s, x, n, codes);
  return rc ? rc : forward_copy(s, s->model->code_layer, x, n, codes);
}

int aec_rt_reconstruct(aec_session *s, const float *x, int64_t n, float *out) {
  int rc = check_args(s, x, n, out);
  return rc ? rc : forward_copy(s, s->model->num_layers - 1, x, n, out);
}

int aec_rt_decode(aec_session *s, const float *codes, int64_t n, float *out) {
  int rc = check_args(s, codes, n, out);
  if (rc) return rc;
  const aec_model *m = s->model;
  if (!m->decode) return aec_rt_fail(AEC_RT_EINTERNAL, "model `%s` has no decode kernel", m->name);
  if ((rc = aec_norm_require(s))) return rc;
  const aec_layer_info *L = &m->layers[m->num_layers - 1];
  const int packed = aec_rt_packed_sync(s);
  for (int64_t i = 0; i < n; i += m->max_batch) {
    int64_t k = n - i < m->max_batch ? n - i : m->max_batch;
    if (packed)
      m->decode_packed(s->params, s->packed, s->ws, codes + i * m->code_size, k);
    else
      m->decode(s->params, s->ws, codes + i * m->code_size, k);
    memcpy(out + i * L->out_size, s->ws + L->act_offset, sizeof(float) * (size_t)(k * L->out_size));
    aec_norm_output(s, out + i * L->out_size, k);
  }
  return 0;
}
