/* `encoder from "pretrained.onnx"`: the weights of an ONNX model (e.g.
 * exported from PyTorch) as a checkpoint for the transfer loader in init.c.
 * The graph's weighted nodes, in order (Gemm, MatMul + Add, Conv), seed the
 * encoder's weighted layers, in order; the tensors are converted to aec's
 * layout (Gemm with transB=1 and PyTorch Linear: [out, in] -> [in, out])
 * and named as the model's, so the usual name and shape checks apply. */
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "rt_internal.h"

typedef struct onnx_init {
  aec_pb_field name, raw, floats;
  int64_t dims[AEC_MAX_RANK];
  int32_t rank, type;
} onnx_init;

typedef struct onnx_weighted {
  const onnx_init *w, *b;
  int transposed; /* w is [out, in] (Gemm transB=1) */
} onnx_weighted;

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

/* Node fields: op type, inputs (up to 3), transB. */
typedef struct onnx_node {
  aec_pb_field op, in[3], out;
  int nin, transB;
} onnx_node;

static void parse_node(const aec_pb_field *f, onnx_node *n) {
  memset(n, 0, sizeof *n);
  aec_pb_reader r = aec_pb_sub(f);
  aec_pb_field x;
  while (aec_pb_next(&r, &x)) {
    if (x.number == 1 && n->nin < 3) n->in[n->nin++] = x;
    else if (x.number == 2) n->out = x;
    else if (x.number == 4) n->op = x;
    else if (x.number == 5) {
      aec_pb_reader a = aec_pb_sub(&x);
      aec_pb_field y, name = {0};
      int64_t i = 0;
      while (aec_pb_next(&a, &y)) {
        if (y.number == 1) name = y;
        else if (y.number == 3) i = (int64_t)y.value;
      }
      if (same_name(&name, (const unsigned char *)"transB", 6)) n->transB = (int)i;
    }
  }
}

static int is_op(const onnx_node *n, const char *op) {
  return same_name(&n->op, (const unsigned char *)op, strlen(op));
}

/* One tensor of the result: name, dims, floats (transposed if asked). */
static int add_tensor(aec_ckpt *c, const char *path, const char *name, const onnx_init *t,
                      int transpose, float *store, int64_t capacity) {
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
  onnx_weighted *ws = (onnx_weighted *)calloc((size_t)nodes, sizeof *ws);
  c->tensors = (aec_ckpt_tensor *)calloc((size_t)m->num_tensors + 1, sizeof *c->tensors);
  c->blob = malloc(sizeof(float) * (size_t)m->param_count + 1);
  c->model_name = strdup("onnx");
  if (!inits || !ns || !ws || !c->tensors || !c->blob || !c->model_name)
    rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  int ni = 0, nn = 0, nw = 0;
  g = aec_pb_sub(&graph);
  while (!rc && aec_pb_next(&g, &f)) {
    if (f.number == 5 && !parse_init(&f, &inits[ni++]))
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: malformed initializer", path);
    if (f.number == 1) parse_node(&f, &ns[nn++]);
  }
  /* Weighted nodes in graph order (exporters write nodes topologically). */
  for (int i = 0; !rc && i < nn; ++i) {
    onnx_node *n = &ns[i];
    const onnx_init *w = n->nin > 1 ? find_init(inits, ni, &n->in[1]) : NULL;
    if (!w) continue;
    if (is_op(n, "Gemm") || is_op(n, "Conv")) {
      ws[nw].w = w;
      ws[nw].b = n->nin > 2 ? find_init(inits, ni, &n->in[2]) : NULL;
      ws[nw++].transposed = is_op(n, "Gemm") && n->transB;
    } else if (is_op(n, "MatMul")) {
      ws[nw].w = w;
      for (int j = i + 1; j < nn && !ws[nw].b; ++j) /* the Add that takes this output */
        if (is_op(&ns[j], "Add") && ns[j].nin == 2 && same_name(&ns[j].in[0], n->out.data, n->out.size))
          ws[nw].b = find_init(inits, ni, &ns[j].in[1]);
      nw++;
    }
  }
  /* Map them onto the encoder's weighted layers, in order. */
  float *store = (float *)c->blob;
  int k = 0;
  for (int32_t l = 0; !rc && l < m->num_layers; ++l) {
    if (m->layers[l].section != 0) continue;
    int32_t wt = -1, bt = -1;
    for (int32_t t = 0; t < m->num_tensors; ++t)
      if (m->tensors[t].layer == l && m->tensors[t].from_pretrained)
        *(strstr(m->tensors[t].name, ".bias") ? &bt : &wt) = t;
    if (wt < 0) continue;
    if (k >= nw) {
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: the ONNX graph has %d weighted layers; model `%s`'s encoder needs more (layer `%s`)",
                       path, nw, m->name, m->layers[l].name);
      break;
    }
    const onnx_weighted *w = &ws[k++];
    rc = add_tensor(c, path, m->tensors[wt].name, w->w, w->transposed, store, m->tensors[wt].size);
    store += m->tensors[wt].size;
    if (!rc && bt >= 0) {
      if (!w->b)
        rc = aec_rt_fail(AEC_RT_EUSER, "%s: the layer seeding `%s` has no bias initializer", path,
                         m->layers[l].name);
      else
        rc = add_tensor(c, path, m->tensors[bt].name, w->b, 0, store, m->tensors[bt].size);
      store += m->tensors[bt].size;
    }
  }
  free(inits);
  free(ns);
  free(ws);
  free(b);
  if (rc) aec_ckpt_free(c);
  return rc;
}
