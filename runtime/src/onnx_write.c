/* The inference graph as ONNX (opset 13), written with the protobuf helpers
 * of pb.c: input "input" [N, input dims], outputs "reconstruction" and
 * "code". Initializers carry the session's weights under the names
 * `export` uses for .npz (the torch.nn.Sequential state_dict names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aec/runtime.h"
#include "layer_tensor.h"
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

/* A node op(in...) with no attributes -> a fresh value in `out`. */
static void apply(graph *g, const char *op, const char *a, const char *b, char *out) {
  const char *in[2] = {a, b};
  aec_pb node;
  out[0] = '\0';
  node_begin(g, &node, op, in, b ? 2 : 1, out);
  node_end(g, &node);
}

/* apply() whose output replaces `value`. */
static void simple(graph *g, const char *op, char *value, const char *extra) {
  char out[32];
  apply(g, op, value, extra, out);
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

/* Tensor `t` as an initializer in PyTorch's layout (`dims` given: that shape,
 * the same elements); its name into `name`. */
static int weight_shaped(graph *g, int32_t t, char *name, const int64_t *dims, int32_t rank) {
  const aec_model *m = g->s->model;
  const aec_tensor_info *ti = &m->tensors[t];
  aec_rt_torch_name(m, t, name, 64);
  const float *src = g->s->params + ti->offset;
  if (dims || ti->rank != 2) {
    initializer(g, name, ONNX_FLOAT, dims ? dims : ti->dims, dims ? rank : ti->rank, src,
                sizeof(float) * (size_t)ti->size);
    return 0;
  }
  float *tr = (float *)malloc(sizeof(float) * (size_t)ti->size);
  if (!tr) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  for (int64_t i = 0; i < ti->dims[0]; ++i)
    for (int64_t j = 0; j < ti->dims[1]; ++j) tr[j * ti->dims[0] + i] = src[i * ti->dims[1] + j];
  int64_t tdims[2] = {ti->dims[1], ti->dims[0]};
  initializer(g, name, ONNX_FLOAT, tdims, 2, tr, sizeof(float) * (size_t)ti->size);
  free(tr);
  return 0;
}
static int weight(graph *g, int32_t t, char *name) { return weight_shaped(g, t, name, NULL, 0); }

/* The mean of each sample of `in` over its dims 1..rank, kept as size-1 dims. */
static void sample_mean(graph *g, const char *in, int32_t rank, char *out) {
  int64_t axes[AEC_MAX_RANK];
  for (int32_t a = 0; a < rank; ++a) axes[a] = 1 + a;
  aec_pb node;
  out[0] = '\0';
  node_begin(g, &node, "ReduceMean", &in, 1, out);
  attr_ints(&node, "axes", axes, rank);
  attr_int(&node, "keepdims", 1);
  node_end(g, &node);
}

/* A float scalar initializer named `<layer>.<what>`; its name into `name`. */
static void scalar(graph *g, const char *layer, const char *what, float v, char *name) {
  snprintf(name, 32, "%s.%s", layer, what);
  initializer(g, name, ONNX_FLOAT, NULL, 0, &v, sizeof v);
}

/* Layer l's tensors with these suffixes as initializers (their names into
 * names[i], shaped `dims` if given). */
static int layer_weights(graph *g, int32_t l, const char *const *suffixes, int n,
                         char (*names)[64], const int64_t *dims, int32_t rank) {
  const aec_model *m = g->s->model;
  for (int i = 0; i < n; ++i) {
    int32_t t = aec_rt_layer_tensor(m, l, suffixes[i]);
    if (t < 0)
      return aec_rt_fail(AEC_RT_EINTERNAL, "layer `%s`: no `%s` tensor", m->layers[l].name,
                         suffixes[i]);
    int rc = weight_shaped(g, t, names[i], dims, rank);
    if (rc) return rc;
  }
  return 0;
}

/* Layer norm over all of a sample's features (opset 13 has no
 * LayerNormalization): (x - mean) / sqrt(var + eps) * gamma + beta, gamma and
 * beta shaped as the sample so that they broadcast over the batch. */
static int layer_norm_nodes(graph *g, int32_t l, const int64_t *in_dims, int32_t in_rank,
                            const char *x, char *out) {
  static const char *const suffixes[2] = {".gamma", ".beta"};
  char w[2][64], eps[32], mean[32], d[32], sq[32], var[32], ve[32], sd[32], nx[32], y[32];
  int rc = layer_weights(g, l, suffixes, 2, w, in_dims, in_rank);
  if (rc) return rc;
  sample_mean(g, x, in_rank, mean);
  apply(g, "Sub", x, mean, d);
  apply(g, "Mul", d, d, sq);
  sample_mean(g, sq, in_rank, var);
  scalar(g, g->s->model->layers[l].name, "eps", (float)AEC_NORM_EPS, eps);
  apply(g, "Add", var, eps, ve);
  apply(g, "Sqrt", ve, NULL, sd);
  apply(g, "Div", d, sd, nx);
  apply(g, "Mul", nx, w[0], y);
  apply(g, "Add", y, w[1], out);
  return 0;
}

/* Batch norm at inference: the running statistics (BatchNormalization's
 * inputs scale, B, mean, var are batch norm's gamma, beta and running stats). */
static int batch_norm_nodes(graph *g, int32_t l, const char *x, char *out) {
  static const char *const suffixes[4] = {".gamma", ".beta", ".running_mean", ".running_var"};
  char w[4][64];
  int rc = layer_weights(g, l, suffixes, 4, w, NULL, 0);
  if (rc) return rc;
  const char *in[5] = {x, w[0], w[1], w[2], w[3]};
  aec_pb node;
  out[0] = '\0';
  node_begin(g, &node, "BatchNormalization", in, 5, out);
  attr_float(&node, "epsilon", (float)AEC_NORM_EPS);
  node_end(g, &node);
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

/* The registries' keywords, for messages. */
static const char *layer_keyword(int32_t kind) {
  static const char *const names[] = {
#define AEC_LAYER_KIND(Name, C, keyword, ...) keyword,
#include "aec/layer_kinds.def"
  };
  return kind >= 0 && kind < (int32_t)(sizeof names / sizeof *names) ? names[kind] : "?";
}
static const char *activation_keyword(int32_t act) {
  static const char *const names[] = {
#define AEC_ACTIVATION(Name, C, keyword, ...) keyword,
#include "aec/activations.def"
  };
  return act >= 0 && act < (int32_t)(sizeof names / sizeof *names) ? names[act] : "?";
}

/* Layer L's activation after `value` (which becomes its output). An
 * activation with no case here is refused (a user error naming it). */
static int activation_nodes(graph *g, const aec_layer_info *L, char *value) {
  const char *op = NULL;
  float alpha = 0.0f;
  switch (L->activation) {
  case AEC_LINEAR: return 0;
  case AEC_RELU: op = "Relu"; break;
  case AEC_LEAKY_RELU: op = "LeakyRelu", alpha = AEC_LEAKY_RELU_SLOPE; break;
  case AEC_SIGMOID: op = "Sigmoid"; break;
  case AEC_TANH: op = "Tanh"; break;
  case AEC_ELU: op = "Elu", alpha = AEC_ELU_ALPHA; break;
  case AEC_SILU: { /* x * sigmoid(x): no SiLU operator in opset 13 */
    char sig[32], out[32];
    apply(g, "Sigmoid", value, NULL, sig);
    apply(g, "Mul", value, sig, out);
    strcpy(value, out);
    return 0;
  }
  default:
    return aec_rt_fail(AEC_RT_EUSER, "layer `%s`: activation `%s` cannot be exported to ONNX",
                       L->name, activation_keyword(L->activation));
  }
  const char *in[1] = {value};
  char out[32] = "";
  aec_pb node;
  node_begin(g, &node, op, in, 1, out);
  if (alpha != 0.0f) attr_float(&node, "alpha", alpha);
  node_end(g, &node);
  strcpy(value, out);
  return 0;
}

static int layer_nodes(graph *g, int32_t l, const int64_t *in_dims, int32_t in_rank, char *value) {
  const aec_model *m = g->s->model;
  const aec_layer_info *L = &m->layers[l];
  const int32_t w = aec_rt_layer_tensor(m, l, ".weight"), b = aec_rt_layer_tensor(m, l, ".bias");
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
  case AEC_BATCHNORM:
    if ((rc = batch_norm_nodes(g, l, value, out))) return rc;
    break;
  case AEC_LAYERNORM:
    if ((rc = layer_norm_nodes(g, l, in_dims, in_rank, value, out))) return rc;
    break;
  case AEC_DROPOUT: /* the identity at inference */
    strcpy(out, value);
    break;
  default:
    return aec_rt_fail(AEC_RT_EUSER, "layer `%s`: a `%s` layer cannot be exported to ONNX", L->name,
                       layer_keyword(L->kind));
  }
  strcpy(value, out);
  return activation_nodes(g, L, value);
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
