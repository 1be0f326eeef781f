/* Padded-plane layout of the conv kernels (aec_conv.h explains it): the
 * geometry of one conv, copying samples into padded planes (plain, upsampled,
 * or the phase planes of strides), row chunks, and the factor-2 even/odd shuffles shared by the
 * pool kernels and the fused upsample. Internal to the kernel sources. */
#ifndef AEC_CONV_LAYOUT_H
#define AEC_CONV_LAYOUT_H

#include "aec_conv.h"
#include "aec_tiles.h"
#include "aec_vmath.h"

/* Geometry of one conv from its (input) dims: row stride Wp of the padded
 * input and accumulation planes, plane length Lr, channel stride PS, output
 * dims, top / left padding. Strides: the phase planes of aec_conv.h (Wp, Lr
 * at the output resolution). */
typedef struct {
  int64_t Wp, Lr, PS, Ho, Wo, pt, pl;
} conv_geom;

AEC_INLINE conv_geom conv_geometry(int64_t H, int64_t W, int64_t KH, int64_t KW, int64_t SH,
                                   int64_t SW) {
  conv_geom g;
  g.Ho = (H + SH - 1) / SH;
  g.Wo = (W + SW - 1) / SW;
  g.Wp = SH * SW == 1 ? W + KW - 1 : aec_conv_prow(g.Wo, KW, SW);
  g.Lr = aec_conv_splane(H, W, KH, KW, SH, SW);
  g.PS = aec_conv_cstride(H, W, KH, KW, SH, SW);
  g.pt = (KH - 1) / 2;
  g.pl = (KW - 1) / 2;
  return g;
}

/* Where the taps of a pass read its input planes: KH x KW taps, strides SH x
 * SW (1: a plain padded plane), Ho rows of output, row stride Wp. */
typedef struct {
  int64_t KH, KW, SH, SW, Ho, Wp;
} conv_taps;

AEC_INLINE conv_taps geom_taps(const conv_geom *g, int64_t KH, int64_t KW, int64_t SH,
                               int64_t SW) {
  const conv_taps t = {KH, KW, SH, SW, g->Ho, g->Wp};
  return t;
}

/* The offset of tap (ky, kx) from an output's position: stride 1 ky*Wp + kx;
 * strides: into phase plane (ky%SH, kx%SW) (aec_conv.h), at (ky/SH, kx/SW).
 * Taps (a, b) < (SH, SW) give the phase planes' origins. */
AEC_INLINE int64_t tap_offset(const conv_taps *t, int64_t ky, int64_t kx) {
  if (t->SH * t->SW == 1) return ky * t->Wp + kx;
  const int64_t a = ky % t->SH, b = kx % t->SW, nb = t->SW < t->KW ? t->SW : t->KW;
  const int64_t row0 = aec_conv_phase_row0(t->Ho, t->KH, t->SH, a) * nb +
                       b * aec_conv_phase_rows(t->Ho, t->KH, t->SH, a);
  return (row0 + ky / t->SH) * t->Wp + kx / t->SW;
}

/* Lanes for the row chunk at column j with `left` columns left in its row and
 * `after` columns in the rows that follow it up to the end of the range
 * [n0, n1). Rows are visited in increasing address order, so a row's last
 * partial chunk may run as full vectors when the range has room for them: the
 * extra lanes read the following rows (same buffers, same thread) and write
 * outputs that those rows overwrite right after. A full vector may span more
 * than the next row (7-wide rows, 16 lanes), hence `after` rather than "not
 * the last row": nothing outside the range is ever read or written, so
 * another thread's chunk is never clobbered. */
AEC_INLINE int64_t row_m(int64_t left, int64_t after) {
  return left >= AEC_VW || left + after >= AEC_VW ? AEC_VW : left;
}

/* Loop rows of the range after row i of plane c of sample n (C planes of R
 * rows per sample, samples up to n1). */
AEC_INLINE int64_t rows_after(int64_t n, int64_t n1, int64_t c, int64_t C, int64_t i, int64_t R) {
  return ((n1 - 1 - n) * C + (C - 1 - c)) * R + (R - 1 - i);
}

/* The exact lanes of the chunk at j of a row of length len. */
AEC_INLINE int64_t lanes_left(int64_t len, int64_t j) {
  return len - j < AEC_VW ? len - j : AEC_VW;
}

AEC_INLINE void zero_floats(float *p, int64_t n) {
  int64_t i = 0;
  for (; i + AEC_VW <= n; i += AEC_VW)
    vstore(p + i, (vf)0.0f);
  for (; i < n; ++i)
    p[i] = 0.0f;
}

/* m (<= AEC_VW) lanes; the rest read as 0 / are not written. */
AEC_INLINE vf load_m(const float *p, int64_t m) {
  return m == AEC_VW ? vload(p) : vload_part(p, m);
}
AEC_INLINE void store_m(float *p, vf v, int64_t m) {
  if (m == AEC_VW)
    vstore(p, v);
  else
    vstore_part(p, v, m);
}
AEC_INLINE vf vmask(vf v, vi m) { return vbits(ibits(v) & m); }

/* Horizontal sum in lane order. */
AEC_INLINE float hsum(vf v) {
  float s = 0.0f;
  for (int l = 0; l < AEC_VW; ++l)
    s += v[l];
  return s;
}

/* act'(y) of one float: the lanes of v_dact, so scalar and vector paths agree. */
AEC_INLINE float dact1(float y, int act) { return v_dact((vf)y, act)[0]; }

/* Factor 2 along W (the common case) runs as explicit vector code: a pair of
 * input vectors is split into its even and odd columns (or two output vectors
 * interleaved) with one shuffle each, so nothing is gathered element-wise.
 * The lane indices of those shuffles at this width: */
#if AEC_VW == 16
#define AEC_LANES_EVEN 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define AEC_LANES_ODD 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#define AEC_LANES_ILO 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define AEC_LANES_IHI 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
#elif AEC_VW == 8
#define AEC_LANES_EVEN 0, 2, 4, 6, 8, 10, 12, 14
#define AEC_LANES_ODD 1, 3, 5, 7, 9, 11, 13, 15
#define AEC_LANES_ILO 0, 8, 1, 9, 2, 10, 3, 11
#define AEC_LANES_IHI 4, 12, 5, 13, 6, 14, 7, 15
#else
#define AEC_LANES_EVEN 0, 2, 4, 6
#define AEC_LANES_ODD 1, 3, 5, 7
#define AEC_LANES_ILO 0, 4, 1, 5
#define AEC_LANES_IHI 2, 6, 3, 7
#endif

/* The n (<= 2 * AEC_VW) floats at p as two vectors, reading no further; the
 * lanes past them read 0. */
AEC_INLINE void load_span(const float *p, int64_t n, vf *a, vf *b) {
  *a = n >= AEC_VW ? vload(p) : vload_part(p, n);
  *b = n >= 2 * AEC_VW ? vload(p + AEC_VW)
       : n > AEC_VW    ? vload_part(p + AEC_VW, n - AEC_VW)
                       : (vf)0.0f;
}
/* 2m consecutive floats as the (even, odd) columns. */
AEC_INLINE void load_pair(const float *p, int64_t m, vf *even, vf *odd) {
  vf a, b;
  load_span(p, 2 * m, &a, &b);
  *even = __builtin_shufflevector(a, b, AEC_LANES_EVEN);
  *odd = __builtin_shufflevector(a, b, AEC_LANES_ODD);
}
/* The even columns of the n floats at p (load_span). */
AEC_INLINE vf load_evens(const float *p, int64_t n) {
  vf a, b;
  load_span(p, n, &a, &b);
  return __builtin_shufflevector(a, b, AEC_LANES_EVEN);
}
/* Stores the interleave of (even, odd) as 2m consecutive floats. */
AEC_INLINE void store_pair(float *p, vf even, vf odd, int64_t m) {
  vf lo = __builtin_shufflevector(even, odd, AEC_LANES_ILO);
  vf hi = __builtin_shufflevector(even, odd, AEC_LANES_IHI);
  if (m == AEC_VW) {
    vstore(p, lo);
    vstore(p + AEC_VW, hi);
  } else {
    const int64_t m2 = 2 * m;
    vstore_part(p, lo, m2 < AEC_VW ? m2 : AEC_VW);
    if (m2 > AEC_VW)
      vstore_part(p + AEC_VW, hi, m2 - AEC_VW);
  }
}

/* A conv with a 2x2 max pool fused (aec_conv_maxpool_*): act(z + bo) of the
 * four positions of m blocks of 2x2 (e0, o0: row r0, e1, o1: the next row, Wp
 * further) and their max, compared in the order aec_pool_forward uses, so the
 * fused results are the unfused ones. */
typedef struct {
  vf a[4]; /* e0, o0, e1, o1 */
  vf mx;
} pool_block;

AEC_INLINE pool_block pool_block_at(const float *r0, int64_t Wp, int64_t m, float bo, int act) {
  pool_block b;
  load_pair(r0, m, &b.a[0], &b.a[1]);
  load_pair(r0 + Wp, m, &b.a[2], &b.a[3]);
  for (int q = 0; q < 4; ++q)
    b.a[q] = v_act(b.a[q] + bo, act);
  vf mx = b.a[1] > b.a[0] ? b.a[1] : b.a[0];
  mx = b.a[2] > mx ? b.a[2] : mx;
  b.mx = b.a[3] > mx ? b.a[3] : mx;
  return b;
}

/* The argmax bytes of a fused max pool (aec_conv_maxpool_forward's arg): m
 * lanes of codes to / from bytes. */
typedef uint8_t vbyte __attribute__((ext_vector_type(AEC_VW)));
/* The first m (< AEC_VW) bytes: one masked move with AVX-512BW, else at most
 * log2(AEC_VW) moves of 8, 4, 2, 1 bytes (a run-time m in the prebuilt
 * kernels: a loop over the bytes cost more than the pool's arithmetic). */
AEC_INLINE void bytes_part_copy(void *dst, const void *src, int64_t m) {
  int64_t at = 0;
  for (int64_t n = AEC_VW / 2; n >= 1; n /= 2)
    if (m & n) {
      __builtin_memcpy((uint8_t *)dst + at, (const uint8_t *)src + at, n);
      at += n;
    }
}
AEC_INLINE void bytes_part_store(uint8_t *p, const vbyte *b, int64_t m) {
#if AEC_VW == 16 && defined(__AVX512BW__) && defined(__AVX512VL__)
  __m128i v;
  __builtin_memcpy(&v, b, sizeof v);
  _mm_mask_storeu_epi8(p, (__mmask16)((1u << m) - 1), v);
#else
  bytes_part_copy(p, b, m);
#endif
}
AEC_INLINE void bytes_part_load(vbyte *b, const uint8_t *p, int64_t m) {
#if AEC_VW == 16 && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m128i v = _mm_maskz_loadu_epi8((__mmask16)((1u << m) - 1), p);
  __builtin_memcpy(b, &v, sizeof v);
#else
  bytes_part_copy(b, p, m);
#endif
}
AEC_INLINE void store_codes(uint8_t *p, vi c, int64_t m) {
  const vbyte b = __builtin_convertvector(c, vbyte);
  if (m == AEC_VW)
    __builtin_memcpy(p, &b, sizeof b);
  else
    bytes_part_store(p, &b, m);
}
AEC_INLINE vi load_codes(const uint8_t *p, int64_t m) {
  vbyte b = (vbyte)0;
  if (m == AEC_VW)
    __builtin_memcpy(&b, p, sizeof b);
  else
    bytes_part_load(&b, p, m);
  return __builtin_convertvector(b, vi);
}

/* The block position (0..3) of the first of the four values equal to the
 * max, as aec_pool_backward takes it; 4 where none is (a NaN). */
AEC_INLINE vi pool_block_argmax(const pool_block *b) {
  vi code = 4;
  for (int q = 3; q >= 0; --q) /* the lowest equal position wins */
    code = b->a[q] == b->mx ? (vi)q : code;
  return code;
}

/* Copies one sample's [C][H][W] into padded planes (row stride Wp, plane
 * stride PS) at row offset r0, column offset c0. The rest of the planes is
 * left as it is (zeroed once per kernel call). */
AEC_INLINE void scatter_planes(float *dst, const float *src, int64_t C, int64_t Hs, int64_t Ws,
                               int64_t r0, int64_t c0, int64_t Wp, int64_t PS) {
  /* the pointers step by rows: no multiply per row (no LSR, Target.cpp) */
  const float *s = src;
  AEC_ROLLED
  for (int64_t c = 0; c < C; ++c) {
    float *d = dst + c * PS + r0 * Wp + c0;
    AEC_ROLLED
    for (int64_t i = 0; i < Hs; ++i, s += Ws, d += Wp)
      for (int64_t j = 0; j < Ws; j += AEC_VW) {
        const int64_t m = lanes_left(Ws, j);
        store_m(d + j, load_m(s + j, m), m);
      }
  }
}

/* One row of an upsample by UW along W: d[j] = s[j / UW] for j < Ws*UW;
 * `after`: as for upsample_grad_row below (0: exact lengths). */
AEC_INLINE void upsample_row(const float *s, int64_t Ws, int64_t UW, float *d, int64_t after) {
  if (UW == 2)
    for (int64_t j = 0; j < Ws; j += AEC_VW) {
      const int64_t m = row_m(Ws - j, after);
      const vf v = load_m(s + j, m);
      store_pair(d + 2 * j, v, v, m);
    }
  else
    for (int64_t j = 0; j < Ws * UW; ++j)
      d[j] = s[j / UW];
}

/* Like scatter_planes for the upsample (UH x UW) of src [C][Hs][Ws]:
 * src (i, j) goes to the UH x UW block at (i*UH + r0, j*UW + c0), so a conv
 * reads an upsampled input without it being written in full resolution. */
AEC_INLINE void upsample_planes(float *dst, const float *src, int64_t C, int64_t Hs, int64_t Ws,
                                int64_t UH, int64_t UW, int64_t r0, int64_t c0, int64_t Wp,
                                int64_t PS) {
  AEC_ROLLED
  for (int64_t c = 0; c < C; ++c)
    AEC_ROLLED
    for (int64_t i = 0; i < Hs; ++i) {
      const float *s = src + (c * Hs + i) * Ws;
      for (int64_t u = 0; u < UH; ++u)
        upsample_row(s, Ws, UW, dst + c * PS + (i * UH + u + r0) * Wp + c0, 0);
    }
}

/* One sample's [C][H][W] as the phase planes of a strided conv (aec_conv.h,
 * channel stride g->PS): phase (a, b) row i, column j holds the padded input
 * at (i*SH + a, j*SW + b). The padding is left as it is (zeroed once per
 * kernel call). */
AEC_INLINE void phase_planes(float *dst, const float *src, int64_t C, int64_t H, int64_t W,
                             const conv_geom *g, const conv_taps *t) {
  const int64_t SH = t->SH, SW = t->SW;
  AEC_ROLLED
  for (int64_t c = 0; c < C; ++c)
    for (int64_t a = 0; a < SH && a < t->KH; ++a)
      for (int64_t b = 0; b < SW && b < t->KW; ++b) {
        float *plane = dst + c * g->PS + tap_offset(t, a, b);
        /* the columns j whose input column j*SW + b - pl is inside the row */
        const int64_t j0 = g->pl > b ? (g->pl - b + SW - 1) / SW : 0;
        const int64_t j1 = (W + g->pl - b + SW - 1) / SW, je = j1 < g->Wp ? j1 : g->Wp;
        AEC_ROLLED
        for (int64_t i = 0; i < aec_conv_phase_rows(g->Ho, t->KH, SH, a); ++i) {
          const int64_t r = i * SH + a - g->pt;
          if (r < 0 || r >= H) continue;
          const float *s = src + (c * H + r) * W + b - g->pl;
          float *d = plane + i * g->Wp;
          if (SW == 2)
            for (int64_t j = j0; j < je; j += AEC_VW) {
              /* the last chunk stops at its last even column: the odd one
               * after it may be past the input */
              const int64_t m = lanes_left(je, j);
              store_m(d + j, load_evens(s + 2 * j, j + m < je ? 2 * m : 2 * m - 1), m);
            }
          else
            for (int64_t j = j0; j < je; ++j)
              d[j] = s[j * SW];
        }
      }
}

/* The conv's input planes of one sample: x itself, its upsample when UH x UW
 * > 1 (stride 1 only), or its phase planes when strided. */
AEC_INLINE void input_planes(float *dst, const float *x, int64_t C, int64_t H, int64_t W,
                             int64_t UH, int64_t UW, const conv_geom *g, const conv_taps *t) {
  if (t->SH * t->SW > 1)
    phase_planes(dst, x, C, H, W, g, t);
  else if (UH * UW > 1)
    upsample_planes(dst, x, C, H / UH, W / UW, UH, UW, g->pt, g->pl, g->Wp, g->PS);
  else
    scatter_planes(dst, x, C, H, W, g->pt, g->pl, g->Wp, g->PS);
}

/* One row of an upsample's input gradient: d[j] = the sum of the UH x UW block
 * of g (row stride gs) at column j*UW, times act'(yb[j]) if yb; `after`: the
 * columns the range has past this row (full vectors may run into them, see
 * row_m; 0 writes exact lengths). aec_pool_backward's upsample case and the
 * conv input gradient with the upsample fused share it, so fusing changes no
 * result. */
AEC_INLINE void upsample_grad_row(const float *g, int64_t gs, int64_t Wn, int64_t UH, int64_t UW,
                                  float *d, const float *yb, int dact, int64_t after) {
  if (UW == 2) {
    for (int64_t j = 0; j < Wn; j += AEC_VW) {
      const int64_t m = row_m(Wn - j, after);
      vf sum = 0.0f, e, o;
      for (int64_t u = 0; u < UH; ++u) {
        load_pair(g + u * gs + 2 * j, m, &e, &o);
        sum += e + o;
      }
      if (yb)
        sum *= v_dact(load_m(yb + j, m), dact);
      store_m(d + j, sum, m);
    }
    return;
  }
  for (int64_t j = 0; j < Wn; ++j) {
    float a = 0.0f;
    for (int64_t u = 0; u < UH; ++u)
      for (int64_t v = 0; v < UW; ++v)
        a += g[u * gs + j * UW + v];
    d[j] = yb ? a * dact1(yb[j], dact) : a;
  }
}

/* The H x W outputs of a plane (row stride Wp) into dst [H][W], times
 * act'(yc) if yc; after_plane: the outputs of the range past this plane (see
 * row_m). */
AEC_INLINE void plane_to_rows(const float *plane, int64_t Wp, int64_t H, int64_t W, float *dst,
                              const float *yc, int dact, int64_t after_plane) {
  for (int64_t iy = 0; iy < H; ++iy) {
    const float *row = plane + iy * Wp;
    float *d = dst + iy * W;
    const float *yr = yc ? yc + iy * W : 0;
    const int64_t after = (H - 1 - iy) * W + after_plane;
    for (int64_t ix = 0; ix < W; ix += AEC_VW) {
      const int64_t m = row_m(W - ix, after);
      vf v = load_m(row + ix, m);
      if (yr) v *= v_dact(load_m(yr + ix, m), dact);
      store_m(d + ix, v, m);
    }
  }
}

AEC_SHARED void plane_to_rows_by_act(const float *plane, int64_t Wp, int64_t H, int64_t W,
                                     float *dst, const float *yc, int dact,
                                     int64_t after_plane) {
  AEC_WITH_ACT(dact, plane_to_rows(plane, Wp, H, W, dst, yc, act_, after_plane));
}

/* Row dst [W] of a strided conv's input gradient from its SW column phases
 * (column j*SW + b is element j of phase b, at ph + b*pstride), times
 * act'(yb) if yb: the same products as plane_to_rows. */
AEC_INLINE void interleave_row(float *dst, int64_t W, const float *ph, int64_t pstride, int64_t SW,
                               const float *yb, int dact) {
  int64_t s = 0;
  if (SW == 2)
    for (; s + 2 <= W; s += 2 * AEC_VW) {
      const int64_t j = s / 2, m = lanes_left(W / 2, j);
      vf e = load_m(ph + j, m), o = load_m(ph + pstride + j, m);
      if (yb) {
        vf ye, yo;
        load_pair(yb + s, m, &ye, &yo);
        e *= v_dact(ye, dact);
        o *= v_dact(yo, dact);
      }
      store_pair(dst + s, e, o, m);
    }
  for (s = SW == 2 ? W / 2 * 2 : 0; s < W; ++s) { /* an odd row's last column; other strides */
    const float v = ph[(s % SW) * pstride + s / SW];
    dst[s] = yb ? v * dact1(yb[s], dact) : v;
  }
}

/* The sum of n floats, in vector lanes then lane order. */
AEC_INLINE float plane_sum(const float *p, int64_t n) {
  vf s = 0.0f;
  int64_t i = 0;
  for (; i + AEC_VW <= n; i += AEC_VW)
    s += vload(p + i);
  if (i < n)
    s += vload_part(p + i, n - i);
  return hsum(s);
}

/* The four output phases of a [2H][2W] plane: src[2i+dy][2j+dx] goes to
 * plane dy*2+dx of dst (plane stride PS, row stride Wp) at (i, j), or at
 * (i+dy, j+dx) when shift (the upconv input gradient's flipped taps). */
AEC_INLINE void split_phases(float *dst, int64_t PS, int shift, const float *src, int64_t H,
                             int64_t W, int64_t Wp) {
  AEC_ROLLED
  for (int64_t i = 0; i < H; ++i)
    for (int64_t dy = 0; dy < 2; ++dy) {
      const float *s = src + (2 * i + dy) * 2 * W;
      float *e = dst + (dy * 2) * PS + (i + shift * dy) * Wp;
      float *o = dst + (dy * 2 + 1) * PS + (i + shift * dy) * Wp + shift;
      for (int64_t j = 0; j < W; j += AEC_VW) {
        const int64_t m = lanes_left(W, j);
        vf ev, od;
        load_pair(s + 2 * j, m, &ev, &od);
        store_m(e + j, ev, m);
        store_m(o + j, od, m);
      }
    }
}

#endif
