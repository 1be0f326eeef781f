/* Finite-difference checks of the references in ref_layers.c: each backward
 * against central differences (h = 1e-6) of its forward, in double; batch
 * norm dense ([n][C]) and conv ([n][C][H*W]) in training mode, dropout with
 * a fixed mask, the VAE loss (reparameterized sample with a fixed ε, a
 * linear decoder, bce and mse). Prints one `ok <name>` line per check and
 * exits 1 at the first mismatch (abs 1e-6 + rel 1e-5). */
#include "ref_layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 7;
static double urand(void) { /* [-1, 1) */
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return 2.0 * ((double)(state >> 11) / 9007199254740992.0) - 1.0;
}
static void fill(double *v, int64_t n, double scale, double offset) {
  for (int64_t i = 0; i < n; ++i) v[i] = offset + scale * urand();
}

typedef double (*objective_fn)(void *ctx);

/* Compares grad[i] against the central difference of f in v[i]. */
static int check(const char *name, void *ctx, objective_fn f, double *v, const double *grad,
                 int64_t count) {
  const double h = 1e-6;
  for (int64_t i = 0; i < count; ++i) {
    double keep = v[i];
    v[i] = keep + h;
    double up = f(ctx);
    v[i] = keep - h;
    double down = f(ctx);
    v[i] = keep;
    double fd = (up - down) / (2 * h);
    if (fabs(fd - grad[i]) > 1e-6 + 1e-5 * fabs(fd)) {
      printf("FAIL %s[%lld]: analytic %.10g, finite difference %.10g\n", name, (long long)i,
             grad[i], fd);
      return 1;
    }
  }
  return 0;
}

/* ---- batch norm: f = Σ r·BN(x) ---- */
struct bn_case {
  int n, C, S;
  double *x, *gamma, *beta, *r;
};
static double bn_objective(void *p) {
  struct bn_case *b = p;
  int64_t count = (int64_t)b->n * b->C * b->S;
  double *y = malloc(sizeof(double) * count), mean[64], var[64], s = 0;
  ref_bn_train_forward(b->n, b->C, b->S, b->x, b->gamma, b->beta, REF_BN_EPS, y, mean, var);
  for (int64_t j = 0; j < count; ++j) s += b->r[j] * y[j];
  free(y);
  return s;
}
static int check_bn(const char *name, int n, int C, int S) {
  int64_t count = (int64_t)n * C * S;
  struct bn_case b = {n, C, S, malloc(sizeof(double) * count), malloc(sizeof(double) * C),
                      malloc(sizeof(double) * C), malloc(sizeof(double) * count)};
  fill(b.x, count, 2.0, 0.5);
  fill(b.gamma, C, 0.5, 1.0);
  fill(b.beta, C, 0.5, 0.0);
  fill(b.r, count, 1.0, 0.0);
  double *y = malloc(sizeof(double) * count), *dx = malloc(sizeof(double) * count);
  double mean[64], var[64], dg[64], db[64];
  ref_bn_train_forward(n, C, S, b.x, b.gamma, b.beta, REF_BN_EPS, y, mean, var);
  ref_bn_backward(n, C, S, b.x, b.gamma, mean, var, REF_BN_EPS, b.r, dx, dg, db);
  int bad = check(name, &b, bn_objective, b.x, dx, count) ||
            check(name, &b, bn_objective, b.gamma, dg, C) ||
            check(name, &b, bn_objective, b.beta, db, C);
  /* Inference: the folded affine map equals the running-stats forward. */
  double rm[64], rv[64], scale[64], shift[64];
  for (int c = 0; c < C; ++c) rm[c] = 0, rv[c] = 1;
  ref_bn_update_running(C, (int64_t)n * S, mean, var, REF_BN_MOMENTUM, rm, rv);
  ref_bn_eval_forward(n, C, S, b.x, b.gamma, b.beta, rm, rv, REF_BN_EPS, y);
  ref_bn_fold(C, b.gamma, b.beta, rm, rv, REF_BN_EPS, scale, shift);
  for (int64_t j = 0; j < count && !bad; ++j) {
    int c = (int)((j / S) % C);
    if (fabs(scale[c] * b.x[j] + shift[c] - y[j]) > 1e-12) {
      printf("FAIL %s: folded inference differs at %lld\n", name, (long long)j);
      bad = 1;
    }
  }
  if (!bad) printf("ok %s\n", name);
  free(b.x), free(b.gamma), free(b.beta), free(b.r), free(y), free(dx);
  return bad;
}

/* ---- dropout with a fixed mask: f = Σ r·dropout(x) ---- */
struct drop_case {
  int64_t count;
  double *x, *r, p;
  uint8_t *mask;
};
static double drop_objective(void *p) {
  struct drop_case *d = p;
  double *y = malloc(sizeof(double) * d->count), s = 0;
  ref_dropout_forward(d->count, d->x, d->mask, d->p, y);
  for (int64_t j = 0; j < d->count; ++j) s += d->r[j] * y[j];
  free(y);
  return s;
}
static int check_dropout(void) {
  enum { N = 40 };
  double x[N], r[N], dx[N];
  uint8_t mask[N];
  fill(x, N, 1.0, 0.0);
  fill(r, N, 1.0, 0.0);
  for (int j = 0; j < N; ++j) mask[j] = urand() > -0.4; /* keep ~70% */
  struct drop_case d = {N, x, r, 0.3, mask};
  ref_dropout_backward(N, r, mask, 0.3, dx);
  int bad = check("dropout", &d, drop_objective, x, dx, N);
  if (!bad) printf("ok dropout\n");
  return bad;
}

/* ---- VAE: mu, logvar -> z (fixed ε) -> a = z·W + b -> recon + β·KL ---- */
enum { VN = 3, VK = 4, VD = 5 };
struct vae_case {
  double mu[VN * VK], lv[VN * VK], eps[VN * VK], W[VK * VD], b[VD], x[VN * VD], beta;
  int bce;
};
static void vae_decode(const struct vae_case *v, const double *z, double *a) {
  for (int i = 0; i < VN; ++i)
    for (int d = 0; d < VD; ++d) {
      double s = v->b[d];
      for (int k = 0; k < VK; ++k) s += z[i * VK + k] * v->W[k * VD + d];
      a[i * VD + d] = s;
    }
}
static double vae_objective(void *p) {
  struct vae_case *v = p;
  double z[VN * VK], a[VN * VD];
  ref_vae_sample(VN, VK, v->mu, v->lv, v->eps, z);
  vae_decode(v, z, a);
  double rec = v->bce ? ref_recon_bce_logits(VN, VD, v->x, a, NULL)
                      : ref_recon_mse(VN, VD, v->x, a, NULL);
  return rec + ref_vae_kl(VN, VK, v->mu, v->lv, v->beta);
}
static int check_vae(const char *name, int bce, double beta) {
  struct vae_case v;
  fill(v.mu, VN * VK, 1.0, 0.0);
  fill(v.lv, VN * VK, 1.0, -0.3);
  fill(v.eps, VN * VK, 1.5, 0.0);
  fill(v.W, VK * VD, 0.7, 0.0);
  fill(v.b, VD, 0.2, 0.0);
  for (int j = 0; j < VN * VD; ++j) v.x[j] = 0.5 + 0.5 * urand();
  v.beta = beta;
  v.bce = bce;
  double z[VN * VK], a[VN * VD], da[VN * VD], dz[VN * VK], dmu[VN * VK], dlv[VN * VK];
  ref_vae_sample(VN, VK, v.mu, v.lv, v.eps, z);
  vae_decode(&v, z, a);
  if (bce) ref_recon_bce_logits(VN, VD, v.x, a, da);
  else ref_recon_mse(VN, VD, v.x, a, da);
  for (int i = 0; i < VN; ++i)
    for (int k = 0; k < VK; ++k) {
      double s = 0;
      for (int d = 0; d < VD; ++d) s += da[i * VD + d] * v.W[k * VD + d];
      dz[i * VK + k] = s;
    }
  ref_vae_backward(VN, VK, v.mu, v.lv, v.eps, dz, beta, dmu, dlv);
  int bad = check(name, &v, vae_objective, v.mu, dmu, VN * VK) ||
            check(name, &v, vae_objective, v.lv, dlv, VN * VK);
  if (!bad) printf("ok %s\n", name);
  return bad;
}

int main(void) {
  int bad = check_bn("batchnorm-dense", 5, 4, 1) || check_bn("batchnorm-conv", 3, 3, 6) ||
            check_bn("batchnorm-conv1d", 2, 5, 7) || check_dropout() ||
            check_vae("vae-bce", 1, 1.0) || check_vae("vae-mse-beta", 0, 0.25);
  if (ref_kl_weight(1.0, 5, 0) != 0 || ref_kl_weight(1.0, 5, 2) != 0.4 ||
      ref_kl_weight(2.0, 5, 7) != 2.0 || ref_kl_weight(0.5, 0, 0) != 0.5) {
    printf("FAIL kl-warmup\n");
    bad = 1;
  } else if (!bad) {
    printf("ok kl-warmup\n");
  }
  return bad;
}
