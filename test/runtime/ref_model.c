/* Reference dense autoencoders for the runtime tests: a plain-C, naive
 * implementation of the kernel semantics of model_abi.h (forward, decode,
 * accumulate with input noise/loss/backward, update with l2 + Adam/SGD). */
#include "ref_model.h"

#include <math.h>
#include <string.h>

#define MAXW 784 /* widest layer */
#define NL 4    /* dense layers */

typedef struct net {
  int64_t width[NL + 1]; /* width[0] = input */
  int32_t act[NL];
  int64_t w_off[NL], b_off[NL], act_off[NL];
  int64_t max_batch, in_size;
  int32_t loss, optimizer, code_layer;
  float noise_std, l2, beta1, beta2, eps, momentum;
} net;

/* ---- the two configurations ---- */
/* params: per layer weight [out][in] then bias [out]; workspace: per layer
 * [max_batch][out] activations, then the noisy input [max_batch][in]. */
#define OFFS(w0, w1, w2, w3, w4, mb)                                                            \
  .w_off = {0, w0 * w1 + w1, w0 * w1 + w1 + w1 * w2 + w2, w0 * w1 + w1 + w1 * w2 + w2 + w2 * w3 + w3}, \
  .b_off = {w0 * w1, w0 * w1 + w1 + w1 * w2, w0 * w1 + w1 + w1 * w2 + w2 + w2 * w3,               \
            w0 * w1 + w1 + w1 * w2 + w2 + w2 * w3 + w3 + w3 * w4},                                \
  .act_off = {0, mb * w1, mb * (w1 + w2), mb * (w1 + w2 + w3)}

static const net kBce = {.width = {16, 8, 4, 8, 16}, .act = {AEC_RELU, AEC_LINEAR, AEC_RELU, AEC_SIGMOID},
                         OFFS(16, 8, 4, 8, 16, 64), .max_batch = 64, .in_size = 16,
                         .loss = AEC_LOSS_BCE, .optimizer = AEC_OPT_ADAM, .code_layer = 1,
                         .noise_std = 0.05f, .l2 = 1e-5f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
static const net kMse = {.width = {12, 6, 3, 6, 12}, .act = {AEC_TANH, AEC_LINEAR, AEC_TANH, AEC_LINEAR},
                         OFFS(12, 6, 3, 6, 12, 16), .max_batch = 16, .in_size = 12,
                         .loss = AEC_LOSS_MSE, .optimizer = AEC_OPT_SGD, .code_layer = 1,
                         .noise_std = 0.0f, .l2 = 0.0f, .momentum = 0.9f};

static const net kFm = {.width = {784, 64, 16, 64, 784}, .act = {AEC_RELU, AEC_LINEAR, AEC_RELU, AEC_SIGMOID},
                        OFFS(784, 64, 16, 64, 784, 64), .max_batch = 64, .in_size = 784,
                        .loss = AEC_LOSS_BCE, .optimizer = AEC_OPT_ADAM, .code_layer = 1,
                        .noise_std = 0.0f, .l2 = 0.0f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};

static int64_t param_count(const net *c) { return c->b_off[NL - 1] + c->width[NL]; }
static int64_t ws_size(const net *c) {
  int64_t s = 0;
  for (int l = 0; l < NL; ++l) s += c->max_batch * c->width[l + 1];
  return s + c->max_batch * c->in_size;
}

static float act_f(int32_t a, float z) {
  switch (a) {
  case AEC_RELU: return z > 0 ? z : 0;
  case AEC_SIGMOID: return 1.0f / (1.0f + expf(-z));
  case AEC_TANH: return tanhf(z);
  default: return z;
  }
}
/* derivative from the activation's output y */
static float act_d(int32_t a, float y) {
  switch (a) {
  case AEC_RELU: return y > 0 ? 1.0f : 0.0f;
  case AEC_SIGMOID: return y * (1 - y);
  case AEC_TANH: return 1 - y * y;
  default: return 1.0f;
  }
}

/* Layers [first, NL) for samples [b, e); the input of layer `first` is in[]. */
static void run_layers(const net *c, const float *p, float *ws, const float *in, int64_t b,
                       int64_t e, int first) {
  for (int64_t i = b; i < e; ++i) {
    const float *x = in + i * c->width[first];
    for (int l = first; l < NL; ++l) {
      int64_t ni = c->width[l], no = c->width[l + 1];
      const float *W = p + c->w_off[l], *B = p + c->b_off[l];
      float *y = ws + c->act_off[l] + i * no;
      for (int64_t o = 0; o < no; ++o) {
        float z = B[o];
        for (int64_t k = 0; k < ni; ++k) z += W[o * ni + k] * x[k];
        y[o] = act_f(c->act[l], z);
      }
      x = y;
    }
  }
}

typedef struct fwd_ctx { const net *c; const float *p; float *ws; const float *in; int first; } fwd_ctx;
static void fwd_chunk(void *ctx, int64_t b, int64_t e) {
  fwd_ctx *f = (fwd_ctx *)ctx;
  run_layers(f->c, f->p, f->ws, f->in, b, e, f->first);
}
static void forward_net(const net *c, const float *p, float *ws, const float *x, int64_t n, int first) {
  fwd_ctx f = {c, p, ws, x, first};
  aec_rt_parallel_for(fwd_chunk, &f, n, 8); /* samples are independent: any split is exact */
}

/* Standard normal from a counter-based hash: the same noise whatever the
 * thread count or chunking. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
static float gauss(uint64_t seed, uint64_t i) {
  uint64_t h = mix(seed ^ mix(i));
  double u1 = ((h >> 11) + 1.0) / 9007199254740993.0, u2 = (double)(mix(h) >> 11) / 9007199254740992.0;
  return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

static float accumulate_net(const net *c, const float *p, float *g, float *ws, const float *x, int64_t n,
                            float scale, uint64_t noise_seed) {
  int64_t D = c->in_size;
  float *noisy = ws + ws_size(c) - c->max_batch * D;
  const float *in = x;
  if (c->noise_std > 0) {
    for (int64_t i = 0; i < n * D; ++i) noisy[i] = x[i] + c->noise_std * gauss(noise_seed, (uint64_t)i);
    in = noisy;
  }
  forward_net(c, p, ws, in, n, 0);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float *t = x + i * D, *y = ws + c->act_off[NL - 1] + i * D;
    float delta[MAXW], prev[MAXW];
    double li = 0;
    for (int64_t e = 0; e < D; ++e) {
      if (c->loss == AEC_LOSS_BCE) { /* BCE on the sigmoid output: gradient wrt z is y - t */
        float yy = y[e] < 1e-7f ? 1e-7f : (y[e] > 1 - 1e-7f ? 1 - 1e-7f : y[e]);
        li -= t[e] * logf(yy) + (1 - t[e]) * logf(1 - yy);
        delta[e] = (y[e] - t[e]) / (float)D * scale;
      } else {
        float d = y[e] - t[e];
        li += (double)d * d;
        delta[e] = 2 * d / (float)D * scale * act_d(c->act[NL - 1], y[e]);
      }
    }
    total += li / (double)D;
    for (int l = NL - 1; l >= 0; --l) {
      int64_t ni = c->width[l], no = c->width[l + 1];
      const float *a = l == 0 ? in + i * D : ws + c->act_off[l - 1] + i * ni;
      const float *W = p + c->w_off[l];
      float *gW = g + c->w_off[l], *gB = g + c->b_off[l];
      for (int64_t o = 0; o < no; ++o) {
        gB[o] += delta[o];
        for (int64_t k = 0; k < ni; ++k) gW[o * ni + k] += delta[o] * a[k];
      }
      if (l == 0) break;
      for (int64_t k = 0; k < ni; ++k) {
        float s = 0;
        for (int64_t o = 0; o < no; ++o) s += W[o * ni + k] * delta[o];
        prev[k] = s * act_d(c->act[l - 1], a[k]);
      }
      memcpy(delta, prev, sizeof(float) * (size_t)ni);
    }
  }
  return (float)total;
}

static void update_net(const net *c, float *p, float *g, float *opt, float lr, int64_t step) {
  int64_t P = param_count(c);
  if (c->optimizer == AEC_OPT_ADAM) {
    float *m = opt, *v = opt + P;
    float bc1 = 1 - powf(c->beta1, (float)step), bc2 = 1 - powf(c->beta2, (float)step);
    for (int64_t i = 0; i < P; ++i) {
      float gi = g[i] + c->l2 * p[i];
      m[i] = c->beta1 * m[i] + (1 - c->beta1) * gi;
      v[i] = c->beta2 * v[i] + (1 - c->beta2) * gi * gi;
      p[i] -= lr * (m[i] / bc1) / (sqrtf(v[i] / bc2) + c->eps);
      g[i] = 0;
    }
  } else {
    for (int64_t i = 0; i < P; ++i) {
      float gi = g[i] + c->l2 * p[i];
      opt[i] = c->momentum * opt[i] + gi;
      p[i] -= lr * opt[i];
      g[i] = 0;
    }
  }
}

/* ---- ABI entry points per model ---- */
#define KERNELS(tag, cfg)                                                                             \
  static void tag##_forward(const float *p, float *ws, const float *x, int64_t n) {                  \
    forward_net(&cfg, p, ws, x, n, 0);                                                               \
  }                                                                                                  \
  static void tag##_decode(const float *p, float *ws, const float *code, int64_t n) {                \
    forward_net(&cfg, p, ws, code, n, cfg.code_layer + 1);                                           \
  }                                                                                                  \
  static float tag##_accumulate(const float *p, float *g, float *ws, const float *x, int64_t n,      \
                                float scale, uint64_t seed) {                                        \
    return accumulate_net(&cfg, p, g, ws, x, n, scale, seed);                                        \
  }                                                                                                  \
  static void tag##_update(float *p, float *g, float *opt, float lr, int64_t step) {                 \
    update_net(&cfg, p, g, opt, lr, step);                                                           \
  }
KERNELS(bce, kBce)
KERNELS(mse, kMse)
KERNELS(fm, kFm)

#define DENSE_LAYER(nm, a, sec, w, off) \
  {nm, AEC_DENSE, a, sec, 1, {w}, w, off}
#define DENSE_TENSORS(nm, l, wi, wo, woff, boff, initk, tr) \
  {nm ".weight", l, 2, {wo, wi}, woff, (wo) * (wi), tr, 0, initk, wi, wo}, \
  {nm ".bias", l, 1, {wo}, boff, wo, tr, 0, AEC_INIT_ZERO, wi, wo}

static const aec_layer_info kBceLayers[] = {
    DENSE_LAYER("enc1", AEC_RELU, 0, 8, 0), DENSE_LAYER("code", AEC_LINEAR, 1, 4, 64 * 8),
    DENSE_LAYER("dec1", AEC_RELU, 2, 8, 64 * 12), DENSE_LAYER("dec2", AEC_SIGMOID, 2, 16, 64 * 20)};
static const aec_tensor_info kBceTensors[] = {
    DENSE_TENSORS("enc1", 0, 16, 8, 0, 128, AEC_INIT_KAIMING_UNIFORM, 1),
    DENSE_TENSORS("code", 1, 8, 4, 136, 168, AEC_INIT_XAVIER_UNIFORM, 1),
    DENSE_TENSORS("dec1", 2, 4, 8, 172, 204, AEC_INIT_KAIMING_UNIFORM, 1),
    DENSE_TENSORS("dec2", 3, 8, 16, 212, 340, AEC_INIT_XAVIER_UNIFORM, 1)};

const aec_model ref_ae_model = {
    .abi_version = AEC_ABI_VERSION, .name = "ref_ae", .arch_hash = 0x7e5a11ce0000bce1ull,
    .summary = "layer  kind   out  act\n"
               "enc1   dense  8    relu\n"
               "code   dense  4    linear\n"
               "dec1   dense  8    relu\n"
               "dec2   dense  16   sigmoid\n",
    .input_rank = 1, .input_dims = {16}, .input_size = 16, .has_range = 1, .range_lo = 0, .range_hi = 1,
    .code_layer = 1, .code_size = 4, .max_batch = 64, .param_count = 356, .opt_slots = 2,
    .workspace_size = 64 * (8 + 4 + 8 + 16) + 64 * 16, .num_layers = 4, .layers = kBceLayers,
    .num_tensors = 8, .tensors = kBceTensors, .pretrained_path = 0, .loss = AEC_LOSS_BCE,
    .optimizer = AEC_OPT_ADAM, .lr = 0.01f, .momentum = 0, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
    .batch = 32, .epochs = 4, .seed = 42, .inference_only = 0, .forward = bce_forward,
    .decode = bce_decode, .accumulate = bce_accumulate, .update = bce_update};

static const aec_layer_info kMseLayers[] = {
    DENSE_LAYER("enc1", AEC_TANH, 0, 6, 0), DENSE_LAYER("code", AEC_LINEAR, 1, 3, 16 * 6),
    DENSE_LAYER("dec1", AEC_TANH, 2, 6, 16 * 9), DENSE_LAYER("dec2", AEC_LINEAR, 2, 12, 16 * 15)};
static const aec_tensor_info kMseTensors[] = {
    DENSE_TENSORS("enc1", 0, 12, 6, 0, 72, AEC_INIT_XAVIER_UNIFORM, 1),
    DENSE_TENSORS("code", 1, 6, 3, 78, 96, AEC_INIT_XAVIER_UNIFORM, 1),
    DENSE_TENSORS("dec1", 2, 3, 6, 99, 117, AEC_INIT_XAVIER_UNIFORM, 1),
    DENSE_TENSORS("dec2", 3, 6, 12, 123, 195, AEC_INIT_XAVIER_UNIFORM, 1)};

const aec_model ref_ae_mse_model = {
    .abi_version = AEC_ABI_VERSION, .name = "ref_ae_mse", .arch_hash = 0x7e5a11ce00000e5eull,
    .summary = "layer  kind   out  act\n"
               "enc1   dense  6    tanh\n"
               "code   dense  3    linear\n"
               "dec1   dense  6    tanh\n"
               "dec2   dense  12   linear\n",
    .input_rank = 1, .input_dims = {12}, .input_size = 12, .has_range = 0, .code_layer = 1,
    .code_size = 3, .max_batch = 16, .param_count = 207, .opt_slots = 1,
    .workspace_size = 16 * (6 + 3 + 6 + 12) + 16 * 12, .num_layers = 4, .layers = kMseLayers,
    .num_tensors = 8, .tensors = kMseTensors, .pretrained_path = 0, .loss = AEC_LOSS_MSE,
    .optimizer = AEC_OPT_SGD, .lr = 0.05f, .momentum = 0.9f, .batch = 16, .epochs = 3, .seed = 7,
    .inference_only = 0, .forward = mse_forward, .decode = mse_decode, .accumulate = mse_accumulate,
    .update = mse_update};

/* 784-64-16-64-784 for the Fashion-MNIST subset test. */
#define FW1 (784 * 64)
#define FB1 FW1
#define FW2 (FB1 + 64)
#define FB2 (FW2 + 64 * 16)
#define FW3 (FB2 + 16)
#define FB3 (FW3 + 16 * 64)
#define FW4 (FB3 + 64)
#define FB4 (FW4 + 64 * 784)
static const aec_layer_info kFmLayers[] = {
    DENSE_LAYER("enc1", AEC_RELU, 0, 64, 0), DENSE_LAYER("code", AEC_LINEAR, 1, 16, 64 * 64),
    DENSE_LAYER("dec1", AEC_RELU, 2, 64, 64 * 80), DENSE_LAYER("dec2", AEC_SIGMOID, 2, 784, 64 * 144)};
static const aec_tensor_info kFmTensors[] = {
    DENSE_TENSORS("enc1", 0, 784, 64, 0, FB1, AEC_INIT_KAIMING_UNIFORM, 1),
    DENSE_TENSORS("code", 1, 64, 16, FW2, FB2, AEC_INIT_XAVIER_UNIFORM, 1),
    DENSE_TENSORS("dec1", 2, 16, 64, FW3, FB3, AEC_INIT_KAIMING_UNIFORM, 1),
    DENSE_TENSORS("dec2", 3, 64, 784, FW4, FB4, AEC_INIT_XAVIER_UNIFORM, 1)};

const aec_model ref_ae_fmnist_model = {
    .abi_version = AEC_ABI_VERSION, .name = "ref_ae_fmnist", .arch_hash = 0x7e5a11ce0000f3a1ull,
    .summary = "layer  kind   out         act\n"
               "enc1   dense  64          relu\n"
               "code   dense  16          linear\n"
               "dec1   dense  64          relu\n"
               "dec2   dense  784=1x28x28 sigmoid\n",
    .input_rank = 3, .input_dims = {1, 28, 28}, .input_size = 784, .has_range = 1, .range_lo = 0,
    .range_hi = 1, .code_layer = 1, .code_size = 16, .max_batch = 64, .param_count = FB4 + 784,
    .opt_slots = 2, .workspace_size = 64 * (64 + 16 + 64 + 784) + 64 * 784, .num_layers = 4,
    .layers = kFmLayers, .num_tensors = 8, .tensors = kFmTensors, .pretrained_path = 0,
    .loss = AEC_LOSS_BCE, .optimizer = AEC_OPT_ADAM, .lr = 2e-3f, .beta1 = 0.9f, .beta2 = 0.999f,
    .eps = 1e-8f, .batch = 64, .epochs = 2, .seed = 42, .inference_only = 0, .forward = fm_forward,
    .decode = fm_decode, .accumulate = fm_accumulate, .update = fm_update};
