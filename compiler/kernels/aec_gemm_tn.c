/* The weight-gradient GEMM aec_gemm_tn (training only: its own source, so
 * its own archive member, which an --inference-only library does not carry).
 * See aec_kernels.h for the semantics. */
#include "aec_gemm_core.h"

/* Rows of B (batch rows) per chunk in the weight-gradient GEMM. */
#ifndef AEC_MC
#define AEC_MC 128
#endif

/* Weight gradient. Both operands are walked along their rows (the batch),
 * with row strides that are often powers of two, which maps a column panel
 * onto a couple of L1 sets; so both are packed: A^T for a block of AEC_TB
 * k-tiles ([tile][i][MR], reused by every column panel) and the B panel
 * ([i][NR], reused by every k-tile of the block). */
#ifndef AEC_TB
#define AEC_TB (96 / AEC_MR)
#endif

/* C[k + r][j0 + v*VW ...] (+)= scale * acc[r][v] for r < rows (of mr), the
 * nr columns (of nv vectors); the product is rounded before + C (the
 * barrier: where the two end up in one block the backend would fuse them).
 * Every row of C is read before any is written: with fewer than VW columns
 * a row's masked store covers the next row's floats in its masked-off
 * lanes, and a load after it waits for the store to reach the cache (a
 * stall per row, the tabular AE's N = 8 weight gradient ran at 1/4 speed). */
#ifdef AEC_SMALL_MRMAX
#define AEC_TN_MRMAX AEC_SMALL_MRMAX
#else
#define AEC_TN_MRMAX AEC_MR
#endif
AEC_INLINE void gemm_tn_store(int64_t k, int64_t rows, int64_t j0, int64_t nr, int add_c,
                              float *C, int64_t ldc, float scale, vf acc[][AEC_NV], const int mr,
                              const int nv) {
  vf out[AEC_TN_MRMAX][AEC_NV];
  for (int r = 0; r < mr && r < rows; ++r) {
    const float *c = C + (k + r) * ldc + j0;
    for (int v = 0; v < nv && nr - v * AEC_VW > 0; ++v) {
      int64_t n = nr - v * AEC_VW;
      vf x = scale * acc[r][v];
      __asm__("" : "+v"(x));
      if (add_c)
        x += n >= AEC_VW ? vload(c + v * AEC_VW) : vload_part(c + v * AEC_VW, n);
      out[r][v] = x;
    }
  }
  for (int r = 0; r < mr && r < rows; ++r) {
    float *c = C + (k + r) * ldc + j0;
    for (int v = 0; v < nv && nr - v * AEC_VW > 0; ++v) {
      int64_t n = nr - v * AEC_VW;
      if (n >= AEC_VW)
        vstore(c + v * AEC_VW, out[r][v]);
      else
        vstore_part(c + v * AEC_VW, out[r][v], n);
    }
  }
}

#ifdef AEC_PREBUILT
/* Small weight gradients in the prebuilt archives (the tabular AE's: M = 32
 * batch rows, K, N <= 30): one batch chunk whose A block and B fit L1 reads
 * A in place (the MR k rows of a tile are adjacent floats of each batch row)
 * and B in place (packed, masked at the N edge, when N is not whole
 * vectors), with tiles of AEC_SMALL_MR1 k rows x 1 vector or AEC_MR x 2.
 * Every output sums i = 0..M-1 in order from 0, then scale and C as
 * gemm_tn_store: the same bits as the packed path (one chunk when M <= AEC_MC). */
AEC_INLINE int gemm_tn_is_small(int64_t k0, int64_t k1, int64_t N, int64_t M) {
  return M <= AEC_MC && M * small_np(N) <= AEC_SMALL_B && M * (k1 - k0) <= AEC_SMALL_B;
}

AEC_INLINE void small_tn_tile(int64_t k, int64_t rows, int64_t j0, int64_t nr, int64_t M,
                              const float *A, int64_t lda, const float *b, int64_t b_ks,
                              float *C, int64_t ldc, float scale, int add_c, const int mr,
                              const int nv) {
  vf acc[AEC_SMALL_MRMAX][AEC_NV];
  int64_t off[AEC_SMALL_MRMAX];
  for (int r = 0; r < mr; ++r) {
    off[r] = k + (r < rows ? r : rows - 1);
    for (int v = 0; v < nv; ++v)
      acc[r][v] = 0.0f;
  }
  for (int64_t i = 0; i < M; ++i) {
    const float *a = A + i * lda;
    vf bv[2];
    for (int v = 0; v < nv; ++v)
      bv[v] = vload(b + i * b_ks + v * AEC_VW);
    for (int r = 0; r < mr; ++r) {
      vf av = a[off[r]];
      for (int v = 0; v < nv; ++v)
        acc[r][v] += av * bv[v];
    }
  }
  gemm_tn_store(k, rows, j0, nr, add_c, C, ldc, scale, acc, mr, nv);
}

AEC_INLINE void small_tn_rows(int64_t k0, int64_t k1, int64_t j0, int64_t nr, int64_t M,
                              const float *A, int64_t lda, const float *b, int64_t b_ks,
                              float *C, int64_t ldc, float scale, int add_c, const int mr,
                              const int nv) {
  int64_t k = k0;
  for (; k + mr <= k1; k += mr)
    small_tn_tile(k, mr, j0, nr, M, A, lda, b, b_ks, C, ldc, scale, add_c, mr, nv);
  if (k < k1)
    small_tn_tile(k, k1 - k, j0, nr, M, A, lda, b, b_ks, C, ldc, scale, add_c, mr, nv);
}

AEC_INLINE void gemm_tn_small(int64_t k0, int64_t k1, int64_t N, int64_t M, const float *A,
                              int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc,
                              float scale, int accumulate) {
  const int64_t np = small_np(N);
  float bp[AEC_SMALL_B] __attribute__((aligned(64)));
  const float *b = B;
  int64_t b_ks = ldb;
  if (np > N) { /* bp[i][c] = B[i][c], 0 past N */
    for (int64_t i = 0; i < M; ++i) {
      int64_t c = 0;
      for (; c + AEC_VW <= N; c += AEC_VW)
        vstore(bp + i * np + c, vload(B + i * ldb + c));
      vstore(bp + i * np + c, vload_part(B + i * ldb + c, N - c));
    }
    b = bp;
    b_ks = np;
  }
  for (int64_t j0 = 0; j0 < N; j0 += 2 * AEC_VW) {
    const int64_t nr = N - j0 < 2 * AEC_VW ? N - j0 : 2 * AEC_VW;
    if (nr > AEC_VW)
      small_tn_rows(k0, k1, j0, nr, M, A, lda, b + j0, b_ks, C, ldc, scale, accumulate, AEC_MR, 2);
    else
      small_tn_rows(k0, k1, j0, nr, M, A, lda, b + j0, b_ks, C, ldc, scale, accumulate,
                    AEC_SMALL_MR1, 1);
  }
}
#endif

AEC_KAPI void aec_gemm_tn(int64_t k0, int64_t k1, int64_t N, int64_t M,
                 const float *A, int64_t lda, const float *B, int64_t ldb,
                 float *C, int64_t ldc, float scale, int accumulate) {
  if (k1 <= k0 || N <= 0)
    return;
  if (M <= 0) { /* empty batch: C = accumulate ? C : 0 */
    /* An opaque zero, so that the loop does not become a call to memset. */
    uint32_t zero_bits = 0;
    __asm__("" : "+r"(zero_bits));
    const float zero = vbits((vi)(int32_t)zero_bits)[0];
    if (!accumulate)
      for (int64_t k = k0; k < k1; ++k)
        for (int64_t j = 0; j < N; ++j)
          C[k * ldc + j] = zero;
    return;
  }
#ifdef AEC_PREBUILT
  if (gemm_tn_is_small(k0, k1, N, M)) {
    gemm_tn_small(k0, k1, N, M, A, lda, B, ldb, C, ldc, scale, accumulate);
    return;
  }
#endif
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
          const int64_t k = kb + t * AEC_MR;
          prefetch_tile(C + k * ldc + j0, ldc, k1 - k, 1);
          micro_kernel(mc, ap + t * AEC_MC * AEC_MR, 1, AEC_MR, AEC_MR, bp, AEC_NR, acc);
          gemm_tn_store(k, k1 - k < AEC_MR ? k1 - k : AEC_MR, j0, nr, add_c, C, ldc, scale, acc,
                        AEC_MR, AEC_NV);
        }
      }
    }
  }
}
