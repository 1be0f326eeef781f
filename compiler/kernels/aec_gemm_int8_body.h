/* aec_gemm_int8's panels and entry point for one dot product: included by
 * aec_gemm_int8.c with AEC_I8_DOT (acc, q, w -> acc + the 4 byte products per
 * lane), AEC_I8_FN (the names) and AEC_I8_ATTR (the target the dot needs). */

/* The ncols (<= NV vectors) columns of a panel for a block of R rows, crows
 * of them stored: q [R][ldq] the rows' quantized bytes, sa/za their scales
 * and zero points; B, C and bias start at the panel's first column. */
AEC_I8_ATTR AEC_INLINE void AEC_I8_FN(int8_panel)(const int R, const int NV, int64_t ncols,
                                                  int crows, int64_t G, const uint8_t *q,
                                                  int64_t ldq, const float *sa, const int32_t *za,
                                                  const uint32_t *B, int64_t ldb, float *C,
                                                  int64_t ldc, const float *bias, int act) {
  vi acc[AEC_I8_ROWS][AEC_I8_NV1];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v)
      acc[r][v] = 0;
  for (int64_t g = 0; g < G; ++g) {
    const uint32_t *b = B + g * ldb;
    if (R == 1)
      for (int64_t o = 0; o < NV * AEC_VW * 4; o += 64)
        __builtin_prefetch((const char *)(b + AEC_I8_PREFETCH_ROWS * ldb) + o);
    vi w[AEC_I8_NV1];
    for (int v = 0; v < NV; ++v) {
      const int64_t n = ncols - v * AEC_VW;
      w[v] = (vi)(n >= AEC_VW ? vuload(b + v * AEC_VW) : vuload_part(b + v * AEC_VW, n > 0 ? n : 0));
    }
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      __builtin_memcpy(&quad, q + r * ldq + 4 * g, 4);
      const vi qv = quad;
      for (int v = 0; v < NV; ++v)
        acc[r][v] = AEC_I8_DOT(acc[r][v], qv, w[v]);
    }
  }
  /* C = act((acc - z·colsum) · sa·sw + bias); scales then sums follow the quads. */
  const uint32_t *sw_words = B + G * ldb, *sums = sw_words + ldb;
  for (int v = 0; v < NV; ++v) {
    const int64_t n = ncols - v * AEC_VW, o = v * AEC_VW;
    if (n <= 0)
      break;
    const int full = n >= AEC_VW;
    const vf sw = (vf)(full ? vuload(sw_words + o) : vuload_part(sw_words + o, n));
    const vi cs = (vi)(full ? vuload(sums + o) : vuload_part(sums + o, n));
    const vf bv = bias ? (full ? vload(bias + o) : vload_part(bias + o, n)) : 0.0f;
    for (int r = 0; r < R; ++r) {
      if (r >= crows)
        break;
      vf x = __builtin_convertvector(acc[r][v] - za[r] * cs, vf) * (sa[r] * sw) + bv;
      x = v_act(x, act);
      if (full)
        vstore(C + r * ldc + o, x);
      else
        vstore_part(C + r * ldc + o, x, n);
    }
  }
}

/* One row: panels of AEC_I8_NV1 vectors, then the last columns a vector at a
 * time; more rows: blocks of AEC_I8_ROWS (a partial block repeats its last
 * row, stores only its own) over panels of AEC_I8_NVR vectors. */
AEC_I8_ATTR AEC_KAPI void AEC_I8_FN(aec_gemm_int8)(int64_t m0, int64_t m1, int64_t N, int64_t K,
                                                   const float *A, int64_t lda, const uint32_t *Bq,
                                                   int64_t ldb, float *C, int64_t ldc,
                                                   const float *bias, int act) {
  if (m1 <= m0 || N <= 0 || K <= 0)
    return;
  const int64_t G = (K + 3) / 4, ldq = (K + AEC_VW - 1) / AEC_VW * AEC_VW;
  const int R = m1 - m0 == 1 ? 1 : AEC_I8_ROWS;
  uint8_t q[AEC_I8_ROWS * ldq];
  float sa[AEC_I8_ROWS];
  int32_t za[AEC_I8_ROWS];
  for (int64_t i = m0; i < m1; i += R) {
    const int rows = m1 - i < R ? (int)(m1 - i) : R;
    for (int r = 0; r < R; ++r)
      int8_quantize_row(K, A + (i + (r < rows ? r : rows - 1)) * lda, q + r * ldq, &sa[r], &za[r]);
    float *c = C + i * ldc;
    int64_t j0 = 0;
    if (R == 1) {
      for (; j0 + AEC_I8_NV1 * AEC_VW <= N; j0 += AEC_I8_NV1 * AEC_VW)
        AEC_I8_FN(int8_panel)(1, AEC_I8_NV1, AEC_I8_NV1 * AEC_VW, 1, G, q, ldq, sa, za, Bq + j0,
                              ldb, c + j0, ldc, bias ? bias + j0 : 0, act);
      for (; j0 < N; j0 += AEC_VW)
        AEC_I8_FN(int8_panel)(1, 1, N - j0, 1, G, q, ldq, sa, za, Bq + j0, ldb, c + j0, ldc,
                              bias ? bias + j0 : 0, act);
    } else {
      for (; j0 + AEC_I8_NVR * AEC_VW <= N; j0 += AEC_I8_NVR * AEC_VW)
        AEC_I8_FN(int8_panel)(AEC_I8_ROWS, AEC_I8_NVR, AEC_I8_NVR * AEC_VW, rows, G, q, ldq, sa,
                              za, Bq + j0, ldb, c + j0, ldc, bias ? bias + j0 : 0, act);
      if (j0 < N)
        AEC_I8_FN(int8_panel)(AEC_I8_ROWS, AEC_I8_NVR, N - j0, rows, G, q, ldq, sa, za, Bq + j0,
                              ldb, c + j0, ldc, bias ? bias + j0 : 0, act);
    }
  }
}
