/* The inference graph as ONNX (opset 13), written with the protobuf helpers
 * of pb.c: input "input" [N, input dims], outputs "reconstruction" and
 * "code". Initializers carry the session's weights under the names
 * `export` uses for .npz (the torch.nn.Sequential state_dict names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aec/runtime.h"
#include "pb.h"
#include "rt_internal.h"

enum { ONNX_FLOAT = 1, ONNX_INT64 = 7, ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_INTS = 7 };

typedef struct graph {
  aec_pb body; /* GraphProto fields: nodes and initializers */
  int values;  /* names t1, t2, ... */
  const aec_session *s;
} graph;

static void attr_begin(aec_pb *a, const char *name, int type) {
  memset(a, 0, sizeof *a);
  aec_pb_string_field(a, 1, name);
  aec_pb_varint_field(a, 20, (uint64_t)type);
}

static void attr_ints(aec_pb *node, const char *name, const int64_t *v, int n) {
  aec_pb a;
  attr_begin(&a, name, ATTR_INTS);
  for (int i = 0; i < n; ++i) aec_pb_varint_field(&a, 8, (uint64_t)v[i]);
  aec_pb_message_field(node, 5, &a);
}

static void attr_int(aec_pb *node, const char *name, int64_t v) {
  aec_pb a;
  attr_begin(&a, name, ATTR_INT);
  aec_pb_varint_field(&a, 3, (uint64_t)v);
  aec_pb_message_field(node, 5, &a);
}

static void attr_float(aec_pb *node, const char *name, float v) {
  aec_pb a;
  attr_begin(&a, name, ATTR_FLOAT);
  aec_pb_float_field(&a, 2, v);
  aec_pb_message_field(node, 5, &a);
}

static void attr_string(aec_pb *node, const char *name, const char *v) {
  aec_pb a;
  attr_begin(&a, name, ATTR_STRING);
  aec_pb_string_field(&a, 4, v);
  aec_pb_message_field(node, 5, &a);
}

/* A node op(inputs) -> a fresh value, whose name goes to `out`; attributes
 * are added to *node by the caller before node_end. */
static void node_begin(graph *g, aec_pb *node, const char *op, const char *const *inputs, int n,
                       char *out) {
  memset(node, 0, sizeof *node);
  for (int i = 0; i < n; ++i) aec_pb_string_field(node, 1, inputs[i]);
  if (out[0] == '\0') snprintf(out, 32, "t%d", ++g->values);
  aec_pb_string_field(node, 2, out);
  aec_pb_string_field(node, 4, op);
}
static void node_end(graph *g, aec_pb *node) { aec_pb_message_field(&g->body, 1, node); }

/* A single node with no attributes; `value` becomes its output. */
static void simple(graph *g, const char *op, char *value, const char *extra) {
  const char *in[2] = {value, extra};
  char out[32] = "";
  aec_pb node;
  node_begin(g, &node, op, in, extra ? 2 : 1, out);
  node_end(g, &node);
  strcpy(value, out);
}

static void initializer(graph *g, const char *name, int type, const int64_t *dims, int rank,
                        const void *data, size_t bytes) {
  aec_pb t = {0};
  for (int i = 0; i < rank; ++i) aec_pb_varint_field(&t, 1, (uint64_t)dims[i]);
  aec_pb_varint_field(&t, 2, (uint64_t)type);
  aec_pb_string_field(&t, 8, name);
  aec_pb_bytes_field(&t, 9, data, bytes); /* raw_data: little-endian, as in memory */
  aec_pb_message_field(&g->body, 5, &t);
}

/* Tensor `t` as an initializer in PyTorch's layout; its name into `name`. */
static int weight(graph *g, int32_t t, char *name) {
  const aec_model *m = g->s->model;
  const aec_tensor_info *ti = &m->tensors[t];
  aec_rt_torch_name(m, t, name, 64);
  const float *src = g->s->params + ti->offset;
  int64_t dims[AEC_MAX_RANK];
  for (int32_t d = 0; d < ti->rank; ++d) dims[d] = ti->dims[d];
  if (ti->rank != 2) {
    initializer(g, name, ONNX_FLOAT, dims, ti->rank, src, sizeof(float) * (size_t)ti->size);
    return 0;
  }
  float *tr = (float *)malloc(sizeof(float) * (size_t)ti->size);
  if (!tr) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  for (int64_t i = 0; i < dims[0]; ++i)
    for (int64_t j = 0; j < dims[1]; ++j) tr[j * dims[0] + i] = src[i * dims[1] + j];
  int64_t tdims[2] = {dims[1], dims[0]};
  initializer(g, name, ONNX_FLOAT, tdims, 2, tr, sizeof(float) * (size_t)ti->size);
  free(tr);
  return 0;
}

static void value_info(aec_pb *graph_body, int field, const char *name, int rank, const int64_t *dims) {
  aec_pb shape = {0}, tensor = {0}, type = {0}, vi = {0}, dim = {0};
  aec_pb_string_field(&dim, 2, "N");
  aec_pb_message_field(&shape, 1, &dim);
  for (int i = 0; i < rank; ++i) {
    aec_pb_varint_field(&dim, 1, (uint64_t)dims[i]);
    aec_pb_message_field(&shape, 1, &dim);
  }
  aec_pb_varint_field(&tensor, 1, ONNX_FLOAT);
  aec_pb_message_field(&tensor, 2, &shape);
  aec_pb_message_field(&type, 1, &tensor);
  aec_pb_string_field(&vi, 1, name);
  aec_pb_message_field(&vi, 2, &type);
  aec_pb_message_field(graph_body, field, &vi);
}

/* Stride of a same-padded conv from its sizes (ceil(in / s) = out). */
static int64_t conv_stride(int64_t in, int64_t out) {
  for (int64_t s = 1; s <= in; ++s)
    if ((in + s - 1) / s == out) return s;
  return 1;
}

static int layer_nodes(graph *g, int32_t l, const int64_t *in_dims, int32_t in_rank, char *value) {
  const aec_model *m = g->s->model;
  const aec_layer_info *L = &m->layers[l];
  int32_t w = -1, b = -1;
  for (int32_t t = 0; t < m->num_tensors; ++t)
    if (m->tensors[t].layer == l) {
      if (strstr(m->tensors[t].name, ".weight")) w = t;
      else if (strstr(m->tensors[t].name, ".bias")) b = t;
    }
  char wn[64], bn[64], out[32] = "";
  aec_pb node;
  int rc = 0;
  switch (L->kind) {
  case AEC_DENSE: {
    if (w < 0 || b < 0)
      return aec_rt_fail(AEC_RT_EUSER, "layer `%s`: tied weights cannot be exported to ONNX", L->name);
    if (in_rank != 1) simple(g, "Flatten", value, NULL);
    if ((rc = weight(g, w, wn)) || (rc = weight(g, b, bn))) return rc;
    const char *in[3] = {value, wn, bn};
    node_begin(g, &node, "Gemm", in, 3, out);
    attr_int(&node, "transB", 1);
    node_end(g, &node);
    break;
  }
  case AEC_CONV2D:
  case AEC_CONV1D: {
    if ((rc = weight(g, w, wn)) || (rc = weight(g, b, bn))) return rc;
    const aec_tensor_info *ti = &m->tensors[w];
    int sp = L->kind == AEC_CONV2D ? 2 : 1;
    int64_t k[2], pads[4], strides[2];
    for (int d = 0; d < sp; ++d) {
      k[d] = ti->dims[2 + d];
      pads[d] = (k[d] - 1) / 2;
      pads[sp + d] = k[d] - 1 - pads[d];
      strides[d] = conv_stride(in_dims[1 + d], L->out_dims[1 + d]);
    }
    const char *in[3] = {value, wn, bn};
    node_begin(g, &node, "Conv", in, 3, out);
    attr_ints(&node, "kernel_shape", k, sp);
    attr_ints(&node, "pads", pads, 2 * sp);
    attr_ints(&node, "strides", strides, sp);
    node_end(g, &node);
    break;
  }
  case AEC_MAXPOOL:
  case AEC_AVGPOOL: {
    int sp = L->out_rank - 1;
    int64_t k[2];
    for (int d = 0; d < sp; ++d) k[d] = in_dims[1 + d] / L->out_dims[1 + d];
    const char *in[1] = {value};
    node_begin(g, &node, L->kind == AEC_MAXPOOL ? "MaxPool" : "AveragePool", in, 1, out);
    attr_ints(&node, "kernel_shape", k, sp);
    attr_ints(&node, "strides", k, sp);
    node_end(g, &node);
    break;
  }
  case AEC_UPSAMPLE: {
    float scales[AEC_MAX_RANK + 1] = {1, 1};
    for (int32_t d = 1; d < L->out_rank; ++d) scales[1 + d] = (float)(L->out_dims[d] / in_dims[d]);
    int64_t n = L->out_rank + 1;
    char sn[32];
    snprintf(sn, sizeof sn, "%s.scales", L->name);
    initializer(g, sn, ONNX_FLOAT, &n, 1, scales, sizeof(float) * (size_t)n);
    const char *in[3] = {value, "", sn};
    node_begin(g, &node, "Resize", in, 3, out);
    attr_string(&node, "mode", "nearest");
    attr_string(&node, "coordinate_transformation_mode", "asymmetric");
    attr_string(&node, "nearest_mode", "floor");
    node_end(g, &node);
    break;
  }
  case AEC_FLATTEN:
    strcpy(out, value);
    if (in_rank != 1) simple(g, "Flatten", out, NULL);
    break;
  case AEC_RESHAPE: {
    int64_t shape[AEC_MAX_RANK + 1] = {-1}, n = L->out_rank + 1;
    for (int32_t d = 0; d < L->out_rank; ++d) shape[1 + d] = L->out_dims[d];
    char sn[32];
    snprintf(sn, sizeof sn, "%s.shape", L->name);
    initializer(g, sn, ONNX_INT64, &n, 1, shape, sizeof(int64_t) * (size_t)n);
    strcpy(out, value);
    simple(g, "Reshape", out, sn);
    break;
  }
  default:
    return aec_rt_fail(AEC_RT_EUSER, "layer `%s`: kind %d cannot be exported to ONNX", L->name, L->kind);
  }
  strcpy(value, out);
  static const char *const act[] = {NULL, "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu"};
  if (L->activation == AEC_LINEAR) return 0;
  if (L->activation < 0 || L->activation > AEC_ELU) /* e.g. silu: no ONNX operator */
    return aec_rt_fail(AEC_RT_EUSER, "layer `%s`: activation %d cannot be exported to ONNX",
                       L->name, L->activation);
  const char *in[1] = {value};
  char a[32] = "";
  node_begin(g, &node, act[L->activation], in, 1, a);
  if (L->activation == AEC_LEAKY_RELU) attr_float(&node, "alpha", 0.01f);
  if (L->activation == AEC_ELU) attr_float(&node, "alpha", 1.0f);
  node_end(g, &node);
  strcpy(value, a);
  return 0;
}

int aec_rt_export_onnx(aec_session *s, const char *path) {
  const aec_model *m = s->model;
  graph g = {{0}, 0, s};
  char value[32] = "input", code[32] = "";
  const int64_t *in_dims = m->input_dims;
  int32_t in_rank = m->input_rank;
  int rc = 0;
  for (int32_t l = 0; l < m->num_layers && !rc; ++l) {
    rc = layer_nodes(&g, l, in_dims, in_rank, value);
    if (l == m->code_layer) strcpy(code, value);
    in_dims = m->layers[l].out_dims;
    in_rank = m->layers[l].out_rank;
  }
  if (rc) {
    aec_pb_free(&g.body);
    return rc;
  }
  char rec[32] = "reconstruction", cd[32] = "code";
  aec_pb node;
  const char *r_in[1] = {value}, *c_in[1] = {code};
  node_begin(&g, &node, "Identity", r_in, 1, rec);
  node_end(&g, &node);
  node_begin(&g, &node, "Identity", c_in, 1, cd);
  node_end(&g, &node);
  aec_pb_string_field(&g.body, 2, m->name);
  value_info(&g.body, 11, "input", m->input_rank, m->input_dims);
  const aec_layer_info *last = &m->layers[m->num_layers - 1], *cl = &m->layers[m->code_layer];
  value_info(&g.body, 12, "reconstruction", last->out_rank, last->out_dims);
  value_info(&g.body, 12, "code", cl->out_rank, cl->out_dims);

  aec_pb model = {0}, opset = {0};
  aec_pb_varint_field(&model, 1, 7); /* IR version 7 goes with opset 13 */
  aec_pb_string_field(&model, 2, "aec");
  aec_pb_string_field(&model, 3, AEC_VERSION);
  aec_pb_message_field(&model, 7, &g.body);
  aec_pb_string_field(&opset, 1, "");
  aec_pb_varint_field(&opset, 2, 13);
  aec_pb_message_field(&model, 8, &opset);
  if (model.failed) {
    aec_pb_free(&model);
    return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  }
  aec_out out;
  FILE *f = aec_rt_out_open(&out, path);
  if (!f) {
    aec_pb_free(&model);
    return AEC_RT_EUSER;
  }
  int ok = fwrite(model.data, 1, model.size, f) == model.size;
  aec_pb_free(&model);
  return aec_rt_out_close(&out, ok);
}
