/* Vector math shared by the aec kernels: the vector type of the variant being
 * compiled (AEC_VW floats), unaligned loads/stores, and vectorized exp/log,
 * activations and their derivatives. Everything is always_inline so that the
 * code generator's O3 run sees one flat function per entry point.
 *
 * Accuracy (checked by test/unit/kernels_test.cpp): see aec_kernels.h. */
#ifndef AEC_VMATH_H
#define AEC_VMATH_H

#include <stdint.h>

#ifndef AEC_VW
#define AEC_VW 8
#endif

typedef float vf __attribute__((ext_vector_type(AEC_VW)));
typedef int32_t vi __attribute__((ext_vector_type(AEC_VW)));

#define AEC_INLINE static inline __attribute__((always_inline))

/* Before a loop that must stay a loop: the setup and finishing loops, whose
 * trip counts become constants when a kernel is inlined with its shapes.
 * Fully unrolled they multiplied the code and the compile time (issue 13.6)
 * and bought no speed; the hot loops are left to the unroller. */
#define AEC_ROLLED _Pragma("clang loop unroll(disable)")

/* Storage class of the entry points: external in the bitcode library; in a
 * native table (aec_kernel_table.c) static, and not every one is in the table. */
#ifdef AEC_KERNELS_STATIC
#define AEC_KAPI AEC_KERNELS_STATIC __attribute__((unused))
#else
#define AEC_KAPI
#endif

/* Unaligned vector access (lowers to one vmovups). */
AEC_INLINE vf vload(const float *p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
AEC_INLINE void vstore(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

/* Partial access to the first n (< AEC_VW) lanes; the other lanes read as 0.
 * Masked moves where the variant's ISA has them (the kernel library is built
 * without the vectorizers, so the scalar loop would stay element by element). */
#if AEC_VW == 16 && defined(__AVX512F__)
#include <immintrin.h>
AEC_INLINE vf vload_part(const float *p, int64_t n) {
  return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
}
AEC_INLINE void vstore_part(float *p, vf v, int64_t n) {
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), (__m512)v);
}
#elif AEC_VW == 8 && defined(__AVX2__)
#include <immintrin.h>
AEC_INLINE __m256i aec_lanes_below(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
AEC_INLINE vf vload_part(const float *p, int64_t n) {
  return (vf)_mm256_maskload_ps(p, aec_lanes_below(n));
}
AEC_INLINE void vstore_part(float *p, vf v, int64_t n) {
  _mm256_maskstore_ps(p, aec_lanes_below(n), (__m256)v);
}
#else
AEC_INLINE vf vload_part(const float *p, int64_t n) {
  vf v = 0.0f;
  for (int64_t t = 0; t < n; ++t)
    v[t] = p[t];
  return v;
}
AEC_INLINE void vstore_part(float *p, vf v, int64_t n) {
  for (int64_t t = 0; t < n; ++t)
    p[t] = v[t];
}
#endif

/* 32-bit words (packed weights, hashes); partial loads as vload_part's. */
typedef uint32_t vu __attribute__((ext_vector_type(AEC_VW)));
AEC_INLINE vu vuload(const uint32_t *p) {
  vu v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
AEC_INLINE vu vuload_part(const uint32_t *p, int64_t n) {
  return (vu)vload_part((const float *)p, n);
}

AEC_INLINE vf vbits(vi b) { return (vf)b; }
AEC_INLINE vi ibits(vf f) { return (vi)f; }

/* exp(x): Cephes-style range reduction n = round(x log2 e), r = x - n ln 2
 * (two-constant split), degree-6 polynomial, 2^n by building the exponent.
 * Inputs are clamped to [-87, 88] (outputs saturate there); NaN propagates.
 * Rounding uses the 1.5*2^23 trick so no float->int conversion (which is
 * poison for NaN in LLVM IR) is needed. */
AEC_INLINE vf v_exp(vf x) {
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  const float magic = 12582912.0f; /* 1.5 * 2^23 */
  vf t = x * 1.44269504088896341f + magic;
  vi n = ibits(t) - ibits((vf)magic);
  vf fn = t - magic;
  vf r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  vf z = r * r;
  vf p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * z + r + 1.0f;
  return p * vbits((n + 127) << 23);
}

/* log(x) for positive normal x (Cephes logf polynomial); NaN propagates. */
AEC_INLINE vf v_log(vf x) {
  vi bits = ibits(x);
  vi e = ((bits >> 23) & 0xff) - 126;
  vf m = vbits((bits & 0x807fffff) | 0x3f000000); /* in [0.5, 1) */
  vi small = m < 0.707106781186547524f;
  vf fe = __builtin_convertvector(e + small, vf); /* small is -1 where true */
  vf f = small ? m + m - 1.0f : m - 1.0f;
  vf z = f * f;
  vf y = 7.0376836292E-2f;
  y = y * f - 1.1514610310E-1f;
  y = y * f + 1.1676998740E-1f;
  y = y * f - 1.2420140846E-1f;
  y = y * f + 1.4249322787E-1f;
  y = y * f - 1.6668057665E-1f;
  y = y * f + 2.0000714765E-1f;
  y = y * f - 2.4999993993E-1f;
  y = y * f + 3.3333331174E-1f;
  y = y * f * z;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  vf r = f + y + fe * 0.693359375f;
  return x != x ? x : r;
}

AEC_INLINE vf v_sigmoid(vf x) { return 1.0f / (1.0f + v_exp(-x)); }

/* tanh: odd polynomial for |x| < 0.625 (Cephes tanhf), else 1 - 2/(e^{2|x|}+1). */
AEC_INLINE vf v_tanh(vf x) {
  vf ax = vbits(ibits(x) & 0x7fffffff);
  vf z = x * x;
  vf p = -5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  vf small = p * z * x + x;
  vf big = 1.0f - 2.0f / (v_exp(ax + ax) + 1.0f);
  big = vbits(ibits(big) | (ibits(x) & (int32_t)0x80000000));
  return ax < 0.625f ? small : big;
}

/* exp(x) - 1, accurate near 0 (Taylor for |x| < 0.125). */
AEC_INLINE vf v_expm1(vf x) {
  vf p = 1.0f / 120.0f;
  p = p * x + 1.0f / 24.0f;
  p = p * x + 1.0f / 6.0f;
  p = p * x + 0.5f;
  vf small = p * x * x + x;
  vf big = v_exp(x) - 1.0f;
  vf ax = vbits(ibits(x) & 0x7fffffff);
  return ax < 0.125f ? small : big;
}

/* Activation kinds: AEC_K_LINEAR, AEC_K_RELU, ... = enum aec_activation (the
 * registry runtime/include/aec/activations.def). */
enum {
#define AEC_ACTIVATION(Name, C, ...) AEC_K_##C,
#include "../../runtime/include/aec/activations.def"
  AEC_K_KINDS
};

/* The prebuilt archives (-DAEC_PREBUILT) get the activation at run time:
 * AEC_WITH_ACT(act, stmt) runs stmt with act_ a literal, one copy per kind,
 * so that v_act / v_dact's per-vector switch folds away in an epilogue
 * loop (inlined calls have the literal from their call site). */
#define AEC_ACT_AS(kind, ...)                                                                     \
  {                                                                                               \
    const int act_ = kind;                                                                        \
    __VA_ARGS__;                                                                                  \
  }                                                                                               \
  break;
#ifdef AEC_PREBUILT
_Static_assert(AEC_K_KINDS == 7, "AEC_WITH_ACT lists every activation kind");
#define AEC_WITH_ACT(act, ...)                                                                    \
  do {                                                                                            \
    switch (act) {                                                                                \
    case AEC_K_LINEAR: AEC_ACT_AS(AEC_K_LINEAR, __VA_ARGS__)                                      \
    case AEC_K_RELU: AEC_ACT_AS(AEC_K_RELU, __VA_ARGS__)                                          \
    case AEC_K_LEAKY_RELU: AEC_ACT_AS(AEC_K_LEAKY_RELU, __VA_ARGS__)                              \
    case AEC_K_SIGMOID: AEC_ACT_AS(AEC_K_SIGMOID, __VA_ARGS__)                                    \
    case AEC_K_TANH: AEC_ACT_AS(AEC_K_TANH, __VA_ARGS__)                                          \
    case AEC_K_ELU: AEC_ACT_AS(AEC_K_ELU, __VA_ARGS__)                                            \
    case AEC_K_SILU: AEC_ACT_AS(AEC_K_SILU, __VA_ARGS__)                                          \
    default: AEC_ACT_AS(act, __VA_ARGS__)                                                         \
    }                                                                                             \
  } while (0)
/* A function whose copies (per activation) all tap-shape copies share. */
#define AEC_SHARED static __attribute__((noinline, unused))
#else
#define AEC_WITH_ACT(act, ...)                                                                    \
  do {                                                                                            \
    const int act_ = act;                                                                         \
    __VA_ARGS__;                                                                                  \
  } while (0)
#define AEC_SHARED AEC_INLINE
#endif

/* F(args..., act, dact_y, lddy, dact) of a GEMM-like kernel (its last four
 * parameters): the activation a literal when there is no derivative, the
 * derivative a literal when the activation is linear, else one generic copy. */
#define AEC_WITH_ACT_OR_DACT(F, act, dact_y, lddy, dact, ...)                                    \
  do {                                                                                            \
    if (!(dact_y))                                                                                \
      AEC_WITH_ACT(act, F(__VA_ARGS__, act_, 0, 0, 0));                                           \
    else if ((act) == AEC_K_LINEAR)                                                               \
      AEC_WITH_ACT(dact, F(__VA_ARGS__, AEC_K_LINEAR, dact_y, lddy, act_));                       \
    else                                                                                          \
      F(__VA_ARGS__, act, dact_y, lddy, dact);                                                    \
  } while (0)

/* act(x); written as "x < 0 ? ... : x" so NaN propagates. */
AEC_INLINE vf v_act(vf x, int act) {
  switch (act) {
  case AEC_K_RELU: return x < 0.0f ? 0.0f : x;
  case AEC_K_LEAKY_RELU: return x < 0.0f ? x * AEC_LEAKY_RELU_SLOPE : x;
  case AEC_K_SIGMOID: return v_sigmoid(x);
  case AEC_K_TANH: return v_tanh(x);
  case AEC_K_ELU: return x > 0.0f ? x : v_expm1(x);
  case AEC_K_SILU: return x * v_sigmoid(x);
  default: return x;
  }
}

/* act' through the saved output y (registry column deriv = Output), or
 * through the pre-activation z (deriv = Input). */
AEC_INLINE vf v_dact(vf y, int act) {
  switch (act) {
  case AEC_K_RELU: return y > 0.0f ? 1.0f : 0.0f;
  case AEC_K_LEAKY_RELU: return y > 0.0f ? 1.0f : AEC_LEAKY_RELU_SLOPE;
  case AEC_K_SIGMOID: return y * (1.0f - y);
  case AEC_K_TANH: return 1.0f - y * y;
  case AEC_K_ELU: return y > 0.0f ? 1.0f : y + 1.0f;
  case AEC_K_SILU: { /* y is the pre-activation z */
    vf s = v_sigmoid(y);
    return s * (1.0f + y * (1.0f - s));
  }
  default: return 1.0f;
  }
}

/* Horizontal sum in double (for loss accumulation), as a tree of halves: a
 * few dependent adds instead of AEC_VW (the loss's per-row sums were one
 * serial chain each). Same order at every call for a given width. */
typedef double vd_half __attribute__((ext_vector_type(AEC_VW / 2)));
AEC_INLINE double vsum_d(vf v) {
  vd_half s = __builtin_convertvector(v.lo, vd_half) + __builtin_convertvector(v.hi, vd_half);
#if AEC_VW >= 16
  {
    typedef double vd4 __attribute__((ext_vector_type(4)));
    vd4 q = s.lo + s.hi;
    return (q.x + q.z) + (q.y + q.w);
  }
#elif AEC_VW == 8
  return (s.x + s.z) + (s.y + s.w);
#else
  return s.x + s.y;
#endif
}

#endif
