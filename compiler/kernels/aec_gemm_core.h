/* The GEMM kernels' shared pieces (aec_gemm.c, aec_gemm_tn.c): packing a B
 * panel, prefetching a C tile, the register-blocked micro-kernel. Internal to
 * the kernel sources; always_inline like the rest. */
#ifndef AEC_GEMM_CORE_H
#define AEC_GEMM_CORE_H

#include "aec_kernels.h"
#include "aec_tiles.h"
#include "aec_vmath.h"

typedef float v8f __attribute__((ext_vector_type(8)));

AEC_INLINE v8f v8load(const float *p) {
  v8f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
AEC_INLINE void v8store(float *p, v8f v) { __builtin_memcpy(p, &v, sizeof v); }

/* dst[c][r] = src[r][c] for an 8x8 block (row strides lds, ldd) through a
 * shuffle network (any vector width). */
AEC_INLINE void transpose8(const float *src, int64_t lds, float *dst, int64_t ldd) {
  v8f r0 = v8load(src), r1 = v8load(src + lds), r2 = v8load(src + 2 * lds),
      r3 = v8load(src + 3 * lds), r4 = v8load(src + 4 * lds), r5 = v8load(src + 5 * lds),
      r6 = v8load(src + 6 * lds), r7 = v8load(src + 7 * lds);
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
  v8store(dst + 0 * ldd, __builtin_shufflevector(s0, s4, 0, 1, 2, 3, 8, 9, 10, 11));
  v8store(dst + 1 * ldd, __builtin_shufflevector(s1, s5, 0, 1, 2, 3, 8, 9, 10, 11));
  v8store(dst + 2 * ldd, __builtin_shufflevector(s2, s6, 0, 1, 2, 3, 8, 9, 10, 11));
  v8store(dst + 3 * ldd, __builtin_shufflevector(s3, s7, 0, 1, 2, 3, 8, 9, 10, 11));
  v8store(dst + 4 * ldd, __builtin_shufflevector(s0, s4, 4, 5, 6, 7, 12, 13, 14, 15));
  v8store(dst + 5 * ldd, __builtin_shufflevector(s1, s5, 4, 5, 6, 7, 12, 13, 14, 15));
  v8store(dst + 6 * ldd, __builtin_shufflevector(s2, s6, 4, 5, 6, 7, 12, 13, 14, 15));
  v8store(dst + 7 * ldd, __builtin_shufflevector(s3, s7, 4, 5, 6, 7, 12, 13, 14, 15));
}

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
        transpose8(src, ldb, bp + k * AEC_NR + 8 * g, AEC_NR);
      }
    }
  }
  for (; k < kc; ++k) {
    float *dst = bp + k * AEC_NR;
    for (int64_t c = 0; c < AEC_NR; ++c)
      dst[c] = c < nr ? B[(j0 + c) * ldb + k0 + k] : 0.0f;
  }
}

/* Prefetches the rows of a C tile (and optionally a second tile, e.g. the
 * activation outputs of the derivative) before the micro-kernel runs, so that
 * the epilogue's loads and stores, usually L2/L3 misses on the large
 * gradient/output matrices, have a whole K loop to arrive. */
AEC_INLINE void prefetch_tile(const float *p, int64_t ld, int64_t rows, int write) {
  for (int r = 0; r < AEC_MR; ++r) {
    if (r >= rows)
      break;
    const float *row = p + r * ld;
    if (write) {
      __builtin_prefetch(row, 1, 3);
      __builtin_prefetch(row + AEC_NR - 1, 1, 3);
    } else {
      __builtin_prefetch(row, 0, 3);
      __builtin_prefetch(row + AEC_NR - 1, 0, 3);
    }
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

#ifdef AEC_PREBUILT
/* The prebuilt archives' small-shape paths (aec_gemm.c, aec_gemm_tn.c): the
 * floats of B (padded to whole vectors) up to which it is packed whole, and
 * the rows of a one-vector register tile (two-vector tiles have AEC_MR). */
#ifndef AEC_SMALL_B
#define AEC_SMALL_B 4096
#endif
#ifndef AEC_SMALL_MR1
#define AEC_SMALL_MR1 8
#endif
#define AEC_SMALL_MRMAX (AEC_SMALL_MR1 > AEC_MR ? AEC_SMALL_MR1 : AEC_MR)

/* N rounded up to whole vectors. */
AEC_INLINE int64_t small_np(int64_t N) { return (N + AEC_VW - 1) / AEC_VW * AEC_VW; }
#endif

#endif
