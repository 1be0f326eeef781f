/* GEMM kernels: register-blocked micro-kernel (MR rows x NV vectors of
 * accumulators, one broadcast of A and NV loads of B per k step), B panels
 * packed into a small stack buffer (contiguous, zero-padded at the N edge,
 * transposed for transB), cache blocking over K. After the code generator
 * inlines a call with constant N, K and strides, every loop bound except the
 * row count is a constant. See aec_kernels.h for the semantics. The weight
 * gradient aec_gemm_tn is in aec_gemm_tn.c (its own archive member). */
#include "aec_gemm_core.h"

/* bf16 weights (aec_gemm_bf16): pairs along K in 32-bit words, the even
 * row's value in the low half; widening is a shift or a mask. */
AEC_INLINE vf bf16_even(vu u) { return (vf)(u << 16); }
AEC_INLINE vf bf16_odd(vu u) { return (vf)(u & 0xffff0000u); }

/* pack_b from bf16 pairs Bp (row stride ldb words), k0 even. */
AEC_INLINE void pack_b_bf16(const uint32_t *Bp, int64_t ldb, int64_t k0, int64_t kc, int64_t j0,
                            int64_t nr, float *bp) {
  for (int64_t k = 0; k < kc; k += 2) {
    const uint32_t *src = Bp + (k0 + k) / 2 * ldb + j0;
    float *dst = bp + k * AEC_NR;
    const int odd = k + 1 < kc;
    for (int v = 0; v < AEC_NV; ++v) {
      const int64_t n = nr - v * AEC_VW;
      vu u = n >= AEC_VW ? vuload(src + v * AEC_VW) : vuload_part(src + v * AEC_VW, n > 0 ? n : 0);
      vstore(dst + v * AEC_VW, bf16_even(u));
      if (odd)
        vstore(dst + AEC_NR + v * AEC_VW, bf16_odd(u));
    }
  }
}

/* The epilogue for one vector of C (n valid lanes): combine with C (earlier
 * K blocks or `accumulate`), and on the last K block add the bias, apply the
 * activation and the derivative through y. */
AEC_INLINE void gemm_epilogue(vf x, float *c, const float *bias, const float *y, int64_t n,
                              int add_c, int last, int act, int dact) {
  int full = n >= AEC_VW;
  if (add_c)
    x += full ? vload(c) : vload_part(c, n);
  if (last) {
    if (bias)
      x += full ? vload(bias) : vload_part(bias, n);
    x = v_act(x, act);
    if (y)
      x *= v_dact(full ? vload(y) : vload_part(y, n), dact);
  }
  if (full)
    vstore(c, x);
  else
    vstore_part(c, x, n);
}

/* One MR x NR tile of aec_gemm for the K block [kb, kb+kc); b(k) = b + k*b_ks
 * is the (packed or in-place) B panel. */
AEC_INLINE void gemm_tile(int64_t i, int64_t rows, int64_t j0, int64_t nr, int64_t kb, int64_t kc,
                          int first, int last, const float *A, int64_t lda, const float *b,
                          int64_t b_ks, float *C, int64_t ldc, int accumulate, const float *bias,
                          int act, const float *dact_y, int64_t lddy, int dact) {
  vf acc[AEC_MR][AEC_NV];
  prefetch_tile(C + i * ldc + j0, ldc, rows, 1);
  if (last && dact_y)
    prefetch_tile(dact_y + i * lddy + j0, lddy, rows, 0);
  micro_kernel(kc, A + i * lda + kb, lda, 1, rows, b, b_ks, acc);
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
      gemm_epilogue(acc[r][v], c + v * AEC_VW, bias ? bias + j0 + v * AEC_VW : 0,
                    y ? y + v * AEC_VW : 0, n, add_c, last, act, dact);
    }
  }
}

AEC_INLINE float vsum_f(vf v) {
  float s = 0.0f;
  for (int t = 0; t < AEC_VW; ++t)
    s += v[t];
  return s;
}

/* A few rows with transB (batch-1 inference of tied weights): dot products
 * along K, since transposing B panels would cost more than the products. */
AEC_INLINE void gemm_dot_rows(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                              int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc,
                              int accumulate, const float *bias, int act, const float *dact_y,
                              int64_t lddy, int dact) {
  for (int64_t i = m0; i < m1; ++i) {
    const float *a = A + i * lda;
    for (int64_t j0 = 0; j0 < N; j0 += AEC_VW) {
      const int64_t n = N - j0 < AEC_VW ? N - j0 : AEC_VW;
      vf r = 0.0f;
      for (int64_t t = 0; t < n; ++t) {
        const float *bj = B + (j0 + t) * ldb;
        vf s0 = 0.0f, s1 = 0.0f;
        int64_t k = 0;
        for (; k + 2 * AEC_VW <= K; k += 2 * AEC_VW) {
          s0 += vload(a + k) * vload(bj + k);
          s1 += vload(a + k + AEC_VW) * vload(bj + k + AEC_VW);
        }
        for (; k + AEC_VW <= K; k += AEC_VW)
          s0 += vload(a + k) * vload(bj + k);
        if (k < K)
          s1 += vload_part(a + k, K - k) * vload_part(bj + k, K - k);
        r[t] = vsum_f(s0 + s1);
      }
      gemm_epilogue(r, C + i * ldc + j0, bias ? bias + j0 : 0,
                    dact_y ? dact_y + i * lddy + j0 : 0, n, accumulate, 1, act, dact);
    }
  }
}

/* One row, B not transposed (batch-1 inference): a GEMV streaming B row by
 * row in panels of 8 vectors, 8 independent accumulator chains. */
#define AEC_GV AEC_GEMV_PANEL_VECTORS
/* The panel's part of the row AEC_GEMV_PREFETCH_ROWS rows ahead (4-byte
 * words). Its rows are ldb apart, a few per 4 KB page, which the hardware
 * prefetchers follow badly: batch-1 fashion_mlp with bf16 weights on a
 * Sapphire Rapids VM (2 MB L2) went from ~40 to ~30 us at 2 threads. The f32
 * GEMV (twice the bytes, from L3) measured slower with it (68 -> 75 us). */
#define AEC_GEMV_PREFETCH_ROWS 8
AEC_INLINE void gemv_prefetch(const void *row) {
  for (int64_t o = 0; o < AEC_GV * AEC_VW * 4; o += 64)
    __builtin_prefetch((const char *)row + o);
}
AEC_INLINE void gemv_row(int64_t i, int64_t N, int64_t K, const float *A, int64_t lda,
                         const float *B, int64_t ldb, float *C, int64_t ldc, int accumulate,
                         const float *bias, int act, const float *dact_y, int64_t lddy, int dact) {
  const float *a = A + i * lda;
  float *c = C + i * ldc;
  const float *y = dact_y ? dact_y + i * lddy : 0;
  int64_t j0 = 0;
  for (; j0 + AEC_GV * AEC_VW <= N; j0 += AEC_GV * AEC_VW) {
    vf acc[AEC_GV];
    for (int v = 0; v < AEC_GV; ++v)
      acc[v] = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      vf av = a[k];
      for (int v = 0; v < AEC_GV; ++v)
        acc[v] += av * vload(B + k * ldb + j0 + v * AEC_VW);
    }
    for (int v = 0; v < AEC_GV; ++v)
      gemm_epilogue(acc[v], c + j0 + v * AEC_VW, bias ? bias + j0 + v * AEC_VW : 0,
                    y ? y + j0 + v * AEC_VW : 0, AEC_VW, accumulate, 1, act, dact);
  }
  for (; j0 < N; j0 += AEC_VW) {
    const int64_t n = N - j0 < AEC_VW ? N - j0 : AEC_VW;
    vf s0 = 0.0f, s1 = 0.0f;
    int64_t k = 0;
    if (n == AEC_VW) {
      for (; k + 2 <= K; k += 2) {
        s0 += a[k] * vload(B + k * ldb + j0);
        s1 += a[k + 1] * vload(B + (k + 1) * ldb + j0);
      }
      for (; k < K; ++k)
        s0 += a[k] * vload(B + k * ldb + j0);
    } else {
      for (; k < K; ++k)
        s0 += a[k] * vload_part(B + k * ldb + j0, n);
    }
    gemm_epilogue(s0 + s1, c + j0, bias ? bias + j0 : 0, y ? y + j0 : 0, n, accumulate, 1, act,
                  dact);
  }
}

#ifndef AEC_GEMV_PREFETCH_ROWS
#define AEC_GEMV_PREFETCH_ROWS 16
#endif
/* gemv_row on bf16 pairs (row stride ldb words), no accumulate/derivative:
 * the same panels and, per column, the same k order. */
AEC_INLINE void gemv_row_bf16(int64_t N, int64_t K, const float *a, const uint32_t *Bp,
                              int64_t ldb, float *c, const float *bias, int act) {
  const int64_t K2 = K / 2;
  int64_t j0 = 0;
  for (; j0 + AEC_GV * AEC_VW <= N; j0 += AEC_GV * AEC_VW) {
    vf acc[AEC_GV];
    for (int v = 0; v < AEC_GV; ++v)
      acc[v] = 0.0f;
    const uint32_t *b = Bp + j0;
    for (int64_t k = 0; k < K2; ++k, b += ldb) {
      vf a0 = a[2 * k], a1 = a[2 * k + 1];
      gemv_prefetch(b + AEC_GEMV_PREFETCH_ROWS * ldb);
      for (int v = 0; v < AEC_GV; ++v) {
        vu u = vuload(b + v * AEC_VW);
        acc[v] += a0 * bf16_even(u);
        acc[v] += a1 * bf16_odd(u);
      }
    }
    if (K & 1) {
      vf a0 = a[K - 1];
      for (int v = 0; v < AEC_GV; ++v)
        acc[v] += a0 * bf16_even(vuload(b + v * AEC_VW));
    }
    for (int v = 0; v < AEC_GV; ++v)
      gemm_epilogue(acc[v], c + j0 + v * AEC_VW, bias ? bias + j0 + v * AEC_VW : 0, 0, AEC_VW, 0,
                    1, act, 0);
  }
  for (; j0 < N; j0 += AEC_VW) {
    const int64_t n = N - j0 < AEC_VW ? N - j0 : AEC_VW;
    vf s0 = 0.0f, s1 = 0.0f;
    const uint32_t *b = Bp + j0;
    for (int64_t k = 0; k < (K + 1) / 2; ++k, b += ldb) {
      vu u = n == AEC_VW ? vuload(b) : vuload_part(b, n);
      s0 += a[2 * k] * bf16_even(u);
      if (2 * k + 1 < K)
        s1 += a[2 * k + 1] * bf16_odd(u);
    }
    gemm_epilogue(s0 + s1, c + j0, bias ? bias + j0 : 0, 0, n, 0, 1, act, 0);
  }
}

/* The blocked GEMM of aec_gemm and aec_gemm_bf16 (Bp: bf16 pairs, not
 * transposed, ldb in words). */
AEC_INLINE void gemm_blocked(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                             int64_t lda, const float *B, const uint32_t *Bp, int64_t ldb,
                             int transB, float *C, int64_t ldc, int accumulate, const float *bias,
                             int act, const float *dact_y, int64_t lddy, int dact) {
  /* A range of at most one row tile reads full B panels in place: packing
   * would cost as much as the products (batch-1 inference is a GEMV). */
  const int direct = !Bp && !transB && m1 - m0 <= AEC_MR;
  /* Balanced K blocks (multiples of 8 except the last). */
  const int64_t nkb = (K + AEC_KC - 1) / AEC_KC;
  const int64_t kcb = ((K + nkb - 1) / nkb + 7) & ~(int64_t)7;
  float bp[AEC_KC * AEC_NR] __attribute__((aligned(64)));
  for (int64_t kb = 0; kb < K; kb += kcb) {
    const int64_t kc = K - kb < kcb ? K - kb : kcb;
    const int first = kb == 0, last = kb + kc >= K;
    for (int64_t j0 = 0; j0 < N; j0 += AEC_NR) {
      const int64_t nr = N - j0 < AEC_NR ? N - j0 : AEC_NR;
      const float *b = bp;
      int64_t b_ks = AEC_NR;
      if (direct && nr == AEC_NR) {
        b = B + kb * ldb + j0;
        b_ks = ldb;
      } else if (Bp) {
        pack_b_bf16(Bp, ldb, kb, kc, j0, nr, bp);
      } else {
        pack_b(B, ldb, transB, kb, kc, j0, nr, bp);
      }
      int64_t i = m0;
      for (; i + AEC_MR <= m1; i += AEC_MR)
        gemm_tile(i, AEC_MR, j0, nr, kb, kc, first, last, A, lda, b, b_ks, C, ldc, accumulate,
                  bias, act, dact_y, lddy, dact);
      if (i < m1)
        gemm_tile(i, m1 - i, j0, nr, kb, kc, first, last, A, lda, b, b_ks, C, ldc, accumulate,
                  bias, act, dact_y, lddy, dact);
    }
  }
}

/* The prebuilt archives (-DAEC_PREBUILT, compiler/kernels/CMakeLists.txt)
 * are called with runtime shapes and flags: one instantiation of the blocked
 * GEMM per forward activation and per backward derivative, so that the tile
 * epilogue has no per-vector switch (an inlined call gets that from its
 * constants; the bitcode keeps one copy so that inlining stays cheap). Other
 * combinations take the generic copy. The arithmetic is the same in all. */
#ifdef AEC_PREBUILT
/* Small shapes in the prebuilt archives (the tabular 30-16-8 AE: every GEMM
 * has K <= 30, N <= 30). An inlined call specializes the blocked GEMM on its
 * constant N and K; the generic copy would pack B panels element by element
 * at the N edge (and transposed), and compute NV vectors where N fills one.
 * So a single-K-block GEMM whose B (K x N, padded to whole vectors) fits
 * AEC_SMALL_B floats packs all of B once (vector copies, masked at the N
 * edge; read in place when its rows are whole vectors), and runs register
 * tiles of AEC_SMALL_MR1 rows x 1 vector or AEC_MR rows x 2 vectors. Every output still sums k = 0..K-1 in order from
 * 0, one multiply-add each, then gemm_epilogue: the same bits as the blocked
 * path (which with K <= AEC_KC is one K block). Sizes: aec_gemm_core.h. */
AEC_INLINE int gemm_is_small(int64_t N, int64_t K) {
  return K <= AEC_KC && K * small_np(N) <= AEC_SMALL_B;
}

/* bp[k][c] = opB[k][c] for c < N, 0 for N <= c < np. */
AEC_INLINE void pack_small(const float *B, int64_t ldb, int transB, int64_t K, int64_t N,
                           int64_t np, float *bp) {
  if (!transB) {
    for (int64_t k = 0; k < K; ++k) {
      const float *src = B + k * ldb;
      float *dst = bp + k * np;
      __asm__("" : "+r"(dst)); /* not a call to memcpy per row */
      int64_t c = 0;
      for (; c + AEC_VW <= N; c += AEC_VW)
        vstore(dst + c, vload(src + c));
      if (c < N)
        vstore(dst + c, vload_part(src + c, N - c));
    }
    return;
  }
  if (np > N)
    for (int64_t k = 0; k < K; ++k)
      vstore(bp + k * np + np - AEC_VW, (vf)0.0f);
  int64_t c = 0;
  for (; c + 8 <= N; c += 8) {
    int64_t k = 0;
    for (; k + 8 <= K; k += 8)
      transpose8(B + c * ldb + k, ldb, bp + k * np + c, np);
    for (; k < K; ++k)
      for (int t = 0; t < 8; ++t)
        bp[k * np + c + t] = B[(c + t) * ldb + k];
  }
  for (; c < N; ++c) {
    const float *src = B + c * ldb;
    for (int64_t k = 0; k < K; ++k)
      bp[k * np + c] = src[k];
  }
}

/* Rows [i, i+rows) x the nv-vector panel at column j0 (nr valid columns) of
 * a small GEMM; rows >= `rows` of the mr-row tile read row rows-1. */
AEC_INLINE void small_tile(int64_t i, int64_t rows, int64_t j0, int64_t nr, int64_t K,
                           const float *A, int64_t lda, const float *b, int64_t np, float *C,
                           int64_t ldc, int accumulate, const float *bias, int act,
                           const float *dact_y, int64_t lddy, int dact, const int mr,
                           const int nv) {
  vf acc[AEC_SMALL_MRMAX][2];
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < nv; ++v)
      acc[r][v] = 0.0f;
  if (rows == mr) {
    /* Row r = 3g + t is p[g][t * lda]: one pointer per 3 rows, the others
     * by the index lda scaled 4 or 8 (no address arithmetic per k). */
    const float *p[(AEC_SMALL_MRMAX + 2) / 3];
    for (int g = 0; g < (mr + 2) / 3; ++g) {
      p[g] = A + (i + 3 * g) * lda;
      __asm__("" : "+r"(p[g])); /* unrelated pointers: not rebuilt from p[0] per k */
    }
    for (int64_t k = 0; k < K; ++k) {
      vf bv[2];
      for (int v = 0; v < nv; ++v)
        bv[v] = vload(b + k * np + v * AEC_VW);
      for (int r = 0; r < mr; ++r) {
        vf av = p[r / 3][(r % 3) * lda];
        for (int v = 0; v < nv; ++v)
          acc[r][v] += av * bv[v];
      }
      for (int g = 0; g < (mr + 2) / 3; ++g)
        ++p[g];
    }
  } else {
    const float *ap[AEC_SMALL_MRMAX];
    for (int r = 0; r < mr; ++r)
      ap[r] = A + (i + (r < rows ? r : rows - 1)) * lda;
    for (int64_t k = 0; k < K; ++k) {
      vf bv[2];
      for (int v = 0; v < nv; ++v)
        bv[v] = vload(b + k * np + v * AEC_VW);
      for (int r = 0; r < mr; ++r) {
        vf av = ap[r][k];
        for (int v = 0; v < nv; ++v)
          acc[r][v] += av * bv[v];
      }
    }
  }
  for (int r = 0; r < mr; ++r) {
    if (r >= rows)
      break;
    float *c = C + (i + r) * ldc + j0;
    const float *y = dact_y ? dact_y + (i + r) * lddy + j0 : 0;
    for (int v = 0; v < nv; ++v) {
      int64_t n = nr - v * AEC_VW;
      if (n <= 0)
        break;
      gemm_epilogue(acc[r][v], c + v * AEC_VW, bias ? bias + j0 + v * AEC_VW : 0,
                    y ? y + v * AEC_VW : 0, n, accumulate, 1, act, dact);
    }
  }
}

AEC_INLINE void small_rows(int64_t m0, int64_t m1, int64_t j0, int64_t nr, int64_t K,
                           const float *A, int64_t lda, const float *b, int64_t np, float *C,
                           int64_t ldc, int accumulate, const float *bias, int act,
                           const float *dact_y, int64_t lddy, int dact, const int mr,
                           const int nv) {
  int64_t i = m0;
  for (; i + mr <= m1; i += mr)
    small_tile(i, mr, j0, nr, K, A, lda, b, np, C, ldc, accumulate, bias, act, dact_y, lddy,
               dact, mr, nv);
  if (i < m1)
    small_tile(i, m1 - i, j0, nr, K, A, lda, b, np, C, ldc, accumulate, bias, act, dact_y, lddy,
               dact, mr, nv);
}

AEC_INLINE void gemm_small(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                           int64_t lda, const float *B, int64_t ldb, int transB, float *C,
                           int64_t ldc, int accumulate, const float *bias, int act,
                           const float *dact_y, int64_t lddy, int dact) {
  /* B already whole vectors per row (not transposed, N a multiple of the
   * width): read in place, row stride ldb; else packed, row stride np. */
  const int in_place = !transB && small_np(N) == N;
  const int64_t np = in_place ? ldb : small_np(N);
  float bp[AEC_SMALL_B] __attribute__((aligned(64)));
  if (!in_place)
    pack_small(B, ldb, transB, K, N, np, bp);
  const float *b = in_place ? B : bp;
  for (int64_t j0 = 0; j0 < N; j0 += 2 * AEC_VW) {
    const int64_t nr = N - j0 < 2 * AEC_VW ? N - j0 : 2 * AEC_VW;
    if (nr > AEC_VW)
      small_rows(m0, m1, j0, nr, K, A, lda, b + j0, np, C, ldc, accumulate, bias, act, dact_y,
                 lddy, dact, AEC_MR, 2);
    else
      small_rows(m0, m1, j0, nr, K, A, lda, b + j0, np, C, ldc, accumulate, bias, act, dact_y,
                 lddy, dact, AEC_SMALL_MR1, 1);
  }
}

/* The prebuilt GEMM for one activation / derivative: small or blocked. */
AEC_INLINE void gemm_prebuilt(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                              int64_t lda, const float *B, const uint32_t *Bp, int64_t ldb,
                              int transB, float *C, int64_t ldc, int accumulate,
                              const float *bias, int act, const float *dact_y, int64_t lddy,
                              int dact) {
  if (!Bp && gemm_is_small(N, K))
    gemm_small(m0, m1, N, K, A, lda, B, ldb, transB, C, ldc, accumulate, bias, act, dact_y, lddy,
               dact);
  else
    gemm_blocked(m0, m1, N, K, A, lda, B, Bp, ldb, transB, C, ldc, accumulate, bias, act, dact_y,
                 lddy, dact);
}

AEC_INLINE void gemm_blocked_by_act(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                                    int64_t lda, const float *B, const uint32_t *Bp, int64_t ldb,
                                    int transB, float *C, int64_t ldc, int accumulate,
                                    const float *bias, int act, const float *dact_y, int64_t lddy,
                                    int dact) {
  AEC_WITH_ACT_OR_DACT(gemm_prebuilt, act, dact_y, lddy, dact, m0, m1, N, K, A, lda, B, Bp, ldb,
                       transB, C, ldc, accumulate, bias);
}

/* The batch-1 GEMV, one copy per activation / derivative too (a tiny layer's
 * row is mostly epilogue: tabular 30-16-8 reconstructs in 0.3 us with the
 * activation switched per vector, 0.2 us inlined). */
AEC_INLINE void gemv_row_by_act(int64_t i, int64_t N, int64_t K, const float *A, int64_t lda,
                                const float *B, int64_t ldb, float *C, int64_t ldc, int accumulate,
                                const float *bias, int act, const float *dact_y, int64_t lddy,
                                int dact) {
  AEC_WITH_ACT_OR_DACT(gemv_row, act, dact_y, lddy, dact, i, N, K, A, lda, B, ldb, C, ldc,
                       accumulate, bias);
}
#else
#define gemm_blocked_by_act gemm_blocked
#define gemv_row_by_act gemv_row
#endif

#ifndef AEC_DOT_ROWS
#define AEC_DOT_ROWS 4 /* transB ranges up to this many rows use dot products */
#endif

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
  if (!transB && m1 - m0 == 1) {
    gemv_row_by_act(m0, N, K, A, lda, B, ldb, C, ldc, accumulate, bias, act, dact_y, lddy, dact);
    return;
  }
  if (transB && m1 - m0 <= AEC_DOT_ROWS) {
    gemm_dot_rows(m0, m1, N, K, A, lda, B, ldb, C, ldc, accumulate, bias, act, dact_y, lddy, dact);
    return;
  }
  gemm_blocked_by_act(m0, m1, N, K, A, lda, B, 0, ldb, transB, C, ldc, accumulate, bias, act,
                      dact_y, lddy, dact);
}

AEC_KAPI void aec_gemm_bf16(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                            int64_t lda, const uint32_t *Bp, int64_t ldb, float *C, int64_t ldc,
                            const float *bias, int act) {
  if (m1 <= m0 || N <= 0 || K <= 0)
    return;
  if (m1 - m0 == 1) {
    gemv_row_bf16(N, K, A + m0 * lda, Bp, ldb, C + m0 * ldc, bias, act);
    return;
  }
  gemm_blocked_by_act(m0, m1, N, K, A, lda, 0, Bp, ldb, 0, C, ldc, 0, bias, act, 0, 0, 0);
}

/* Round to nearest even; a NaN stays a (quiet) NaN. */
AEC_INLINE uint32_t bf16_round(float f) {
  uint32_t u;
  __builtin_memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (u >> 16) | 0x40u;
  return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

AEC_KAPI void aec_bf16_pack(int64_t K, int64_t N, const float *w, uint32_t *out) {
  for (int64_t k = 0; k < K; k += 2)
    for (int64_t j = 0; j < N; ++j) {
      uint32_t lo = bf16_round(w[k * N + j]), hi = k + 1 < K ? bf16_round(w[(k + 1) * N + j]) : 0;
      out[k / 2 * N + j] = lo | hi << 16;
    }
}
