/* `encoder from "pretrained.onnx"`: the weights of an ONNX model (e.g.
 * exported from PyTorch) as a checkpoint for the transfer loader in init.c.
 * The graph's seeding nodes, in order -- weighted (Gemm, MatMul + Add, Conv)
 * and normalization (BatchNormalization, LayerNormalization) -- seed the
 * encoder's layers that have tensors, in order, each by a node of its kind
 * (dense: Gemm or MatMul, conv: Conv, batchnorm: BatchNormalization with
 * scale, B, input_mean, input_var as gamma, beta and the running statistics,
 * layernorm: LayerNormalization's scale and B over the whole sample); a norm
 * node whose epsilon is not aec's is refused. The tensors are converted to
 * aec's layout (Gemm with transB=1 and PyTorch Linear: [out, in] -> [in,
 * out]; a layer norm's [C, H, W] scale flat) and named as the model's, so the
 * usual name and shape checks apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer_tensor.h"
#include "pb.h"
#include "rt_internal.h"

typedef struct onnx_init {
  aec_pb_field name, raw, floats;
  int64_t dims[AEC_MAX_RANK];
  int32_t rank, type;
} onnx_init;

/* What a seeding node is for: the layer kinds it may seed. */
enum seed_kind { SEED_DENSE, SEED_CONV, SEED_BATCHNORM, SEED_LAYERNORM };

/* A seeding node: its tensors in the order of the layer's (weight, bias; or
 * the layer_kinds.def `chan` row: gamma, beta[, running mean, variance]). */
typedef struct onnx_seed {
  int kind, node;    /* enum seed_kind; index into the nodes */
  const onnx_init *t[4];
  int transposed;    /* t[0] is [out, in] (Gemm transB=1) */
} onnx_seed;

static int same_name(const aec_pb_field *f, const unsigned char *s, size_t n) {
  return f->size == n && memcmp(f->data, s, n) == 0;
}

static int parse_init(const aec_pb_field *f, onnx_init *t) {
  memset(t, 0, sizeof *t);
  aec_pb_reader r = aec_pb_sub(f);
  aec_pb_field x;
  while (aec_pb_next(&r, &x)) {
    if (x.number == 1 && x.wire == 0 && t->rank < AEC_MAX_RANK) t->dims[t->rank++] = (int64_t)x.value;
    else if (x.number == 1 && x.wire == 2) {
      aec_pb_reader p = aec_pb_sub(&x);
      uint64_t v;
      while (aec_pb_packed_varint(&p, &v) && t->rank < AEC_MAX_RANK) t->dims[t->rank++] = (int64_t)v;
    } else if (x.number == 2) t->type = (int32_t)x.value;
    else if (x.number == 8) t->name = x;
    else if (x.number == 9) t->raw = x;
    else if (x.number == 4 && x.wire == 2) t->floats = x;
  }
  return !r.bad;
}

/* The initializer named by a node input, or NULL. */
static const onnx_init *find_init(const onnx_init *inits, int n, const aec_pb_field *name) {
  for (int i = 0; i < n; ++i)
    if (same_name(&inits[i].name, name->data, name->size)) return &inits[i];
  return NULL;
}

/* Node fields: op type, name, inputs (up to 5), the attributes read. */
typedef struct onnx_node {
  aec_pb_field op, name, in[5], out;
  int nin, transB, training_mode;
  int has_epsilon, has_axis;
  float epsilon; /* BatchNormalization, LayerNormalization */
  int64_t axis;  /* LayerNormalization (default -1) */
} onnx_node;

static int is_attr(const aec_pb_field *name, const char *s) {
  return same_name(name, (const unsigned char *)s, strlen(s));
}

static void parse_node(const aec_pb_field *f, onnx_node *n) {
  memset(n, 0, sizeof *n);
  aec_pb_reader r = aec_pb_sub(f);
  aec_pb_field x;
  while (aec_pb_next(&r, &x)) {
    if (x.number == 1 && x.wire == 2 && n->nin < 5) n->in[n->nin++] = x;
    else if (x.number == 2 && x.wire == 2) n->out = x;
    else if (x.number == 3 && x.wire == 2) n->name = x;
    else if (x.number == 4 && x.wire == 2) n->op = x;
    else if (x.number == 5 && x.wire == 2) {
      aec_pb_reader a = aec_pb_sub(&x);
      aec_pb_field y, name = {0};
      int64_t i = 0;
      float v = 0;
      int has_f = 0;
      while (aec_pb_next(&a, &y)) {
        if (y.number == 1 && y.wire == 2) name = y;
        else if (y.number == 3 && y.wire == 0) i = (int64_t)y.value;
        else if (y.number == 2 && y.wire == 5) {
          uint32_t bits = (uint32_t)y.value;
          memcpy(&v, &bits, sizeof v);
          has_f = 1;
        }
      }
      if (is_attr(&name, "transB")) n->transB = (int)i;
      else if (is_attr(&name, "training_mode")) n->training_mode = (int)i;
      else if (is_attr(&name, "axis")) n->axis = i, n->has_axis = 1;
      else if (is_attr(&name, "epsilon") && has_f) n->epsilon = v, n->has_epsilon = 1;
    }
  }
}

static int is_op(const onnx_node *n, const char *op) {
  return same_name(&n->op, (const unsigned char *)op, strlen(op));
}

/* The initializer a node input names, through Identity nodes (PyTorch's
 * exporter writes one for an initializer equal to another), or NULL. */
static const onnx_init *input_init(const onnx_init *inits, int ni, const onnx_node *ns, int nn,
                                   const aec_pb_field *name) {
  for (int depth = 0; depth < 8 && name->size; ++depth) {
    const onnx_init *t = find_init(inits, ni, name);
    if (t) return t;
    const aec_pb_field *next = NULL;
    for (int j = 0; j < nn && !next; ++j)
      if (ns[j].nin == 1 && same_name(&ns[j].out, name->data, name->size) &&
          same_name(&ns[j].op, (const unsigned char *)"Identity", 8))
        next = &ns[j].in[0];
    if (!next) return NULL;
    name = next;
  }
  return NULL;
}

/* A node for messages: `name` (Op), its output's name if it has none. */
static void node_label(const onnx_node *n, char *buf, size_t cap) {
  const aec_pb_field *id = n->name.size ? &n->name : &n->out;
  int len = id->size > 80 ? 80 : (int)id->size, oplen = n->op.size > 40 ? 40 : (int)n->op.size;
  snprintf(buf, cap, "`%.*s` (%.*s)", len, id->data ? (const char *)id->data : "",
           oplen, n->op.data ? (const char *)n->op.data : "");
}

static const char *seed_what(int kind) {
  static const char *const names[] = {"a Gemm or MatMul node", "a Conv node",
                                      "a BatchNormalization node", "a LayerNormalization node"};
  return names[kind];
}

/* One tensor of the result: name, dims, floats (transposed if asked; shaped
 * [elements] if `flat`: a layer norm's scale over [C, H, W] is aec's flat
 * per-feature vector). */
static int add_tensor(aec_ckpt *c, const char *path, const char *name, const onnx_init *t,
                      int transpose, int flat, float *store, int64_t capacity) {
  size_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d) {
    if (t->dims[d] < 0 || t->dims[d] > ((int64_t)1 << 31))
      return aec_rt_fail(AEC_RT_EUSER, "%s: initializer `%.*s` has a bad shape", path,
                         (int)t->name.size, (const char *)t->name.data);
    n *= (size_t)t->dims[d];
  }
  const unsigned char *src = t->raw.data ? t->raw.data : t->floats.data;
  size_t bytes = t->raw.data ? t->raw.size : t->floats.size;
  if (t->type != 1 || !src || bytes != n * 4)
    return aec_rt_fail(AEC_RT_EUSER, "%s: initializer `%.*s` is not float32 data of its shape", path,
                       (int)t->name.size, (const char *)t->name.data);
  aec_ckpt_tensor *ct = &c->tensors[c->num_tensors];
  ct->name = strdup(name);
  if (!ct->name) return aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  c->num_tensors++;
  ct->rank = t->rank;
  for (int32_t d = 0; d < t->rank; ++d) ct->dims[d] = t->dims[d];
  ct->size = (int64_t)n;
  ct->data = (const unsigned char *)store;
  if (transpose && t->rank == 2) {
    ct->dims[0] = t->dims[1];
    ct->dims[1] = t->dims[0];
  }
  if (flat) {
    ct->rank = 1;
    ct->dims[0] = (int64_t)n;
  }
  if ((int64_t)n != capacity) return 0; /* the loader's shape check reports it; nothing copied */
  if (transpose && t->rank == 2) {
    for (int64_t i = 0; i < t->dims[0]; ++i)
      for (int64_t j = 0; j < t->dims[1]; ++j)
        memcpy(store + j * t->dims[0] + i, src + 4 * (size_t)(i * t->dims[1] + j), 4);
  } else {
    memcpy(store, src, n * 4);
  }
  return 0;
}

int aec_onnx_read_encoder(const char *path, const aec_model *m, aec_ckpt *c) {
  memset(c, 0, sizeof *c);
  unsigned char *b = NULL;
  size_t size = 0;
  int rc = aec_rt_read_file(path, &b, &size);
  if (rc) return rc;
  aec_pb_reader r = {b, b + size, 0};
  aec_pb_field f, graph = {0};
  while (aec_pb_next(&r, &f))
    if (f.number == 7 && f.wire == 2) graph = f;
  int nodes = 0, ninit = 0;
  aec_pb_reader g = aec_pb_sub(&graph);
  while (aec_pb_next(&g, &f)) nodes += f.number == 1, ninit += f.number == 5;
  if (r.bad || g.bad || !graph.data || !nodes) {
    free(b);
    return aec_rt_fail(AEC_RT_EUSER, "%s: not an ONNX model (no graph)", path);
  }
  onnx_init *inits = (onnx_init *)calloc((size_t)ninit + 1, sizeof *inits);
  onnx_node *ns = (onnx_node *)calloc((size_t)nodes, sizeof *ns);
  onnx_seed *seeds = (onnx_seed *)calloc((size_t)nodes, sizeof *seeds);
  c->tensors = (aec_ckpt_tensor *)calloc((size_t)m->num_tensors + 1, sizeof *c->tensors);
  c->blob = malloc(sizeof(float) * (size_t)m->param_count + 1);
  c->model_name = strdup("onnx");
  if (!inits || !ns || !seeds || !c->tensors || !c->blob || !c->model_name)
    rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  int ni = 0, nn = 0, nsd = 0;
  g = aec_pb_sub(&graph);
  while (!rc && aec_pb_next(&g, &f)) {
    if (f.number == 5 && !parse_init(&f, &inits[ni++]))
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: malformed initializer", path);
    if (f.number == 1) parse_node(&f, &ns[nn++]);
  }
  /* Seeding nodes in graph order (exporters write nodes topologically). */
  for (int i = 0; !rc && i < nn; ++i) {
    onnx_node *n = &ns[i];
    onnx_seed *sd = &seeds[nsd];
    memset(sd, 0, sizeof *sd);
    sd->node = i;
    if (is_op(n, "BatchNormalization") || is_op(n, "LayerNormalization")) {
      int bn = is_op(n, "BatchNormalization"), want = bn ? 5 : 3;
      sd->kind = bn ? SEED_BATCHNORM : SEED_LAYERNORM;
      for (int j = 1; j < want; ++j)
        sd->t[j - 1] = j < n->nin ? input_init(inits, ni, ns, nn, &n->in[j]) : NULL;
      nsd++;
      continue;
    }
    const onnx_init *w = n->nin > 1 ? input_init(inits, ni, ns, nn, &n->in[1]) : NULL;
    if (!w) continue;
    if (is_op(n, "Gemm") || is_op(n, "Conv")) {
      sd->kind = is_op(n, "Gemm") ? SEED_DENSE : SEED_CONV;
      sd->t[0] = w;
      sd->t[1] = n->nin > 2 ? input_init(inits, ni, ns, nn, &n->in[2]) : NULL;
      sd->transposed = is_op(n, "Gemm") && n->transB;
      nsd++;
    } else if (is_op(n, "MatMul")) {
      sd->kind = SEED_DENSE;
      sd->t[0] = w;
      for (int j = i + 1; j < nn && !sd->t[1]; ++j) /* the Add that takes this output */
        if (is_op(&ns[j], "Add") && ns[j].nin == 2 && same_name(&ns[j].in[0], n->out.data, n->out.size))
          sd->t[1] = input_init(inits, ni, ns, nn, &ns[j].in[1]);
      nsd++;
    }
  }
  /* Map them onto the encoder's layers that have tensors, in order, each by
   * a node of its kind. */
  float *store = (float *)c->blob;
  int k = 0;
  for (int32_t l = 0; !rc && l < m->num_layers; ++l) {
    const aec_layer_info *L = &m->layers[l];
    if (L->section != 0) continue;
    int any = 0;
    for (int32_t t = 0; t < m->num_tensors; ++t)
      any |= m->tensors[t].layer == l && m->tensors[t].from_pretrained;
    if (!any) continue;
    /* The layer's tensors in the node's order, and the node kind it takes. */
    static const char *const weighted[] = {".weight", ".bias"};
    static const char *const chan[] = {".gamma", ".beta", ".running_mean", ".running_var"};
    const char *const *suffixes = weighted;
    int want, count = 2;
    switch (L->kind) {
    case AEC_DENSE: want = SEED_DENSE; break;
    case AEC_CONV2D:
    case AEC_CONV1D: want = SEED_CONV; break;
    case AEC_BATCHNORM: want = SEED_BATCHNORM, suffixes = chan, count = 4; break;
    case AEC_LAYERNORM: want = SEED_LAYERNORM, suffixes = chan; break;
    default:
      rc = aec_rt_fail(AEC_RT_EINTERNAL, "layer `%s`: pretrained tensors of a layer kind ONNX cannot seed",
                       L->name);
      continue;
    }
    if (k >= nsd) {
      rc = aec_rt_fail(AEC_RT_EUSER,
                       "%s: the ONNX graph has %d weighted and normalization nodes; model `%s`'s encoder needs more (layer `%s` needs %s)",
                       path, nsd, m->name, L->name, seed_what(want));
      break;
    }
    const onnx_seed *sd = &seeds[k++];
    const onnx_node *n = &ns[sd->node];
    char label[160];
    node_label(n, label, sizeof label);
    if (sd->kind != want) {
      rc = aec_rt_fail(AEC_RT_EUSER,
                       "%s: node %s cannot seed layer `%s`, which needs %s (the graph's weighted and normalization nodes seed the encoder's layers in order%s)",
                       path, label, L->name, seed_what(want),
                       want == SEED_LAYERNORM ? "; export with opset 17 or later for LayerNormalization nodes" : "");
      break;
    }
    if (want == SEED_BATCHNORM || want == SEED_LAYERNORM) {
      /* aec's norms use AEC_NORM_EPS (PyTorch's default); another epsilon
       * would change the numerics, so it is refused. */
      float eps = n->has_epsilon ? n->epsilon : 1e-5f; /* the ONNX default */
      if (eps != (float)AEC_NORM_EPS) {
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: node %s has epsilon %g but aec's %s (layer `%s`) uses %g", path,
                         label, (double)eps, want == SEED_BATCHNORM ? "batchnorm" : "layernorm", L->name,
                         (double)AEC_NORM_EPS);
        break;
      }
      if (want == SEED_BATCHNORM && n->training_mode) {
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: node %s is in training mode (batch statistics); aec's batchnorm (layer `%s`) needs an eval-mode export",
                         path, label, L->name);
        break;
      }
      /* aec's layer norm covers all of a sample's features: axis 1 of the
       * batch, -rank counted from the end. */
      int64_t axis = n->has_axis ? n->axis : -1;
      if (want == SEED_LAYERNORM && axis != 1 && axis != -(int64_t)L->out_rank) {
        rc = aec_rt_fail(AEC_RT_EUSER,
                         "%s: node %s normalizes from axis %lld but aec's layernorm (layer `%s`) normalizes each sample over all of its features (axis 1)",
                         path, label, (long long)axis, L->name);
        break;
      }
    }
    for (int j = 0; !rc && j < count; ++j) {
      int32_t t = aec_rt_layer_tensor(m, l, suffixes[j]);
      if (t < 0 || !m->tensors[t].from_pretrained) {
        if (j == 0 && want <= SEED_CONV) /* no weight of its own */
          rc = aec_rt_fail(AEC_RT_EINTERNAL, "layer `%s`: no pretrained `%s` tensor", L->name, suffixes[j]);
        continue;
      }
      if (!sd->t[j]) {
        rc = want <= SEED_CONV
                 ? aec_rt_fail(AEC_RT_EUSER, "%s: the layer seeding `%s` has no bias initializer", path, L->name)
                 : aec_rt_fail(AEC_RT_EUSER, "%s: node %s has no initializer for `%s` of layer `%s`", path, label,
                               m->tensors[t].name, L->name);
        break;
      }
      rc = add_tensor(c, path, m->tensors[t].name, sd->t[j], j == 0 && sd->transposed, want > SEED_CONV, store,
                      m->tensors[t].size);
      store += m->tensors[t].size;
    }
  }
  free(inits);
  free(ns);
  free(seeds);
  free(b);
  if (rc) aec_ckpt_free(c);
  return rc;
}
