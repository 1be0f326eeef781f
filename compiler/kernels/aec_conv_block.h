/* The register-blocked tap loop shared by the conv forward and input gradient,
 * and the weight gradient's tap dot products (aec_conv.h explains the
 * padded-plane scheme). Internal to the kernel sources. */
#ifndef AEC_CONV_BLOCK_H
#define AEC_CONV_BLOCK_H

#include "aec_conv_layout.h"

/* The prebuilt archives (-DAEC_PREBUILT) are called with runtime shapes: the
 * common kernel shapes get their own copy of a conv entry point's body with
 * the taps constant (kh_, kw_), so the tap loops unroll and the weight
 * gradient's accumulators stay in registers (one generic copy trained the
 * conv AE 1.59x slower, issue 13.6); other shapes take the generic copy. The
 * strides (sh_, sw_) are constant too: 1, or 2 (along W only for 1-D taps),
 * so that the tap offsets fold; other strides are read at run time. The
 * inlined path gets its constants from the call site. The arithmetic is the
 * same in every copy. */
#define AEC_CONV_SHAPE_AS(KH_, KW_, SH_, SW_, ...)                                              \
  do {                                                                                            \
    const int64_t kh_ = KH_, kw_ = KW_, sh_ = SH_, sw_ = SW_;                                     \
    (void)sh_, (void)sw_; /* (the fused-pool kernels have stride 1) */                            \
    __VA_ARGS__;                                                                                  \
  } while (0)
#ifdef AEC_PREBUILT
#define AEC_CONV_STRIDES_AS(KH_, KW_, SH, SW, ...)                                              \
  do {                                                                                            \
    if (SH == 1 && SW == 1) AEC_CONV_SHAPE_AS(KH_, KW_, 1, 1, __VA_ARGS__);                       \
    else if (KH_ > 1 && SH == 2 && SW == 2) AEC_CONV_SHAPE_AS(KH_, KW_, 2, 2, __VA_ARGS__);       \
    else if (KH_ == 1 && SH == 1 && SW == 2) AEC_CONV_SHAPE_AS(KH_, KW_, 1, 2, __VA_ARGS__);      \
    else AEC_CONV_SHAPE_AS(KH_, KW_, SH, SW, __VA_ARGS__);                                        \
  } while (0)
#define AEC_CONV_WITH_TAPS(KH, KW, SH, SW, ...)                                                 \
  do {                                                                                            \
    if (KH == 3 && KW == 3) AEC_CONV_STRIDES_AS(3, 3, SH, SW, __VA_ARGS__);                       \
    else if (KH == 5 && KW == 5) AEC_CONV_STRIDES_AS(5, 5, SH, SW, __VA_ARGS__);                  \
    else if (KH == 1 && KW == 3) AEC_CONV_STRIDES_AS(1, 3, SH, SW, __VA_ARGS__);                  \
    else if (KH == 1 && KW == 5) AEC_CONV_STRIDES_AS(1, 5, SH, SW, __VA_ARGS__);                  \
    else if (KH == 1 && KW == 7) AEC_CONV_STRIDES_AS(1, 7, SH, SW, __VA_ARGS__);                  \
    else if (SH == 1 && SW == 1) AEC_CONV_SHAPE_AS(KH, KW, 1, 1, __VA_ARGS__);                    \
    else AEC_CONV_SHAPE_AS(KH, KW, SH, SW, __VA_ARGS__);                                          \
  } while (0)
#else
#define AEC_CONV_WITH_TAPS(KH, KW, SH, SW, ...) AEC_CONV_SHAPE_AS(KH, KW, SH, SW, __VA_ARGS__)
#endif

/* One pass: output plane a (of length Lr) sums, over NB input planes `in`
 * (channel stride PS) and the KH x KW taps of tp,
 *   w[a*sA + b*sB + w0 + ky*wy + kx*wx] * in[b*PS + i + tap_offset(ky, kx)]
 * (the forward: w0 = 0, wy = KW, wx = 1; a flipped kernel runs backwards). */
typedef struct {
  const float *in;
  int64_t PS, NB;
  conv_taps tp;
  const float *w;
  int64_t sA, sB, w0, wy, wx;
  int64_t Lr;
} conv_pass;

/* out[o][i] for o < OCB, i in [i0, i1) (i1 - i0 a multiple of J*AEC_VW), planes
 * a0 + o. OCB and J are literals at every call site, so acc[][] lives in
 * registers. Every output sums its terms in the same order (b, ky, kx)
 * whatever the blocking, so the blocking may differ between widths and shapes
 * without changing any result. */
AEC_INLINE void conv_block(const int OCB, const int J, const conv_pass *p, int64_t a0, int64_t i0,
                           int64_t i1, float *out) {
  for (int64_t i = i0; i < i1; i += J * AEC_VW) {
    vf acc[4][8];
    for (int o = 0; o < OCB; ++o)
      for (int j = 0; j < J; ++j)
        acc[o][j] = 0.0f;
    for (int64_t b = 0; b < p->NB; ++b) {
      const float *src = p->in + b * p->PS + i;
      const float *wb = p->w + a0 * p->sA + b * p->sB;
      for (int64_t ky = 0; ky < p->tp.KH; ++ky)
        for (int64_t kx = 0; kx < p->tp.KW; ++kx) {
          const int64_t tw = p->w0 + ky * p->wy + kx * p->wx;
          const float *sk = src + tap_offset(&p->tp, ky, kx);
          vf v[8];
          for (int j = 0; j < J; ++j)
            v[j] = vload(sk + j * AEC_VW);
          for (int o = 0; o < OCB; ++o) {
            const float wt = wb[o * p->sA + tw];
            for (int j = 0; j < J; ++j)
              acc[o][j] += wt * v[j];
          }
        }
    }
    for (int o = 0; o < OCB; ++o)
      for (int j = 0; j < J; ++j)
        vstore(out + o * p->Lr + i + j * AEC_VW, acc[o][j]);
  }
}

/* OCB whole planes [0, Lr) (Lr a multiple of 32) in steps of J vectors; the
 * rest (fewer than J vectors) in one step of 6 or 4 vectors where it has
 * them (as many independent accumulators as the main steps, where 32-float
 * steps would each wait on the FMA latency: single planes on AVX-512), then
 * steps of 32 floats. J stays a literal in every call, so the library's own
 * build already unrolls each block. */
AEC_INLINE void conv_span(const int OCB, const int J, const conv_pass *p, int64_t a,
                          float *planes) {
  const int64_t jw = J * AEC_VW, main = p->Lr / jw * jw;
  conv_block(OCB, J, p, a, 0, main, planes);
  int64_t i = main;
  if (J > 6 && p->Lr - i >= 6 * AEC_VW) {
    conv_block(OCB, 6, p, a, i, i + 6 * AEC_VW, planes);
    i += 6 * AEC_VW;
  }
  if (J > 4 && p->Lr - i >= 4 * AEC_VW) {
    conv_block(OCB, 4, p, a, i, i + 4 * AEC_VW, planes);
    i += 4 * AEC_VW;
  }
  if (i < p->Lr)
    conv_block(OCB, 32 / AEC_VW, p, a, i, p->Lr, planes);
}

/* The next output planes of one sample from plane a on (of NA; the callers
 * step a from 0 by what this returns): 4 at a time while 4 are left, then
 * single ones. Returns how many it wrote to planes (stride Lr). NA % 4 == 0
 * says the single planes never come, so that an inlined call with a constant
 * NA leaves out their code (issue 13.6). */
AEC_INLINE int64_t conv_planes_from(const conv_pass *p, int64_t a, int64_t NA, float *planes) {
  if (NA % 4 == 0 || a + 4 <= NA) {
    conv_span(4, AEC_CONV_J4, p, a, planes);
    return 4;
  }
  conv_span(1, AEC_CONV_J1, p, a, planes);
  return 1;
}

/* The weight gradient's dot products (aec_conv_weight_grad.c, aec_conv_phases.c). */
/* How many output channels (4, 2 or 1) the weight gradient takes at once with
 * `left` units left. `aligned`: the units are whole channels handed out in
 * quads (EmitConv.cpp), so every step takes AEC_CONV_WG_P, which the formula
 * gives too; but an inlined call whose bounds are visibly multiples of 4
 * keeps only that block (issue 13.6). */
AEC_INLINE int wg_channels(int64_t left, int aligned) {
  if (aligned) return AEC_CONV_WG_P;
  return left >= 4 && AEC_CONV_WG_P >= 4 ? 4 : left >= 2 ? 2 : 1;
}
/* dv[p*dvs + t*AEC_VW + l] += lane l of the sum over the nn samples of the
 * block and i < Lr of dq_p[i] * xc[i + tap_offset(ky, kx)], t = ky*KW + kx, for the P
 * (1, 2 or 4) output channels whose gradient planes sit at dq + p*Lr: every
 * load of x is shared by P channels. The lane sums carry over from block to
 * block (one horizontal sum per tap at the end of the call, not per block:
 * that cost as much as the FMAs on 7 x 7 planes). Taps go in groups of one
 * kernel row (KW <= 8) when P > 1 so the accumulators fit in registers (9
 * taps x 2 spill after O3 unrolls the loop, even with 32 registers), or all of
 * them for 2x2 kernels; P = 1 takes up to 9 taps per group. When a block's
 * planes are large (28 x 28 images, see aec_tiles.h), up to WG_PASS groups run
 * one after the other on each sample (its planes stay in L1), their
 * accumulators parked in acc between samples; small planes take one group per
 * pass (no parking). Each lane's sum runs in a fixed order (samples, then i),
 * so results depend neither on the thread split nor on the grouping. */
#define WG_PASS 3
/* (pass: the groups per pass, a literal at both call sites, so that with
 * constant taps every group's loops unroll: a prebuilt copy has Lr, which
 * chooses it, only at run time.) */
AEC_INLINE void wg_dot_groups(const int P, const int pass, const float *xp, int64_t xk,
                              const float *dq, int64_t dqk, int64_t nn, int64_t Lr,
                              const conv_taps *tp, float *dv, int64_t dvs) {
  const int64_t KW = tp->KW, T = tp->KH * KW;
  const int64_t TG = P > 1 ? (T <= 4 ? T : KW) : 9;
  for (int64_t tc = 0; tc < T; tc += pass * TG) {
    vf acc[WG_PASS][4][9];
    for (int g = 0; g < pass && tc + g * TG < T; ++g) {
      const int64_t t0 = tc + g * TG, nt = T - t0 < TG ? T - t0 : TG;
      for (int p = 0; p < P; ++p)
        for (int64_t q = 0; q < nt; ++q)
          acc[g][p][q] = vload(dv + p * dvs + (t0 + q) * AEC_VW);
    }
    for (int64_t k = 0; k < nn; ++k) {
      const float *xc = xp + k * xk;
      const float *dk = dq + k * dqk;
      for (int g = 0; g < pass && tc + g * TG < T; ++g) {
        const int64_t t0 = tc + g * TG, nt = T - t0 < TG ? T - t0 : TG;
        vf a[4][9];
        for (int p = 0; p < P; ++p)
          for (int64_t q = 0; q < nt; ++q)
            a[p][q] = acc[g][p][q];
        /* by 4, not fully: the hot loop keeps its speed, LSR and the
         * instruction selector get a quarter of the code (issue 13.6) */
        _Pragma("clang loop unroll_count(4)")
        for (int64_t i = 0; i < Lr; i += AEC_VW) {
          vf d[4];
          for (int p = 0; p < P; ++p)
            d[p] = vload(dk + p * Lr + i);
          for (int64_t q = 0; q < nt; ++q) {
            const int64_t t = t0 + q;
            const vf xv = vload(xc + i + tap_offset(tp, t / KW, t % KW));
            for (int p = 0; p < P; ++p)
              a[p][q] += d[p] * xv;
          }
        }
        for (int p = 0; p < P; ++p)
          for (int64_t q = 0; q < nt; ++q)
            acc[g][p][q] = a[p][q];
      }
    }
    for (int g = 0; g < pass && tc + g * TG < T; ++g) {
      const int64_t t0 = tc + g * TG, nt = T - t0 < TG ? T - t0 : TG;
      for (int p = 0; p < P; ++p)
        for (int64_t q = 0; q < nt; ++q)
          vstore(dv + p * dvs + (t0 + q) * AEC_VW, acc[g][p][q]);
    }
  }
}

AEC_INLINE void wg_dot(const int P, const float *xp, int64_t xk, const float *dq, int64_t dqk,
                       int64_t nn, int64_t Lr, const conv_taps *tp, float *dv, int64_t dvs) {
  const int64_t block_bytes = AEC_CONV_WG_BLOCK * (P + 1) * Lr * (int64_t)sizeof(float);
  if (block_bytes > AEC_CONV_WG_REREAD_BYTES)
    wg_dot_groups(P, WG_PASS, xp, xk, dq, dqk, nn, Lr, tp, dv, dvs);
  else
    wg_dot_groups(P, 1, xp, xk, dq, dqk, nn, Lr, tp, dv, dvs);
}

/* wg_dot with P (4, 2 or 1 output channels) a constant in each branch, so
 * every register block compiles with its own accumulator count. */
AEC_INLINE void wg_dot_p(int64_t P, const float *xp, int64_t xk, const float *dq, int64_t dqk,
                         int64_t nn, int64_t Lr, const conv_taps *tp, float *dv, int64_t dvs) {
  if (P == 4)
    wg_dot(4, xp, xk, dq, dqk, nn, Lr, tp, dv, dvs);
  else if (P == 2)
    wg_dot(2, xp, xk, dq, dqk, nn, Lr, tp, dv, dvs);
  else
    wg_dot(1, xp, xk, dq, dqk, nn, Lr, tp, dv, dvs);
}
#undef WG_PASS

/* The weight gradient's lane sums (wg_dot's dv) of the output / input channel
 * pairs (o, c) of the units [u0, u1) (aec_conv.h): T vectors of AEC_VW lanes
 * per pair at partials + (o*Ci + c)*T*AEC_VW. */
AEC_INLINE float *wg_partials(float *partials, int64_t o, int64_t c, int64_t Ci, int64_t T) {
  return partials + (o * Ci + c) * T * AEC_VW;
}
AEC_INLINE void wg_zero_partials(float *partials, int64_t u0, int64_t u1, int64_t G, int64_t Ci,
                                 int64_t T) {
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t o = u / G, g = u % G, c0 = g * Ci / G, c1 = (g + 1) * Ci / G;
    zero_floats(wg_partials(partials, o, c0, Ci, T), (c1 - c0) * T * AEC_VW);
  }
}

/* dw[o][c][t] (+)= the lane sum of each (o, c) pair's tap t of the units
 * [u0, u1), in lane order. */
AEC_INLINE void wg_finish(const float *partials, int64_t u0, int64_t u1, int64_t G, int64_t Ci,
                          int64_t T, float *dw, int accumulate) {
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t o = u / G, g = u % G;
    AEC_ROLLED
    for (int64_t c = g * Ci / G; c < (g + 1) * Ci / G; ++c)
      AEC_ROLLED
      for (int64_t t = 0; t < T; ++t) {
        float *d = dw + (o * Ci + c) * T + t;
        const float a = hsum(vload(wg_partials((float *)partials, o, c, Ci, T) + t * AEC_VW));
        *d = accumulate ? *d + a : a;
      }
  }
}

#endif
