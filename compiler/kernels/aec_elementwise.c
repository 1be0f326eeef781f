/* Elementwise and reduction kernels: activations, noise, loss, sparsity and
 * the bias gradient (the fused optimizers: aec_optimizer.c). See
 * aec_kernels.h for semantics.
 * All loops work on whole vectors plus one partial vector at the end of a
 * range, so results are identical whatever the range split. */
#include "aec_kernels.h"
#include "aec_vmath.h"

AEC_INLINE vu v_iota(void) {
  vu r;
  for (int t = 0; t < AEC_VW; ++t)
    r[t] = (uint32_t)t;
  return r;
}

/* ---- activations ------------------------------------------------------ */

AEC_KAPI void aec_act_forward(int64_t b, int64_t e, const float *x, float *y, int act) {
  int64_t i = b;
  for (; i + AEC_VW <= e; i += AEC_VW)
    vstore(y + i, v_act(vload(x + i), act));
  if (i < e)
    vstore_part(y + i, v_act(vload_part(x + i, e - i), act), e - i);
}

AEC_KAPI void aec_act_backward(int64_t b, int64_t e, const float *y, const float *dy, float *dx, int act) {
  int64_t i = b;
  for (; i + AEC_VW <= e; i += AEC_VW)
    vstore(dx + i, vload(dy + i) * v_dact(vload(y + i), act));
  if (i < e)
    vstore_part(dx + i, vload_part(dy + i, e - i) * v_dact(vload_part(y + i, e - i), act), e - i);
}

/* ---- noise -------------------------------------------------------------- */

AEC_INLINE uint64_t mix64(uint64_t z) { /* splitmix64 finalizer */
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

AEC_INLINE vu hash32(vu x) { /* lowbias32 (Wellons) */
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

/* sqrt(2) * erfinv(2u - 1) for u in (0, 1): Giles' single-precision erfinv,
 * split so that callers can skip the tail branch (w >= 5, |2u-1| > 0.9966)
 * for vectors without such a lane (about 97% of 8-lane vectors). */
AEC_INLINE vf normal_central(vf u, vf *xx_out, vf *w_out) {
  vf xx = 2.0f * u - 1.0f;
  vf w = -v_log((1.0f - xx) * (1.0f + xx));
  vf w1 = w - 2.5f;
  vf p = 2.81022636e-08f;
  p = 3.43273939e-07f + p * w1;
  p = -3.5233877e-06f + p * w1;
  p = -4.39150654e-06f + p * w1;
  p = 0.00021858087f + p * w1;
  p = -0.00125372503f + p * w1;
  p = -0.00417768164f + p * w1;
  p = 0.246640727f + p * w1;
  p = 1.50140941f + p * w1;
  *xx_out = xx;
  *w_out = w;
  return p;
}

AEC_INLINE vf normal_tail(vf w, vf p) {
  vf w2 = __builtin_elementwise_sqrt(w) - 3.0f;
  vf p2 = -0.000200214257f;
  p2 = 0.000100950558f + p2 * w2;
  p2 = 0.00134934322f + p2 * w2;
  p2 = -0.00367342844f + p2 * w2;
  p2 = 0.00573950773f + p2 * w2;
  p2 = -0.0076224613f + p2 * w2;
  p2 = 0.00943887047f + p2 * w2;
  p2 = 1.00167406f + p2 * w2;
  p2 = 2.83297682f + p2 * w2;
  return w >= 5.0f ? p2 : p;
}

/* Uniform in (0, 1), never 0 or 1, from the top 24 bits of the hash. */
AEC_INLINE vf uniform24(vu h) {
  return (__builtin_convertvector(h >> 8, vf) + 0.5f) * (1.0f / 16777216.0f);
}

AEC_INLINE vu noise_hash(vu idx_lo, uint32_t idx_hi, uint32_t k0, uint32_t k1) {
  return hash32(hash32(idx_lo + k0) ^ (idx_hi ^ k1));
}

AEC_INLINE vf noise_vec(vf xv, vu idx_lo, uint32_t idx_hi, uint32_t k0, uint32_t k1, int kind,
                        float amount, float lo, float hi) {
  vu h = noise_hash(idx_lo, idx_hi, k0, k1);
  vf u = uniform24(h);
  switch (kind) {
  case 1: {
    vf xx, w;
    vf p = normal_central(u, &xx, &w);
    if (__builtin_reduce_or(w >= 5.0f))
      p = normal_tail(w, p);
    return xv + amount * (1.41421356237309505f * p * xx);
  }
  case 2: return u < amount ? 0.0f : xv;
  case 3: {
    vf sp = (h & 1u) != 0u ? hi : lo;
    return u < amount ? sp : xv;
  }
  default: return xv;
  }
}

AEC_KAPI void aec_noise(int64_t b, int64_t e, const float *x, float *out, int kind, float amount,
               float lo, float hi, uint64_t seed) {
  uint64_t key = mix64(seed);
  uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
  vu iota = v_iota();
  int64_t i = b;
  /* Gaussian: two vectors per iteration (one shared tail test) for more
   * independent work in flight; per lane the operations are the same as in
   * noise_vec, so the result does not depend on the split. */
  if (kind == 1) {
    for (; i + 2 * AEC_VW <= e; i += 2 * AEC_VW) {
      uint32_t hi32 = (uint32_t)((uint64_t)i >> 32);
      if ((uint32_t)((uint64_t)(i + 2 * AEC_VW - 1) >> 32) != hi32)
        break;
      vf u0 = uniform24(noise_hash((uint32_t)i + iota, hi32, k0, k1));
      vf u1 = uniform24(noise_hash((uint32_t)(i + AEC_VW) + iota, hi32, k0, k1));
      vf xx0, w0, xx1, w1;
      vf p0 = normal_central(u0, &xx0, &w0), p1 = normal_central(u1, &xx1, &w1);
      if (__builtin_reduce_or((w0 >= 5.0f) | (w1 >= 5.0f))) {
        p0 = normal_tail(w0, p0);
        p1 = normal_tail(w1, p1);
      }
      vstore(out + i, vload(x + i) + amount * (1.41421356237309505f * p0 * xx0));
      vstore(out + i + AEC_VW, vload(x + i + AEC_VW) + amount * (1.41421356237309505f * p1 * xx1));
    }
  }
  for (; i + AEC_VW <= e; i += AEC_VW) {
    /* Lanes of one vector share the high index word unless they straddle a
     * 2^32 boundary, so the 64-bit index is split per lane. */
    uint32_t hi32 = (uint32_t)((uint64_t)i >> 32);
    if ((uint32_t)((uint64_t)(i + AEC_VW - 1) >> 32) == hi32) {
      vstore(out + i, noise_vec(vload(x + i), (uint32_t)i + iota, hi32, k0, k1, kind, amount, lo, hi));
    } else {
      for (int t = 0; t < AEC_VW; ++t) {
        int64_t j = i + t;
        vf r = noise_vec((vf)x[j], (vu)(uint32_t)j, (uint32_t)((uint64_t)j >> 32), k0, k1, kind,
                         amount, lo, hi);
        out[j] = r[0];
      }
    }
  }
  for (; i < e; ++i) {
    vf r = noise_vec((vf)x[i], (vu)(uint32_t)i, (uint32_t)((uint64_t)i >> 32), k0, k1, kind,
                     amount, lo, hi);
    out[i] = r[0];
  }
}

/* Inverted dropout (issue 7): element i is dropped when its uniform from the
 * noise RNG (same hash as aec_noise, per (seed, i)) is < p, kept ones are
 * scaled by 1/(1-p). Forward (x -> y) and backward (dy -> dx) call it with
 * the same seed, so they see the same mask and no mask is stored. */
AEC_KAPI void aec_dropout(int64_t b, int64_t e, const float *x, float *y, float p, uint64_t seed) {
  uint64_t key = mix64(seed);
  uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
  const float keep = 1.0f / (1.0f - p);
  vu iota = v_iota();
  for (int64_t i = b; i < e; i += AEC_VW) {
    int64_t n = e - i < AEC_VW ? e - i : AEC_VW;
    uint32_t hi32 = (uint32_t)((uint64_t)i >> 32);
    vf u = 1.0f;
    if ((uint32_t)((uint64_t)(i + n - 1) >> 32) == hi32) {
      u = uniform24(noise_hash((uint32_t)i + iota, hi32, k0, k1));
    } else {
      for (int t = 0; t < n; ++t) {
        int64_t j = i + t;
        u[t] = uniform24(noise_hash((vu)(uint32_t)j, (uint32_t)((uint64_t)j >> 32), k0, k1))[0];
      }
    }
    vf v = n == AEC_VW ? vload(x + i) : vload_part(x + i, n);
    vf r = u < p ? 0.0f : v * keep;
    if (n == AEC_VW) vstore(y + i, r);
    else vstore_part(y + i, r, n);
  }
}

/* ---- loss --------------------------------------------------------------- */

AEC_INLINE vf lane_mask_lt(int64_t n) { /* 1.0 in lanes < n, else 0 */
  vf m;
  for (int t = 0; t < AEC_VW; ++t)
    m[t] = t < n ? 1.0f : 0.0f;
  return m;
}

AEC_INLINE vf bce_elem(vf yv, vf zv, vf xv, int have_z) {
  if (have_z) {
    /* max(z,0) - x z + log(1 + exp(-|z|)), where log(1 + exp(-|z|)) is
     * -log(y) for z >= 0 and -log(1-y) for z < 0 with y = sigmoid(z); the
     * argument of the log is in [0.5, 1], so this is accurate to a few 1e-8
     * absolute and needs neither exp nor a division. */
    vf mz = zv < 0.0f ? 0.0f : zv;
    vf q = zv < 0.0f ? 1.0f - yv : yv;
    return mz - xv * zv - v_log(q);
  }
  vf yc = yv < 1e-7f ? 1e-7f : yv;
  yc = yc > 1.0f - 1e-7f ? 1.0f - 1e-7f : yc;
  return -(xv * v_log(yc) + (1.0f - xv) * v_log(1.0f - yc));
}

/* The first n lanes (n <= AEC_VW; a constant AEC_VW in the row's main loop)
 * of a row from yr, zr, xr: their loss terms (pad lanes 0), and their
 * gradient stored to dr when it is set. */
AEC_INLINE vf loss_vec(int64_t n, const float *yr, const float *zr, const float *xr, float *dr,
                       int kind, int out_act, float gm, float gb, int have_z) {
  const int full = n >= AEC_VW;
  const vf yv = full ? vload(yr) : vload_part(yr, n), xv = full ? vload(xr) : vload_part(xr, n);
  vf l, g = 0.0f;
  if (kind == 0) {
    const vf d = yv - xv; /* (0 in pad lanes) */
    l = d * d;
    if (dr)
      g = gm * d * v_dact(yv, out_act);
  } else {
    l = bce_elem(yv, have_z ? (full ? vload(zr) : vload_part(zr, n)) : yv, xv, have_z);
    if (!full)
      l *= lane_mask_lt(n); /* pad lanes would add log 2 */
    if (dr)
      g = gb * (yv - xv);
  }
  if (dr) {
    if (full)
      vstore(dr, g);
    else
      vstore_part(dr, g, n);
  }
  return l;
}

/* Row r's sum of its elements' losses (lane partial sums, then vsum_d);
 * writes row r's gradient when dr is set. */
AEC_INLINE double loss_row(int64_t D, const float *yr, const float *zr, const float *xr, float *dr,
                           int kind, int out_act, float gm, float gb, int have_z) {
  vf acc = 0.0f;
  int64_t j = 0;
  for (; j + AEC_VW <= D; j += AEC_VW)
    acc += loss_vec(AEC_VW, yr + j, zr ? zr + j : 0, xr + j, dr ? dr + j : 0, kind, out_act, gm,
                    gb, have_z);
  if (j < D)
    acc += loss_vec(D - j, yr + j, zr ? zr + j : 0, xr + j, dr ? dr + j : 0, kind, out_act, gm, gb,
                    have_z);
  return vsum_d(acc);
}

/* Rows [r0, r1): the sum of the row means, each row's mean in row_loss.
 * Rows go in blocks of LOSS_ROWS whose means are divided as one vector: a
 * division per row after its sum made every row wait for the last. */
#define LOSS_ROWS 8
typedef double vd_rows __attribute__((ext_vector_type(LOSS_ROWS)));
AEC_INLINE double loss_rows(int64_t r0, int64_t r1, int64_t D, const float *y, const float *z,
                            const float *x, float *dZ, int kind, int out_act, float dscale,
                            float *row_loss, int have_z) {
  double total = 0;
  const float invD = 1.0f / (float)D;
  const float gm = dscale * 2.0f * invD, gb = dscale * invD;
  for (int64_t b = r0; b < r1; b += LOSS_ROWS) {
    const int64_t nb = r1 - b < LOSS_ROWS ? r1 - b : LOSS_ROWS;
    vd_rows sums = 0.0;
    for (int64_t k = 0; k < nb; ++k) {
      const int64_t r = b + k;
      sums[k] = loss_row(D, y + r * D, have_z ? z + r * D : 0, x + r * D, dZ ? dZ + r * D : 0, kind,
                         out_act, gm, gb, have_z);
    }
    vd_rows means = sums / (double)D;
    for (int64_t k = 0; k < nb; ++k) {
      if (row_loss)
        row_loss[b + k] = (float)means[k];
      total += means[k];
    }
  }
  return total;
}

AEC_KAPI double aec_loss(int64_t r0, int64_t r1, int64_t D, const float *y, const float *z,
                const float *x, float *dZ, int kind, int out_act, float dscale,
                float *row_loss) {
  if (kind == 1 && z)
    return loss_rows(r0, r1, D, y, z, x, dZ, kind, out_act, dscale, row_loss, 1);
  return loss_rows(r0, r1, D, y, z, x, dZ, kind, out_act, dscale, row_loss, 0);
}

/* ---- sparsity ----------------------------------------------------------- */

AEC_KAPI double aec_sparsity_l1(int64_t M, int64_t C, const float *c, float *dC, float w, float dscale) {
  const int64_t n = M * C;
  const float g = dscale * w;
  vf acc = 0.0f;
  int64_t i = 0;
  for (; i + AEC_VW <= n; i += AEC_VW) {
    vf cv = vload(c + i);
    acc += vbits(ibits(cv) & 0x7fffffff);
    if (dC) {
      vf s = cv > 0.0f ? 1.0f : (cv < 0.0f ? -1.0f : 0.0f);
      vstore(dC + i, vload(dC + i) + g * s);
    }
  }
  if (i < n) {
    vf cv = vload_part(c + i, n - i);
    acc += vbits(ibits(cv) & 0x7fffffff);
    if (dC) {
      vf s = cv > 0.0f ? 1.0f : (cv < 0.0f ? -1.0f : 0.0f);
      vstore_part(dC + i, vload_part(dC + i, n - i) + g * s, n - i);
    }
  }
  return (double)w * vsum_d(acc) / (double)M;
}

AEC_KAPI double aec_sparsity_kl(int64_t M, int64_t C, const float *c, float *dC, float rho, float w,
                       float dscale, float *scratch) {
  for (int64_t j = 0; j < C; ++j) /* column sums, started from row 0 (no memset) */
    scratch[j] = c[j];
  for (int64_t i = 1; i < M; ++i)
    for (int64_t j = 0; j < C; ++j)
      scratch[j] += c[i * C + j];
  double penalty = 0;
  const float invM = 1.0f / (float)M;
  for (int64_t j = 0; j < C; ++j) {
    float rh = scratch[j] * invM;
    rh = rh < 1e-6f ? 1e-6f : rh;
    rh = rh > 1.0f - 1e-6f ? 1.0f - 1e-6f : rh;
    vf lg = v_log((vf){rho / rh, (1.0f - rho) / (1.0f - rh)});
    penalty += (double)(rho * lg[0] + (1.0f - rho) * lg[1]);
    scratch[j] = dscale * w * (-rho / rh + (1.0f - rho) / (1.0f - rh));
  }
  if (dC)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < C; ++j)
        dC[i * C + j] += scratch[j];
  return (double)w * penalty;
}

/* ---- bias gradient ------------------------------------------------------ */

AEC_KAPI void aec_colsum(int64_t j0, int64_t j1, int64_t M, const float *dZ, int64_t ldz, float *db,
                float scale, int accumulate) {
  int64_t j = j0;
  /* Four vectors of columns at a time: streams the rows once per 4*VW columns. */
  for (; j + 4 * AEC_VW <= j1; j += 4 * AEC_VW) {
    vf s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    for (int64_t i = 0; i < M; ++i) {
      const float *p = dZ + i * ldz + j;
      s0 += vload(p);
      s1 += vload(p + AEC_VW);
      s2 += vload(p + 2 * AEC_VW);
      s3 += vload(p + 3 * AEC_VW);
    }
    float *d = db + j;
    vstore(d, (accumulate ? vload(d) : 0.0f) + scale * s0);
    vstore(d + AEC_VW, (accumulate ? vload(d + AEC_VW) : 0.0f) + scale * s1);
    vstore(d + 2 * AEC_VW, (accumulate ? vload(d + 2 * AEC_VW) : 0.0f) + scale * s2);
    vstore(d + 3 * AEC_VW, (accumulate ? vload(d + 3 * AEC_VW) : 0.0f) + scale * s3);
  }
  for (; j + AEC_VW <= j1; j += AEC_VW) {
    vf s = 0.0f;
    for (int64_t i = 0; i < M; ++i)
      s += vload(dZ + i * ldz + j);
    vstore(db + j, (accumulate ? vload(db + j) : 0.0f) + scale * s);
  }
  if (j < j1) {
    int64_t n = j1 - j;
    vf s = 0.0f;
    for (int64_t i = 0; i < M; ++i)
      s += vload_part(dZ + i * ldz + j, n);
    vstore_part(db + j, (accumulate ? vload_part(db + j, n) : 0.0f) + scale * s, n);
  }
}
