/* Weights as .npz in PyTorch's layout (runtime/README.md "Weights for NumPy
 * and PyTorch"): one float32 array per tensor, named as the equivalent
 * torch.nn.Sequential's state_dict ("<module index>.weight" / ".bias"),
 * dense weights transposed to [out, in], conv weights as stored
 * ([out, in, k...]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aec/runtime.h"
#include "zip_store.h"

int aec_rt_torch_name(const aec_model *m, int32_t t, char *buf, size_t n) {
  if (t < 0 || t >= m->num_tensors) return -1;
  const aec_tensor_info *ti = &m->tensors[t];
  int module = 0; /* each layer is a module, then its activation (if any) is the next */
  for (int32_t l = 0; l < ti->layer; ++l) module += m->layers[l].activation == AEC_LINEAR ? 1 : 2;
  const char *dot = strrchr(ti->name, '.'), *field = dot ? dot + 1 : ti->name;
  /* batch norm's and layer norm's scale and shift are torch's weight and bias */
  if (!strcmp(field, "gamma")) field = "weight";
  else if (!strcmp(field, "beta")) field = "bias";
  snprintf(buf, n, "%d.%s", module, field);
  return 0;
}

/* The tensor's shape in PyTorch: rank-2 (dense) weights are transposed. */
static void torch_dims(const aec_tensor_info *t, int64_t *dims) {
  for (int32_t d = 0; d < t->rank; ++d) dims[d] = t->dims[d];
  if (t->rank == 2) {
    dims[0] = t->dims[1];
    dims[1] = t->dims[0];
  }
}

/* dst[j][i] = src[i][j] for src [rows][cols]. */
static void transpose(float *dst, const float *src, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

int aec_rt_export(aec_session *s, const char *path) {
  size_t len = strlen(path);
  if (len > 5 && !strcmp(path + len - 5, ".onnx")) return aec_rt_export_onnx(s, path);
  const aec_model *m = s->model;
  aec_zip_writer z;
  int rc = aec_zip_open(&z, path);
  if (rc) return rc;
  for (int32_t t = 0; t < m->num_tensors && !rc; ++t) {
    const aec_tensor_info *ti = &m->tensors[t];
    char name[128];
    aec_rt_torch_name(m, t, name, sizeof name - 4);
    strcat(name, ".npy");
    int64_t dims[AEC_MAX_RANK] = {0};
    torch_dims(ti, dims);
    unsigned char header[256];
    size_t hlen = aec_npy_write_header(header, dims[0], ti->rank - 1, dims + 1);
    size_t bytes = hlen + (size_t)ti->size * sizeof(float);
    unsigned char *buf = (unsigned char *)malloc(bytes);
    if (!buf) {
      rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
      break;
    }
    memcpy(buf, header, hlen);
    const float *src = s->params + ti->offset;
    if (ti->rank == 2) transpose((float *)(void *)(buf + hlen), src, ti->dims[0], ti->dims[1]);
    else memcpy(buf + hlen, src, (size_t)ti->size * sizeof(float));
    rc = aec_zip_add(&z, name, buf, bytes);
    free(buf);
  }
  int crc = aec_zip_close(&z, rc == 0);
  return rc ? rc : crc;
}

typedef struct import_ctx {
  aec_session *s;
  const char *path;
  float *params; /* staged copy: the session changes only if everything fits */
  char *seen;
} import_ctx;

static int import_entry(void *vctx, const char *entry, const unsigned char *data, size_t size) {
  import_ctx *c = (import_ctx *)vctx;
  const aec_model *m = c->s->model;
  size_t len = strlen(entry);
  if (len < 4 || strcmp(entry + len - 4, ".npy") != 0)
    return aec_rt_fail(AEC_RT_EUSER, "%s: entry `%s` is not a .npy array", c->path, entry);
  int32_t t = 0;
  char name[128];
  for (; t < m->num_tensors; ++t) {
    aec_rt_torch_name(m, t, name, sizeof name);
    if (strlen(name) == len - 4 && !strncmp(name, entry, len - 4)) break;
  }
  if (t == m->num_tensors)
    return aec_rt_fail(AEC_RT_EUSER, "%s: `%.*s` is not a tensor of model `%s` (see `info`)",
                       c->path, (int)(len - 4), entry, m->name);
  const aec_tensor_info *ti = &m->tensors[t];
  aec_dataset d;
  memset(&d, 0, sizeof d);
  char where[300];
  snprintf(where, sizeof where, "%s: %s", c->path, entry);
  int rc = aec_data_parse_npy(where, data, size, &d);
  if (rc) return rc;
  int64_t want[AEC_MAX_RANK] = {0};
  torch_dims(ti, want);
  int same = d.rank == ti->rank - 1 && d.n == want[0];
  for (int32_t k = 0; same && k < d.rank; ++k) same = d.dims[k] == want[k + 1];
  if (!same) {
    char got[96], exp[96];
    int g = snprintf(got, sizeof got, "[%lld", (long long)d.n);
    for (int32_t k = 0; k < d.rank && g < 80; ++k) g += snprintf(got + g, sizeof got - (size_t)g, ", %lld", (long long)d.dims[k]);
    int e = snprintf(exp, sizeof exp, "[%lld", (long long)want[0]);
    for (int32_t k = 1; k < ti->rank && e < 80; ++k) e += snprintf(exp + e, sizeof exp - (size_t)e, ", %lld", (long long)want[k]);
    aec_data_free(&d);
    return aec_rt_fail(AEC_RT_EUSER, "%s: `%s` has shape %s], model `%s` needs %s] (tensor `%s`)",
                       c->path, name, got, m->name, exp, ti->name);
  }
  float *dst = c->params + ti->offset;
  if (ti->rank == 2) transpose(dst, d.data, ti->dims[1], ti->dims[0]);
  else memcpy(dst, d.data, (size_t)ti->size * sizeof(float));
  c->seen[t] = 1;
  aec_data_free(&d);
  return 0;
}

int aec_rt_import(aec_session *s, const char *path) {
  const aec_model *m = s->model;
  unsigned char *b = NULL;
  size_t size = 0;
  int rc = aec_rt_read_file(path, &b, &size);
  if (rc) return rc;
  import_ctx c = {s, path, (float *)malloc((size_t)m->param_count * sizeof(float) + 1),
                  (char *)calloc((size_t)m->num_tensors + 1, 1)};
  if (!c.params || !c.seen) rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  if (!rc) {
    memcpy(c.params, s->params, (size_t)m->param_count * sizeof(float));
    rc = aec_zip_read(path, b, size, import_entry, &c);
  }
  for (int32_t t = 0; !rc && t < m->num_tensors; ++t)
    if (!c.seen[t]) {
      char name[128];
      aec_rt_torch_name(m, t, name, sizeof name);
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: has no array `%s` (tensor `%s` of model `%s`)", path, name,
                       m->tensors[t].name, m->name);
    }
  if (!rc) {
    memcpy(s->params, c.params, (size_t)m->param_count * sizeof(float));
    aec_rt_params_changed(s);
  }
  free(c.params);
  free(c.seen);
  free(b);
  return rc;
}
