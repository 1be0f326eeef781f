/* The float kernels of issue 7 (compiler/kernels/aec_norm.c, aec_norm_train.c,
 * aec_vae.c, aec_dropout in aec_elementwise.c) against the double references of ref_layers.c:
 * batch norm train (with running statistics) / backward / folded inference
 * for dense and conv shapes, dropout (mask rate, scaling, the same mask in
 * backward, independence of the range split) and the VAE sample, KL and
 * backward, layer norm forward / input and parameter gradients (against
 * values computed once with PyTorch in float64, and a double reference).
 * Ranges are split unevenly to exercise the kernels' bounds.
 * Tolerance abs 1e-5 + rel 1e-4. Prints `ok <name>` per check.
 * Build: clang-19 -O2 -DAEC_VW=<4|8|16> [-mavx2 -mfma] -I compiler/kernels
 *        this file ref_layers.c aec_norm.c aec_norm_train.c aec_vae.c
 *        aec_elementwise.c -lm */
#include "aec_kernels.h"
#include "aec_norm.h"
#include "ref_layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 99;
static double urand(void) { /* [-1, 1) */
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return 2.0 * ((double)(state >> 11) / 9007199254740992.0) - 1.0;
}

static int bad = 0;
static void expect(const char *name, const float *got, const double *want, int64_t n) {
  for (int64_t i = 0; i < n && !bad; ++i)
    if (!(fabs(got[i] - want[i]) <= 1e-5 + 1e-4 * fabs(want[i]))) {
      printf("FAIL %s[%lld]: kernel %.8g, reference %.8g\n", name, (long long)i, got[i], want[i]);
      bad = 1;
    }
}

static void batchnorm(const char *name, int M, int C, int S) {
  int64_t n = (int64_t)M * C * S;
  float *x = malloc(4 * n), *y = malloc(4 * n), *dy = malloc(4 * n), *dx = malloc(4 * n);
  double *xd = malloc(8 * n), *yd = malloc(8 * n), *dyd = malloc(8 * n), *dxd = malloc(8 * n);
  float g[64], b[64], mean[64], inv[64], rm[64], rv[64], dg[64], db[64], sc[64], sh[64];
  double gd[64], bd[64], meand[64], vard[64], rmd[64], rvd[64], dgd[64], dbd[64];
  for (int64_t i = 0; i < n; ++i) xd[i] = x[i] = (float)(3.0 + 2.0 * urand());
  for (int64_t i = 0; i < n; ++i) dyd[i] = dy[i] = (float)urand();
  for (int c = 0; c < C; ++c) {
    gd[c] = g[c] = (float)(1.0 + 0.3 * urand());
    bd[c] = b[c] = (float)(0.3 * urand());
    rm[c] = 0, rv[c] = 1, rmd[c] = 0, rvd[c] = 1;
  }
  aec_bn_train(0, 1, M, C, S, x, g, b, 1e-5f, 0.1f, y, mean, inv, rm, rv);
  aec_bn_train(1, C, M, C, S, x, g, b, 1e-5f, 0.1f, y, mean, inv, rm, rv);
  ref_bn_train_forward(M, C, S, xd, gd, bd, 1e-5, yd, meand, vard);
  ref_bn_update_running(C, (int64_t)M * S, meand, vard, 0.1, rmd, rvd);
  expect(name, y, yd, n);
  expect(name, rm, rmd, C);
  expect(name, rv, rvd, C);

  aec_bn_backward(0, C - 1, M, C, S, x, g, mean, inv, dy, dx, dg, db, 0);
  aec_bn_backward(C - 1, C, M, C, S, x, g, mean, inv, dy, dx, dg, db, 0);
  ref_bn_backward(M, C, S, xd, gd, meand, vard, 1e-5, dyd, dxd, dgd, dbd);
  expect(name, dx, dxd, n);
  expect(name, dg, dgd, C);
  expect(name, db, dbd, C);

  aec_bn_fold(C, g, b, rm, rv, 1e-5f, sc, sh);
  aec_bn_affine(0, M / 2, C, S, x, sc, sh, y);
  aec_bn_affine(M / 2, M, C, S, x, sc, sh, y);
  ref_bn_eval_forward(M, C, S, xd, gd, bd, rmd, rvd, 1e-5, yd);
  expect(name, y, yd, n);
  if (!bad) printf("ok %s\n", name);
  free(x), free(y), free(dy), free(dx), free(xd), free(yd), free(dyd), free(dxd);
}

static void dropout(void) {
  enum { N = 100003 };
  const float p = 0.2f;
  float *x = malloc(4 * N), *y = malloc(4 * N), *y2 = malloc(4 * N), *dx = malloc(4 * N);
  double *xd = malloc(8 * N), *yd = malloc(8 * N);
  uint8_t *mask = malloc(N);
  for (int64_t i = 0; i < N; ++i) xd[i] = x[i] = (float)(urand() + 2.0); /* never 0 */
  aec_dropout(0, N, x, y, p, 1234);
  aec_dropout(0, 7, x, y2, p, 1234); /* another split: the same values */
  aec_dropout(7, 50001, x, y2, p, 1234);
  aec_dropout(50001, N, x, y2, p, 1234);
  int64_t dropped = 0;
  for (int64_t i = 0; i < N; ++i) {
    mask[i] = y[i] != 0.0f;
    dropped += !mask[i];
    if (y[i] != y2[i]) {
      printf("FAIL dropout: depends on the split at %lld\n", (long long)i);
      bad = 1;
      break;
    }
  }
  double rate = (double)dropped / N;
  if (fabs(rate - p) > 0.01) {
    printf("FAIL dropout: rate %.4f, expected %.2f\n", rate, p);
    bad = 1;
  }
  ref_dropout_forward(N, xd, mask, p, yd);
  expect("dropout", y, yd, N);
  aec_dropout(0, N, x, dx, p, 1234); /* backward: the same mask on dy (= x here) */
  expect("dropout-backward", dx, yd, N);
  aec_dropout(0, N, x, y2, p, 1235);
  int64_t same = 0;
  for (int64_t i = 0; i < N; ++i) same += (y2[i] != 0.0f) == mask[i];
  if (same == N) {
    printf("FAIL dropout: another seed gave the same mask\n");
    bad = 1;
  }
  if (!bad) printf("ok dropout (rate %.3f)\n", rate);
  free(x), free(y), free(y2), free(dx), free(xd), free(yd), free(mask);
}

static void vae(int K) {
  enum { M = 7 };
  float mu[M * 64], lv[M * 64], eps[M * 64], z[M * 64], dz[M * 64], dmu[M * 64], dlv[M * 64];
  double mud[M * 64], lvd[M * 64], epsd[M * 64], zd[M * 64], dzd[M * 64], dmud[M * 64],
      dlvd[M * 64];
  for (int i = 0; i < M * K; ++i) {
    mud[i] = mu[i] = (float)urand();
    lvd[i] = lv[i] = (float)(urand() - 0.3);
    epsd[i] = eps[i] = (float)(1.5 * urand());
    dzd[i] = dz[i] = (float)(0.1 * urand());
  }
  double kl = aec_vae_sample(0, 3, K, mu, lv, eps, z) + aec_vae_sample(3, M, K, mu, lv, eps, z);
  ref_vae_sample(M, K, mud, lvd, epsd, zd);
  double kld = ref_vae_kl(M, K, mud, lvd, 1.0) * M;
  expect("vae-sample", z, zd, M * K);
  float klf = (float)kl;
  expect("vae-kl", &klf, &kld, 1);
  const double beta = 0.5;
  aec_vae_backward(0, 2, K, mu, lv, eps, dz, dmu, dlv, (float)(beta / M));
  aec_vae_backward(2, M, K, mu, lv, eps, dz, dmu, dlv, (float)(beta / M));
  ref_vae_backward(M, K, mud, lvd, epsd, dzd, beta, dmud, dlvd);
  expect("vae-dmu", dmu, dmud, M * K);
  expect("vae-dlogvar", dlv, dlvd, M * K);
  if (!bad) printf("ok vae K=%d\n", K);
}

/* nn.LayerNorm(7, eps=1e-5) in float64 on these x, weight, bias and dy (torch
 * 2.x, /usr/bin/python3): y, x.grad, weight.grad, bias.grad. */
static const double ln_x[21] = {0.5, -1.25, 2.0, 0.75, -0.5, 1.5, -2.25, 3.0, 2.5, -0.125, 0.0,
                                1.0, -1.5, 0.25, -0.3, 0.2, 0.1, -0.4, 0.6, 0.05, -0.7};
static const double ln_g[7] = {1.0, 0.5, -0.75, 2.0, 1.25, 0.9, -1.1};
static const double ln_b[7] = {0.0, 0.25, -0.5, 0.1, 0.0, -0.2, 0.3};
static const double ln_dy[21] = {0.1,  -0.2, 0.3,  0.05, -0.15, 0.25, -0.4, -0.3, 0.45, 0.2, -0.1,
                                 0.6,  -0.05, 0.15, 0.7, -0.35, 0.05, 0.2,  -0.25, 0.1, 0.3};
static const double ln_torch_y[21] = {
    0.27921949016753189,  -0.23228821028937313, -1.5089977031053992,  1.0138092405482861,
    -0.53940128782364094, 0.69096400953457893,  2.1428486351057101,   1.5583078558646082,
    0.85737195956927637,  -0.058274938495071621, -0.90615152898344797, 0.23006513620048338,
    -1.5803908172029011,  0.66442317574156595,  -0.58833007882531629, 0.57982140782631364,
    -0.80753617756777896, -1.5758493154418101,  2.0725264140437276,   0.05672585257831974,
    2.0453792338484384};
static const double ln_torch_dx[21] = {
    0.051332832446330821, -0.16230913290558388, -0.11837738417801305, 0.061546241198705921,
    -0.19385870218577245, 0.18102903250913682,  0.18063711311519584,  -0.25666359348574846,
    0.11272915156334395,  -0.099528090675842437, -0.13604713722013156, 0.49942311958590507,
    -0.0035904823748514813, -0.11632296739267485, 1.4501032062251544, -0.357100849108961,
    -0.089258005127983722, 0.62596976753793132,  -0.39889458708856707, 0.19130023196366339,
    -1.4221197644012376};
static const double ln_torch_dg[7] = {-0.85140146292035057, 0.5086750622496784, 0.30630814334536405,
                                      -0.094432124081301472, -0.23934586289367654,
                                      0.35270347611291303, 0.14442018866047063};
static const double ln_torch_db[7] = {0.5, -0.1, 0.55, 0.15, 0.2, 0.3, 0.05};

/* The three kernels on [M][D], rows and features split unevenly. */
static void ln_run(int64_t M, int64_t D, const float *x, const float *g, const float *b,
                   const float *dy, float *y, float *st, float *dx, float *dg, float *db) {
  aec_ln_forward(0, M / 2, D, x, g, b, 1e-5f, y, st);
  aec_ln_forward(M / 2, M, D, x, g, b, 1e-5f, y, st);
  aec_ln_param_grad(0, D / 3, M, D, x, st, dy, dg, db, 0);
  aec_ln_param_grad(D / 3, D, M, D, x, st, dy, dg, db, 0);
  aec_ln_backward(0, 1, D, x, g, st, dy, dx);
  aec_ln_backward(1, M, D, x, g, st, dy, dx);
}

static void layernorm_torch(void) {
  float x[21], g[7], b[7], dy[21], y[21], st[6], dx[21], dg[7], db[7];
  for (int i = 0; i < 21; ++i) x[i] = (float)ln_x[i], dy[i] = (float)ln_dy[i];
  for (int j = 0; j < 7; ++j) g[j] = (float)ln_g[j], b[j] = (float)ln_b[j];
  ln_run(3, 7, x, g, b, dy, y, st, dx, dg, db);
  expect("layernorm y", y, ln_torch_y, 21);
  expect("layernorm dx", dx, ln_torch_dx, 21);
  expect("layernorm dgamma", dg, ln_torch_dg, 7);
  expect("layernorm dbeta", db, ln_torch_db, 7);
  if (!bad) printf("ok layernorm torch\n");
}

/* A wider case (features past one 32-column block) against a double
 * reference, dx in place over dy, and accumulating parameter gradients. */
static void layernorm_wide(int M, int D) {
  int64_t n = (int64_t)M * D;
  float *x = malloc(4 * n), *y = malloc(4 * n), *dy = malloc(4 * n), *dx = malloc(4 * n);
  float *g = malloc(4 * D), *b = malloc(4 * D), *dg = malloc(4 * D), *db = malloc(4 * D);
  float *st = malloc(8 * M);
  double *yd = malloc(8 * n), *dxd = malloc(8 * n), *dgd = calloc(D, 8), *dbd = calloc(D, 8);
  for (int64_t i = 0; i < n; ++i) x[i] = (float)(2.0 + 3.0 * urand()), dy[i] = (float)urand();
  for (int j = 0; j < D; ++j) g[j] = (float)(1.0 + 0.5 * urand()), b[j] = (float)(0.3 * urand());
  for (int i = 0; i < M; ++i) {
    const float *xi = x + (int64_t)i * D, *dyi = dy + (int64_t)i * D;
    double mean = 0, var = 0, a = 0, c = 0;
    for (int j = 0; j < D; ++j) mean += xi[j] / (double)D;
    for (int j = 0; j < D; ++j) var += (xi[j] - mean) * (xi[j] - mean) / D;
    const double inv = 1 / sqrt(var + 1e-5);
    for (int j = 0; j < D; ++j) {
      const double xh = (xi[j] - mean) * inv;
      yd[(int64_t)i * D + j] = g[j] * xh + b[j];
      a += dyi[j] * g[j], c += dyi[j] * g[j] * xh;
      dgd[j] += 2 * dyi[j] * xh, dbd[j] += 2 * dyi[j]; /* twice: accumulated below */
    }
    for (int j = 0; j < D; ++j)
      dxd[(int64_t)i * D + j] = inv * (dyi[j] * g[j] - a / D - (xi[j] - mean) * inv * c / D);
  }
  ln_run(M, D, x, g, b, dy, y, st, dx, dg, db);
  aec_ln_param_grad(0, D, M, D, x, st, dy, dg, db, 1);
  expect("layernorm wide y", y, yd, n);
  expect("layernorm wide dx", dx, dxd, n);
  expect("layernorm wide dgamma", dg, dgd, D);
  expect("layernorm wide dbeta", db, dbd, D);
  aec_ln_backward(0, M, D, x, g, st, dy, dy); /* in place */
  expect("layernorm wide dx in place", dy, dxd, n);
  if (!bad) printf("ok layernorm M=%d D=%d\n", M, D);
  free(x), free(y), free(dy), free(dx), free(g), free(b), free(dg), free(db), free(st);
  free(yd), free(dxd), free(dgd), free(dbd);
}

int main(void) {
  batchnorm("batchnorm-dense", 16, 37, 1);
  batchnorm("batchnorm-conv", 5, 6, 49);
  batchnorm("batchnorm-conv1d", 3, 4, 11);
  dropout();
  vae(16);
  vae(5);
  layernorm_torch();
  layernorm_wide(6, 77);
  layernorm_wide(2, 300);
  return bad;
}
