/* GEMM kernels: register-blocked micro-kernel (MR rows x NV vectors of
 * accumulators, one broadcast of A and NV loads of B per k step), B panels
 * packed into a small stack buffer (contiguous, zero-padded at the N edge,
 * transposed for transB), cache blocking over K. After the code generator
 * inlines a call with constant N, K and strides, every loop bound except the
 * row count is a constant. See aec_kernels.h for the semantics. */
#include "aec_kernels.h"
#include "aec_vmath.h"

/* Register blocking per vector width: MR*NV accumulators + NV B vectors + 1
 * broadcast must fit the register file (16 ymm/xmm, 32 zmm). */
#ifndef AEC_MR
#if AEC_VW >= 16
#define AEC_MR 8
#define AEC_NV 2
#define AEC_KC 128
#else
#define AEC_MR 6
#define AEC_NV 2
#define AEC_KC 256
#endif
#endif
#define AEC_NR (AEC_NV * AEC_VW)
/* Rows of B (batch rows) per chunk in the weight-gradient GEMM. */
#ifndef AEC_MC
#define AEC_MC 128
#endif

typedef float v8f __attribute__((ext_vector_type(8)));

AEC_INLINE v8f v8load(const float *p) {
  v8f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
AEC_INLINE void v8store(float *p, v8f v) { __builtin_memcpy(p, &v, sizeof v); }

/* Packs the panel opB[k0:k0+kc][j0:j0+nr] into bp[kc][AEC_NR] (columns nr..NR
 * zero). opB = B ([K][N]) or B^T (B stored [N][K]). */
AEC_INLINE void pack_b(const float *B, int64_t ldb, int transB, int64_t k0, int64_t kc,
                       int64_t j0, int64_t nr, float *bp) {
  if (!transB) {
    for (int64_t k = 0; k < kc; ++k) {
      const float *src = B + (k0 + k) * ldb + j0;
      float *dst = bp + k * AEC_NR;
      if (nr == AEC_NR) {
        for (int v = 0; v < AEC_NV; ++v)
          vstore(dst + v * AEC_VW, vload(src + v * AEC_VW));
      } else {
        for (int64_t c = 0; c < AEC_NR; ++c)
          dst[c] = c < nr ? src[c] : 0.0f;
      }
    }
    return;
  }
  /* Transposed: 8x8 blocks through a shuffle network (any vector width). */
  int64_t k = 0;
  if (nr == AEC_NR) {
    for (; k + 8 <= kc; k += 8) {
      for (int g = 0; g < AEC_NR / 8; ++g) {
        const float *src = B + (j0 + 8 * g) * ldb + k0 + k;
        v8f r0 = v8load(src), r1 = v8load(src + ldb), r2 = v8load(src + 2 * ldb),
            r3 = v8load(src + 3 * ldb), r4 = v8load(src + 4 * ldb), r5 = v8load(src + 5 * ldb),
            r6 = v8load(src + 6 * ldb), r7 = v8load(src + 7 * ldb);
        v8f t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
        v8f t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
        v8f t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
        v8f t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
        v8f t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
        v8f t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
        v8f t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
        v8f t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
        v8f s0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
        v8f s1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
        v8f s2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
        v8f s3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
        v8f s4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
        v8f s5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
        v8f s6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
        v8f s7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
        float *dst = bp + k * AEC_NR + 8 * g;
        v8store(dst + 0 * AEC_NR, __builtin_shufflevector(s0, s4, 0, 1, 2, 3, 8, 9, 10, 11));
        v8store(dst + 1 * AEC_NR, __builtin_shufflevector(s1, s5, 0, 1, 2, 3, 8, 9, 10, 11));
        v8store(dst + 2 * AEC_NR, __builtin_shufflevector(s2, s6, 0, 1, 2, 3, 8, 9, 10, 11));
        v8store(dst + 3 * AEC_NR, __builtin_shufflevector(s3, s7, 0, 1, 2, 3, 8, 9, 10, 11));
        v8store(dst + 4 * AEC_NR, __builtin_shufflevector(s0, s4, 4, 5, 6, 7, 12, 13, 14, 15));
        v8store(dst + 5 * AEC_NR, __builtin_shufflevector(s1, s5, 4, 5, 6, 7, 12, 13, 14, 15));
        v8store(dst + 6 * AEC_NR, __builtin_shufflevector(s2, s6, 4, 5, 6, 7, 12, 13, 14, 15));
        v8store(dst + 7 * AEC_NR, __builtin_shufflevector(s3, s7, 4, 5, 6, 7, 12, 13, 14, 15));
      }
    }
  }
  for (; k < kc; ++k) {
    float *dst = bp + k * AEC_NR;
    for (int64_t c = 0; c < AEC_NR; ++c)
      dst[c] = c < nr ? B[(j0 + c) * ldb + k0 + k] : 0.0f;
  }
}

/* acc[r][v] = sum_{k<kc} a(r, k) * b(k)[v], with a(r, k) = a[r*a_rs + k*a_ks]
 * (rows >= `rows` read row rows-1, so a partial tile needs no extra code) and
 * b(k) = b + k*b_ks. */
AEC_INLINE void micro_kernel(int64_t kc, const float *a, int64_t a_rs, int64_t a_ks, int64_t rows,
                             const float *b, int64_t b_ks, vf acc[AEC_MR][AEC_NV]) {
  const float *ap[AEC_MR];
  for (int r = 0; r < AEC_MR; ++r) {
    ap[r] = a + (r < rows ? r : rows - 1) * a_rs;
    for (int v = 0; v < AEC_NV; ++v)
      acc[r][v] = 0.0f;
  }
  for (int64_t k = 0; k < kc; ++k) {
    vf bv[AEC_NV];
    for (int v = 0; v < AEC_NV; ++v)
      bv[v] = vload(b + k * b_ks + v * AEC_VW);
    for (int r = 0; r < AEC_MR; ++r) {
      vf av = ap[r][k * a_ks];
      for (int v = 0; v < AEC_NV; ++v)
        acc[r][v] += av * bv[v];
    }
  }
}

/* One MR x NR tile of aec_gemm for the K block [kb, kb+kc): combines the
 * accumulators with C (earlier K blocks or `accumulate`) and, on the last
 * block, applies bias, activation and derivative. */
AEC_INLINE void gemm_tile(int64_t i, int64_t rows, int64_t j0, int64_t nr, int64_t kb, int64_t kc,
                          int first, int last, const float *A, int64_t lda, const float *bp,
                          float *C, int64_t ldc, int accumulate, const float *bias, int act,
                          const float *dact_y, int64_t lddy, int dact) {
  vf acc[AEC_MR][AEC_NV];
  micro_kernel(kc, A + i * lda + kb, lda, 1, rows, bp, AEC_NR, acc);
  const int add_c = !first || accumulate;
  for (int r = 0; r < AEC_MR; ++r) {
    if (r >= rows)
      break;
    float *c = C + (i + r) * ldc + j0;
    const float *y = dact_y ? dact_y + (i + r) * lddy + j0 : 0;
    for (int v = 0; v < AEC_NV; ++v) {
      int64_t n = nr - v * AEC_VW; /* valid lanes in this vector */
      if (n <= 0)
        break;
      int full = n >= AEC_VW;
      vf x = acc[r][v];
      if (add_c)
        x += full ? vload(c + v * AEC_VW) : vload_part(c + v * AEC_VW, n);
      if (last) {
        if (bias)
          x += full ? vload(bias + j0 + v * AEC_VW) : vload_part(bias + j0 + v * AEC_VW, n);
        x = v_act(x, act);
        if (y)
          x *= v_dact(full ? vload(y + v * AEC_VW) : vload_part(y + v * AEC_VW, n), dact);
      }
      if (full)
        vstore(c + v * AEC_VW, x);
      else
        vstore_part(c + v * AEC_VW, x, n);
    }
  }
}

AEC_KAPI void aec_gemm(int64_t m0, int64_t m1, int64_t N, int64_t K,
              const float *A, int64_t lda, const float *B, int64_t ldb, int transB,
              float *C, int64_t ldc, int accumulate, const float *bias, int act,
              const float *dact_y, int64_t lddy, int dact) {
  if (m1 <= m0 || N <= 0)
    return;
  if (K <= 0) { /* no products: only the epilogue */
    for (int64_t i = m0; i < m1; ++i)
      for (int64_t j = 0; j < N; ++j) {
        vf x = (accumulate ? C[i * ldc + j] : 0.0f) + (bias ? bias[j] : 0.0f);
        x = v_act(x, act);
        if (dact_y)
          x *= v_dact((vf)dact_y[i * lddy + j], dact);
        C[i * ldc + j] = x[0];
      }
    return;
  }
  /* Balanced K blocks (multiples of 8 except the last). */
  const int64_t nkb = (K + AEC_KC - 1) / AEC_KC;
  const int64_t kcb = ((K + nkb - 1) / nkb + 7) & ~(int64_t)7;
  float bp[AEC_KC * AEC_NR] __attribute__((aligned(64)));
  for (int64_t kb = 0; kb < K; kb += kcb) {
    const int64_t kc = K - kb < kcb ? K - kb : kcb;
    const int first = kb == 0, last = kb + kc >= K;
    for (int64_t j0 = 0; j0 < N; j0 += AEC_NR) {
      const int64_t nr = N - j0 < AEC_NR ? N - j0 : AEC_NR;
      pack_b(B, ldb, transB, kb, kc, j0, nr, bp);
      int64_t i = m0;
      for (; i + AEC_MR <= m1; i += AEC_MR)
        gemm_tile(i, AEC_MR, j0, nr, kb, kc, first, last, A, lda, bp, C, ldc, accumulate, bias,
                  act, dact_y, lddy, dact);
      if (i < m1)
        gemm_tile(i, m1 - i, j0, nr, kb, kc, first, last, A, lda, bp, C, ldc, accumulate, bias,
                  act, dact_y, lddy, dact);
    }
  }
}

/* Weight gradient. Both operands are walked along their rows (the batch),
 * with row strides that are often powers of two, which maps a column panel
 * onto a couple of L1 sets; so both are packed: A^T for a block of AEC_TB
 * k-tiles ([tile][i][MR], reused by every column panel) and the B panel
 * ([i][NR], reused by every k-tile of the block). */
#ifndef AEC_TB
#define AEC_TB (96 / AEC_MR)
#endif

AEC_INLINE void gemm_tn_store(int64_t k, int64_t rows, int64_t j0, int64_t nr, int add_c,
                              float *C, int64_t ldc, float scale, vf acc[AEC_MR][AEC_NV]) {
  for (int r = 0; r < AEC_MR; ++r) {
    if (r >= rows)
      break;
    float *c = C + (k + r) * ldc + j0;
    for (int v = 0; v < AEC_NV; ++v) {
      int64_t n = nr - v * AEC_VW;
      if (n <= 0)
        break;
      int full = n >= AEC_VW;
      vf x = scale * acc[r][v];
      if (add_c)
        x += full ? vload(c + v * AEC_VW) : vload_part(c + v * AEC_VW, n);
      if (full)
        vstore(c + v * AEC_VW, x);
      else
        vstore_part(c + v * AEC_VW, x, n);
    }
  }
}

AEC_KAPI void aec_gemm_tn(int64_t k0, int64_t k1, int64_t N, int64_t M,
                 const float *A, int64_t lda, const float *B, int64_t ldb,
                 float *C, int64_t ldc, float scale, int accumulate) {
  if (k1 <= k0 || N <= 0)
    return;
  if (M <= 0) {
    for (int64_t k = k0; k < k1; ++k)
      for (int64_t j = 0; j < N; ++j)
        C[k * ldc + j] = accumulate ? C[k * ldc + j] : 0.0f;
    return;
  }
  float ap[AEC_TB * AEC_MC * AEC_MR] __attribute__((aligned(64)));
  float bp[AEC_MC * AEC_NR] __attribute__((aligned(64)));
  for (int64_t i0 = 0; i0 < M; i0 += AEC_MC) {
    const int64_t mc = M - i0 < AEC_MC ? M - i0 : AEC_MC;
    const int add_c = i0 > 0 || accumulate;
    for (int64_t kb = k0; kb < k1; kb += AEC_TB * AEC_MR) {
      const int64_t kbn = k1 - kb < AEC_TB * AEC_MR ? k1 - kb : AEC_TB * AEC_MR;
      const int64_t tiles = (kbn + AEC_MR - 1) / AEC_MR;
      /* ap[t][i][r] = A[i0+i][kb + t*MR + r] (zero beyond k1). */
      for (int64_t i = 0; i < mc; ++i) {
        const float *src = A + (i0 + i) * lda + kb;
        for (int64_t t = 0; t < tiles; ++t) {
          float *dst = ap + (t * AEC_MC + i) * AEC_MR;
          if ((t + 1) * AEC_MR <= kbn) {
            for (int r = 0; r < AEC_MR; ++r)
              dst[r] = src[t * AEC_MR + r];
          } else {
            for (int r = 0; r < AEC_MR; ++r)
              dst[r] = t * AEC_MR + r < kbn ? src[t * AEC_MR + r] : 0.0f;
          }
        }
      }
      for (int64_t j0 = 0; j0 < N; j0 += AEC_NR) {
        const int64_t nr = N - j0 < AEC_NR ? N - j0 : AEC_NR;
        pack_b(B + i0 * ldb, ldb, 0, 0, mc, j0, nr, bp);
        for (int64_t t = 0; t < tiles; ++t) {
          vf acc[AEC_MR][AEC_NV];
          micro_kernel(mc, ap + t * AEC_MC * AEC_MR, 1, AEC_MR, AEC_MR, bp, AEC_NR, acc);
          const int64_t k = kb + t * AEC_MR;
          gemm_tn_store(k, k1 - k < AEC_MR ? k1 - k : AEC_MR, j0, nr, add_c, C, ldc, scale, acc);
        }
      }
    }
  }
}
