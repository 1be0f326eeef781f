/* Numeric checks of a generated dense model (an object from `aec build
 * --emit=obj`, linked with this driver; the symbol is -DMODEL=<name>_model).
 *
 *   1. forward parity: model->forward against a plain double-precision
 *      reference of the layer/tensor tables (dense, conv 2-D/1-D with
 *      stride, maxpool, avgpool, upsample, flatten/reshape, batch norm's
 *      inference form, layer norm; all activations;
 *      tied decoders when --tied);
 *   2. gradients: model->accumulate (scale 1) against central differences of
 *      the reference objective in double (Σ_rows loss + n·sparsity), or, with
 *      --float-fd (models with input noise, which the reference does not
 *      replay), of accumulate itself in float;
 *   3. --opt: the first model->update step (adam / sgd, momentum, l2) against
 *      its closed form from the checked gradients; gradients must be zeroed.
 * Frozen tensors must keep a zero gradient. Exits 0 when every check passes.
 *
 * usage: gradcheck [--n N] [--tied] [--l1 W] [--kl RHO W] [--l2 X] [--opt]
 *                  [--float-fd] [--seed S] [--relu-slack F] */
#include "activation_ref.h"
#include "aec/model_abi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const aec_model MODEL;

/* Serial stand-in for the runtime's pool; cuts [0, n) into 3 uneven chunks
 * so the kernels' range handling is exercised. */
void aec_rt_parallel_for(void (*fn)(void *, int64_t, int64_t), void *ctx, int64_t n,
                         int64_t min_chunk) {
  (void)min_chunk;
  if (n <= 0) return;
  int64_t a = n / 3, b = (2 * n) / 3;
  if (a > 0) fn(ctx, 0, a);
  if (b > a) fn(ctx, a, b);
  fn(ctx, b, n);
}

static uint64_t rng_state = 12345;
static double urand(void) { /* [0, 1) */
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static int n_rows = 4, tied = 0, opt = 0, float_fd = 0;
static int sparsity = 0; /* 1 l1, 2 kl */
static double sp_w = 0, sp_rho = 0, l2 = 0, relu_slack = 0.0;


static const aec_tensor_info *find_tensor(int layer, int rank) {
  for (int i = 0; i < MODEL.num_tensors; ++i)
    if (MODEL.tensors[i].layer == layer && MODEL.tensors[i].rank == rank) return &MODEL.tensors[i];
  return NULL;
}

/* Conv / pool / upsample / view layers of the reference (double, direct
 * loops), on per-sample [C][H][W] ([C][L] as H = 1). Same padding: top/left
 * (K-1)/2; stride S: out = ceil(in / S). in_dims: the layer's input dims. */
/* Layer l's tensor whose name ends in suffix (".gamma"). */
static const aec_tensor_info *layer_tensor(int l, const char *suffix) {
  for (int i = 0; i < MODEL.num_tensors; ++i) {
    const char *nm = MODEL.tensors[i].name;
    size_t a = strlen(nm), b = strlen(suffix);
    if (MODEL.tensors[i].layer == l && a >= b && !strcmp(nm + a - b, suffix)) return &MODEL.tensors[i];
  }
  return NULL;
}

static void ref_spatial(const aec_layer_info *li, const double *p, int l, const double *cur,
                        double *nx, int n, int rank, const int64_t *in_dims) {
  if (li->kind == AEC_LAYERNORM) { /* per sample over its D features, as nn.LayerNorm */
    const aec_tensor_info *g = layer_tensor(l, ".gamma"), *b = layer_tensor(l, ".beta");
    const int64_t D = li->out_size;
    for (int i = 0; i < n; ++i) {
      const double *x = cur + (int64_t)i * D;
      double mean = 0, var = 0;
      for (int64_t j = 0; j < D; ++j) mean += x[j] / D;
      for (int64_t j = 0; j < D; ++j) var += (x[j] - mean) * (x[j] - mean) / D;
      for (int64_t j = 0; j < D; ++j)
        nx[(int64_t)i * D + j] = p[g->offset + j] * (x[j] - mean) / sqrt(var + 1e-5) + p[b->offset + j];
    }
    return;
  }
  if (li->kind == AEC_BATCHNORM) {
    const aec_tensor_info *t[4] = {layer_tensor(l, ".gamma"), layer_tensor(l, ".beta"),
                                   layer_tensor(l, ".running_mean"), layer_tensor(l, ".running_var")};
    const int64_t C = in_dims[0], S = li->out_size / C;
    for (int i = 0; i < n; ++i)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < S; ++k) {
          int64_t j = ((int64_t)i * C + c) * S + k;
          nx[j] = p[t[0]->offset + c] * (cur[j] - p[t[2]->offset + c]) /
                      sqrt(p[t[3]->offset + c] + 1e-5) + p[t[1]->offset + c];
        }
    return;
  }
  if (li->kind == AEC_FLATTEN || li->kind == AEC_RESHAPE || li->kind == AEC_DROPOUT) {
    memcpy(nx, cur, sizeof(double) * n * li->out_size);
    return;
  }
  const int oned = rank == 2;
  const int64_t C = in_dims[0], H = oned ? 1 : in_dims[1], W = in_dims[rank - 1];
  const int64_t Co = li->out_dims[0], Ho = oned ? 1 : li->out_dims[1], Wo = li->out_dims[li->out_rank - 1];
  const int64_t in_sz = C * H * W, out_sz = li->out_size;
  if (li->kind == AEC_CONV2D || li->kind == AEC_CONV1D) {
    const aec_tensor_info *w = find_tensor(l, oned ? 3 : 4), *b = find_tensor(l, 1);
    const int64_t K = w->dims[w->rank - 1], KH = oned ? 1 : K;
    int64_t S = 1;
    while ((W + S - 1) / S != Wo) ++S;
    const int64_t SH = oned ? 1 : S, pt = (KH - 1) / 2, pl = (K - 1) / 2;
    for (int i = 0; i < n; ++i)
      for (int64_t o = 0; o < Co; ++o)
        for (int64_t oy = 0; oy < Ho; ++oy)
          for (int64_t ox = 0; ox < Wo; ++ox) {
            double z = b ? p[b->offset + o] : 0;
            for (int64_t c = 0; c < C; ++c)
              for (int64_t ky = 0; ky < KH; ++ky)
                for (int64_t kx = 0; kx < K; ++kx) {
                  int64_t iy = oy * SH + ky - pt, ix = ox * S + kx - pl;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  z += p[w->offset + ((o * C + c) * KH + ky) * K + kx] *
                       cur[i * in_sz + (c * H + iy) * W + ix];
                }
            nx[i * out_sz + (o * Ho + oy) * Wo + ox] = aec_ref_act(li->activation, z);
          }
    return;
  }
  const int up = li->kind == AEC_UPSAMPLE;
  const int64_t F = up ? Wo / W : W / Wo, FH = oned ? 1 : F;
  for (int i = 0; i < n; ++i)
    for (int64_t c = 0; c < Co; ++c)
      for (int64_t oy = 0; oy < Ho; ++oy)
        for (int64_t ox = 0; ox < Wo; ++ox) {
          double v;
          if (up) {
            v = cur[i * in_sz + (c * H + oy / FH) * W + ox / F];
          } else {
            double m = -1e300, a = 0;
            for (int64_t u = 0; u < FH; ++u)
              for (int64_t t = 0; t < F; ++t) {
                double e = cur[i * in_sz + (c * H + oy * FH + u) * W + ox * F + t];
                m = e > m ? e : m;
                a += e;
              }
            v = li->kind == AEC_MAXPOOL ? m : a / (double)(F * FH);
          }
          nx[i * out_sz + (c * Ho + oy) * Wo + ox] = v;
        }
}

/* A dense layer of the reference (a tied one reads its twin's weight transposed). */
static void ref_dense(const aec_layer_info *li, const double *p, int l, const double *cur,
                      double *nx, int n, int64_t width) {
  const int64_t outw = li->out_size;
  const aec_tensor_info *w = find_tensor(l, 2), *b = find_tensor(l, 1);
  int transposed = 0;
  if (!w && tied) {
    w = find_tensor(MODEL.num_layers - 1 - l, 2);
    transposed = 1;
  }
  if (!w) {
    fprintf(stderr, "reference: layer %s unsupported\n", li->name);
    exit(2);
  }
  for (int i = 0; i < n; ++i)
    for (int64_t o = 0; o < outw; ++o) {
      double z = b ? p[b->offset + o] : 0;
      for (int64_t k = 0; k < width; ++k)
        z += cur[i * width + k] *
             (transposed ? p[w->offset + o * width + k] : p[w->offset + k * outw + o]);
      nx[i * outw + o] = aec_ref_act(li->activation, z);
    }
}

/* Reference objective in double; fills out (last layer) if non-NULL. */
static double reference(const double *p, const float *x, int n, double *out) {
  const int L = MODEL.num_layers;
  int64_t width = MODEL.input_size;
  double *cur = malloc(sizeof(double) * n * width);
  for (int64_t i = 0; i < n * width; ++i) cur[i] = x[i];
  double *code = NULL;
  int rank = MODEL.input_rank;
  const int64_t *dims = MODEL.input_dims;
  for (int l = 0; l < L; ++l) {
    const aec_layer_info *li = &MODEL.layers[l];
    int64_t outw = li->out_size;
    double *nx = malloc(sizeof(double) * n * outw);
    if (li->kind == AEC_DENSE)
      ref_dense(li, p, l, cur, nx, n, width);
    else
      ref_spatial(li, p, l, cur, nx, n, rank, dims);
    rank = li->out_rank;
    dims = li->out_dims;
    free(cur);
    cur = nx;
    width = outw;
    if (l == MODEL.code_layer) {
      code = malloc(sizeof(double) * n * outw);
      memcpy(code, cur, sizeof(double) * n * outw);
    }
  }
  double total = 0;
  const int64_t D = MODEL.input_size;
  for (int i = 0; i < n; ++i) {
    double row = 0;
    for (int64_t j = 0; j < D; ++j) {
      double y = cur[i * D + j], t = x[i * D + j];
      if (MODEL.loss == AEC_LOSS_MSE)
        row += (y - t) * (y - t);
      else
        row += -(t * log(y) + (1 - t) * log(1 - y));
    }
    total += row / D;
  }
  const int64_t C = MODEL.code_size;
  if (sparsity == 1) {
    for (int64_t i = 0; i < n * C; ++i) total += sp_w * fabs(code[i]);
  } else if (sparsity == 2) {
    for (int64_t j = 0; j < C; ++j) {
      double r = 0;
      for (int i = 0; i < n; ++i) r += code[i * C + j];
      r /= n;
      total += n * sp_w *
               (sp_rho * log(sp_rho / r) + (1 - sp_rho) * log((1 - sp_rho) / (1 - r)));
    }
  }
  if (out) memcpy(out, cur, sizeof(double) * n * D);
  free(cur);
  free(code);
  return total;
}

static int failures = 0;

static void check(const char *what, double got, double want, double atol, double rtol) {
  double err = fabs(got - want);
  if (!(err <= atol + rtol * fabs(want))) {
    if (failures < 20) fprintf(stderr, "FAIL %s: got %.8g want %.8g\n", what, got, want);
    ++failures;
  }
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--n")) n_rows = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--tied")) tied = 1;
    else if (!strcmp(argv[i], "--opt")) opt = 1;
    else if (!strcmp(argv[i], "--float-fd")) float_fd = 1;
    else if (!strcmp(argv[i], "--l1")) sparsity = 1, sp_w = atof(argv[++i]);
    else if (!strcmp(argv[i], "--kl")) sparsity = 2, sp_rho = atof(argv[i + 1]), sp_w = atof(argv[i + 2]), i += 2;
    else if (!strcmp(argv[i], "--l2")) l2 = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seed")) rng_state = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--relu-slack")) relu_slack = atof(argv[++i]);
    else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
  }
  const aec_model *m = &MODEL;
  if (m->abi_version != AEC_ABI_VERSION || !m->forward || !m->accumulate || !m->update) {
    fprintf(stderr, "bad model constant\n");
    return 2;
  }
  if (n_rows > m->max_batch) n_rows = (int)m->max_batch;
  const int n = n_rows;
  const int64_t P = m->param_count, D = m->input_size;
  float *params = calloc(P, sizeof(float)), *grads = calloc(P, sizeof(float));
  float *ws = calloc(m->workspace_size, sizeof(float)), *x = malloc(sizeof(float) * n * D);
  double *pd = malloc(sizeof(double) * P);
  for (int t = 0; t < m->num_tensors; ++t) {
    const aec_tensor_info *ti = &m->tensors[t];
    double s = ti->rank >= 2 ? 1.5 / sqrt((double)ti->fan_in) : 0.2;
    for (int64_t i = 0; i < ti->size; ++i) params[ti->offset + i] = (float)((2 * urand() - 1) * s);
    if (ti->init == AEC_INIT_ONE) /* batch-norm scale and running variance: around 1 */
      for (int64_t i = 0; i < ti->size; ++i) params[ti->offset + i] += 1.0f;
  }
  for (int64_t i = 0; i < n * D; ++i) x[i] = (float)(0.05 + 0.9 * urand());
  for (int64_t i = 0; i < P; ++i) pd[i] = params[i];

  /* 1. forward parity */
  double *ref_out = malloc(sizeof(double) * n * D);
  double ref_obj = reference(pd, x, n, ref_out);
  m->forward(params, ws, x, n);
  const aec_layer_info *last = &m->layers[m->num_layers - 1];
  for (int64_t i = 0; i < n * D; ++i) check("forward", ws[last->act_offset + i], ref_out[i], 2e-5, 1e-4);
  printf("forward parity: %d mismatches\n", failures);

  /* 2. gradients */
  float obj = m->accumulate(params, grads, ws, x, n, 1.0f, 7);
  if (!float_fd) check("objective", obj, ref_obj, 1e-5, 1e-4);
  int grad_fail_before = failures, checked = 0, relu_misses = 0;
  float *scratch = calloc(P, sizeof(float));
  for (int t = 0; t < m->num_tensors; ++t) {
    const aec_tensor_info *ti = &m->tensors[t];
    int64_t stride = ti->size > 60 ? ti->size / 60 : 1;
    for (int64_t i = 0; i < ti->size; i += stride) {
      int64_t k = ti->offset + i;
      if (!ti->trainable) {
        if (grads[k] != 0) { fprintf(stderr, "FAIL frozen %s[%lld] has a gradient\n", ti->name, (long long)i); ++failures; }
        continue;
      }
      double num;
      if (float_fd) {
        const float h = 1e-2f, p0 = params[k];
        params[k] = p0 + h;
        float lp = m->accumulate(params, scratch, ws, x, n, 1.0f, 7);
        params[k] = p0 - h;
        float lm = m->accumulate(params, scratch, ws, x, n, 1.0f, 7);
        params[k] = p0;
        num = ((double)lp - lm) / (2.0 * h);
      } else {
        const double h = 1e-5, p0 = pd[k];
        pd[k] = p0 + h;
        double lp = reference(pd, x, n, NULL);
        pd[k] = p0 - h;
        double lm = reference(pd, x, n, NULL);
        pd[k] = p0;
        num = (lp - lm) / (2 * h);
      }
      char what[128];
      snprintf(what, sizeof what, "grad %s[%lld]", ti->name, (long long)i);
      int before = failures;
      if (float_fd) check(what, grads[k], num, 2e-3, 5e-2);
      else check(what, grads[k], num, 1e-4, 2e-3);
      if (failures > before && relu_slack > 0) { failures = before; ++relu_misses; }
      ++checked;
    }
  }
  if (relu_slack > 0 && relu_misses > relu_slack * checked) {
    fprintf(stderr, "FAIL %d of %d gradients off (kinks allow %.0f%%)\n", relu_misses, checked, relu_slack * 100);
    ++failures;
  }
  printf("gradients: %d checked, %d mismatches\n", checked, failures - grad_fail_before);

  /* 3. first optimizer step */
  if (opt) {
    int before = failures;
    memset(grads, 0, sizeof(float) * P);
    m->accumulate(params, grads, ws, x, n, 1.0f / n, 7);
    float *p0 = malloc(sizeof(float) * P), *g0 = malloc(sizeof(float) * P);
    memcpy(p0, params, sizeof(float) * P);
    memcpy(g0, grads, sizeof(float) * P);
    float *state = calloc((size_t)(m->opt_slots ? m->opt_slots : 1) * P, sizeof(float));
    const float lr = 0.01f;
    m->update(params, grads, state, lr, 1);
    for (int t = 0; t < m->num_tensors; ++t) {
      const aec_tensor_info *ti = &m->tensors[t];
      for (int64_t i = 0; i < ti->size; ++i) {
        int64_t k = ti->offset + i;
        double want = p0[k];
        if (ti->trainable) {
          double g = (double)g0[k] + l2 * p0[k];
          if (m->optimizer == AEC_OPT_ADAM) want -= lr * g / (fabs(g) + m->eps);
          else want -= lr * g;
          if (grads[k] != 0) { fprintf(stderr, "FAIL update left a gradient\n"); ++failures; }
        }
        check(ti->name, (double)params[k] - p0[k], want - p0[k], 1e-7, 1e-2);
      }
    }
    printf("optimizer step: %d mismatches\n", failures - before);
    free(p0);
    free(g0);
    free(state);
  }
  free(scratch);
  free(ref_out);
  free(pd);
  free(x);
  free(ws);
  free(grads);
  free(params);
  printf("%s\n", failures ? "FAILED" : "OK");
  return failures ? 1 : 0;
}
