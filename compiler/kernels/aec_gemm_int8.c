/* Inference with int8 weights (`aec build --weight-format int8`, issue 13.4):
 * aec_int8_pack quantizes each column of a [K][N] weight matrix to int8 with
 * its own scale; aec_gemm_int8 quantizes each row of A to uint8 with a scale
 * and zero point, sums the byte products exactly in int32 and scales the sum
 * back. Its own archive member (inference only). See aec_kernels.def.
 *
 * The integer sums are exact, so every path gives the same bits: AVX512-VNNI
 * or AVX-VNNI `vpdpbusd` (one instruction per 4 products per lane) where the
 * target has it, `pmaddwd` on bytes widened to 16 bits elsewhere, any column
 * split, any row block. */
#include "aec_kernels.h"
#include "aec_vmath.h"
#include <immintrin.h>

/* Rows per block sharing each weight load (more rows: the weights are read
 * once per block; the accumulators must fit the register file). */
#if AEC_VW >= 16
#define AEC_I8_ROWS 4
#else
#define AEC_I8_ROWS 2
#endif
/* Column vectors per panel: one row keeps 8 accumulator chains (the dot
 * product's latency), a block of rows 4 per row. */
#define AEC_I8_NV1 8
#define AEC_I8_NVR 4
/* The panel's weights this many quad rows ahead (as aec_gemm_bf16's GEMV). */
#define AEC_I8_PREFETCH_ROWS 8

typedef int16_t vs __attribute__((ext_vector_type(2 * AEC_VW)));

/* Lane-wise sum of 4 products of the unsigned bytes of q and the signed bytes
 * of w, added to acc: 16-bit pairs through pmaddwd (exact: |sum| < 2^16). */
#if AEC_VW == 16
AEC_INLINE vi madd16(vs a, vs b) { return (vi)_mm512_madd_epi16((__m512i)a, (__m512i)b); }
#elif AEC_VW == 8
AEC_INLINE vi madd16(vs a, vs b) { return (vi)_mm256_madd_epi16((__m256i)a, (__m256i)b); }
#else
AEC_INLINE vi madd16(vs a, vs b) { return (vi)_mm_madd_epi16((__m128i)a, (__m128i)b); }
#endif
AEC_INLINE vi dot4_madd(vi acc, vi q, vi w) {
  vs qe = (vs)(q & 0x00ff00ff), qo = (vs)((q >> 8) & 0x00ff00ff);
  vs we = ((vs)w << 8) >> 8, wo = (vs)w >> 8;
  return acc + madd16(qe, we) + madd16(qo, wo);
}

/* a[0:K] as bytes q[0:K] (0 past K, up to the next whole vector):
 * a ≈ scale·(q - zero) over the range [min(0, min a), max(0, max a)] in 255
 * steps, rounded half up. A NaN or infinite input makes the scale NaN (and
 * every output of the row NaN, as in f32); all zeros give scale 1. */
AEC_INLINE void int8_quantize_row(int64_t K, const float *a, uint8_t *q, float *scale,
                                  int32_t *zero) {
  vf lo = 0.0f, hi = 0.0f, bad = 0.0f;
  for (int64_t k = 0; k < K; k += AEC_VW) {
    const vf x = K - k >= AEC_VW ? vload(a + k) : vload_part(a + k, K - k);
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
    bad += x - x; /* NaN for NaN or inf */
  }
  float l = 0.0f, h = 0.0f, p = 0.0f;
  for (int t = 0; t < AEC_VW; ++t) {
    l = lo[t] < l ? lo[t] : l;
    h = hi[t] > h ? hi[t] : h;
    p += bad[t];
  }
  const float range = h - l;
  const float inv = p == 0.0f && range > 0.0f ? 255.0f / range : 0.0f;
  const int32_t z = inv > 0.0f ? (int32_t)(-l * inv + 0.5f) : 0; /* (l may be -inf) */
  *scale = p != 0.0f ? p : range > 0.0f ? range / 255.0f : 1.0f;
  *zero = z;
  const float shift = (float)z + 0.5f;
  for (int64_t k = 0; k < K; k += AEC_VW) {
    const vf x = K - k >= AEC_VW ? vload(a + k) : vload_part(a + k, K - k);
    vf y = x * inv + shift;
    y = y > 0.0f ? y : 0.0f; /* (NaN -> 0 before the conversion) */
    y = y < 255.0f ? y : 255.0f;
    typedef uint8_t vb __attribute__((ext_vector_type(AEC_VW)));
    const vb bytes = __builtin_convertvector(__builtin_convertvector(y, vi), vb);
    __builtin_memcpy(q + k, &bytes, sizeof bytes);
  }
}

#define AEC_I8_ATTR
#define AEC_I8_FN(name) name
#define AEC_I8_DOT dot4_madd
#include "aec_gemm_int8_body.h"
#undef AEC_I8_ATTR
#undef AEC_I8_FN
#undef AEC_I8_DOT

/* The same with vpdpbusd, for targets with VNNI at this width (the code
 * generator calls aec_gemm_int8_vnni only there). */
#if AEC_VW == 16
#define AEC_I8_ATTR __attribute__((target("avx512vnni")))
AEC_I8_ATTR AEC_INLINE vi dot4_vnni(vi acc, vi q, vi w) {
  return (vi)_mm512_dpbusd_epi32((__m512i)acc, (__m512i)q, (__m512i)w);
}
#elif AEC_VW == 8
#define AEC_I8_ATTR __attribute__((target("avxvnni")))
AEC_I8_ATTR AEC_INLINE vi dot4_vnni(vi acc, vi q, vi w) {
  return (vi)_mm256_dpbusd_avx_epi32((__m256i)acc, (__m256i)q, (__m256i)w);
}
#endif
#ifdef AEC_I8_ATTR
#define AEC_I8_FN(name) name##_vnni
#define AEC_I8_DOT dot4_vnni
#include "aec_gemm_int8_body.h"
#undef AEC_I8_ATTR
#undef AEC_I8_FN
#undef AEC_I8_DOT
#else
/* (No VNNI at this width: the entry point exists for the loader, unused.) */
AEC_KAPI void aec_gemm_int8_vnni(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                                 int64_t lda, const uint32_t *Bq, int64_t ldb, float *C,
                                 int64_t ldc, const float *bias, int act) {
  aec_gemm_int8(m0, m1, N, K, A, lda, Bq, ldb, C, ldc, bias, act);
}
#endif

/* Half away from zero, for |x| <= 127.5 (no libm call, no NaN: callers pass
 * finite values). */
AEC_INLINE int32_t round_small(float x) { return (int32_t)(x + (x < 0.0f ? -0.5f : 0.5f)); }

AEC_KAPI void aec_int8_pack(int64_t K, int64_t N, const float *w, uint32_t *out) {
  const int64_t G = (K + 3) / 4;
  uint32_t *scale_w = out + G * N, *sum_w = out + (G + 1) * N;
  /* Pass 1 (row order, as the weights lie): max |w| per column, NaN if any
   * weight is NaN or infinite (that column's outputs are then NaN). */
  for (int64_t j = 0; j < N; ++j)
    scale_w[j] = sum_w[j] = 0; /* (the bits of +0.0f) */
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0; j < N; ++j) {
      const float x = w[k * N + j], a = x < 0.0f ? -x : x;
      float m;
      __builtin_memcpy(&m, &scale_w[j], 4);
      if (a - a != 0.0f)
        m = a - a; /* NaN, and it stays (a > NaN is false) */
      else if (a > m)
        m = a;
      __builtin_memcpy(&scale_w[j], &m, 4);
    }
  for (int64_t j = 0; j < N; ++j) {
    float m;
    __builtin_memcpy(&m, &scale_w[j], 4);
    const float s = m / 127.0f;
    __builtin_memcpy(&scale_w[j], &s, 4);
  }
  /* Pass 2: the quads, k = 4g..4g+3 in bytes 0..3 (0 past K), and their sums. */
  for (int64_t g = 0; g < G; ++g)
    for (int64_t j = 0; j < N; ++j) {
      float s;
      __builtin_memcpy(&s, &scale_w[j], 4);
      const float inv = s > 0.0f ? 1.0f / s : 0.0f; /* 0 for NaN too */
      uint32_t word = 0;
      int32_t sum = (int32_t)sum_w[j];
      for (int64_t b = 0; b < 4 && 4 * g + b < K; ++b) {
        float x = w[(4 * g + b) * N + j] * inv;
        x = x < 127.0f ? x : 127.0f; /* (a NaN becomes 127: its scale is NaN) */
        x = x > -127.0f ? x : -127.0f;
        const int32_t q = round_small(x);
        word |= (uint32_t)(q & 0xff) << (8 * b);
        sum += q;
      }
      out[g * N + j] = word;
      sum_w[j] = (uint32_t)sum;
    }
}
