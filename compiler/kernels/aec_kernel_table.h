/* Native builds of the kernel library for tests and benchmarks: each vector
 * width variant is compiled natively by clang-19 into one object that exports
 * only a table of its entry points (aec_kernel_table_vw4/8/16). */
#ifndef AEC_KERNEL_TABLE_H
#define AEC_KERNEL_TABLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aec_kernel_table {
  int vector_width;
  void (*gemm)(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A, int64_t lda,
               const float *B, int64_t ldb, int transB, float *C, int64_t ldc, int accumulate,
               const float *bias, int act, const float *dact_y, int64_t lddy, int dact);
  void (*gemm_tn)(int64_t k0, int64_t k1, int64_t N, int64_t M, const float *A, int64_t lda,
                  const float *B, int64_t ldb, float *C, int64_t ldc, float scale, int accumulate);
  void (*colsum)(int64_t j0, int64_t j1, int64_t M, const float *dZ, int64_t ldz, float *db,
                 float scale, int accumulate);
  void (*act_forward)(int64_t b, int64_t e, const float *x, float *y, int act);
  void (*act_backward)(int64_t b, int64_t e, const float *y, const float *dy, float *dx, int act);
  void (*noise)(int64_t b, int64_t e, const float *x, float *out, int kind, float amount,
                float lo, float hi, uint64_t seed);
  double (*loss)(int64_t r0, int64_t r1, int64_t D, const float *y, const float *z,
                 const float *x, float *dZ, int kind, int out_act, float dscale, float *row_loss);
  double (*sparsity_l1)(int64_t M, int64_t C, const float *c, float *dC, float w, float dscale);
  double (*sparsity_kl)(int64_t M, int64_t C, const float *c, float *dC, float rho, float w,
                        float dscale, float *scratch);
  void (*adam)(int64_t b, int64_t e, float *p, float *g, float *m, float *v, float lr,
               float beta1, float beta2, float eps, float l2, int64_t step);
  void (*sgd)(int64_t b, int64_t e, float *p, float *g, float *vel, float lr, float momentum,
              float l2);
  /* aec_conv.h */
  void (*conv_forward)(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W, int64_t Co,
                       int64_t KH, int64_t KW, int64_t SH, int64_t SW, const float *x,
                       const float *w, const float *bias, float *y, int act, int64_t UH,
                       int64_t UW, float *scratch);
  void (*conv_backward_data)(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W, int64_t Co,
                             int64_t KH, int64_t KW, int64_t SH, int64_t SW, const float *dy,
                             const float *w, float *dx, const float *dact_y, int dact,
                             int64_t UH, int64_t UW, float *scratch);
  void (*conv_backward_filter)(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci, int64_t H,
                               int64_t W, int64_t Co, int64_t KH, int64_t KW, int64_t SH,
                               int64_t SW, const float *x, const float *dy, float *dw, float *db,
                               int accumulate, int64_t UH, int64_t UW, float *partials,
                               float *scratch);
  void (*pool_forward)(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t SH,
                       int64_t SW, int kind, const float *x, float *y);
  void (*pool_backward)(int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t SH,
                        int64_t SW, int kind, const float *dy, const float *x, const float *y,
                        float *dx, const float *dact_y, int dact);
  void (*conv_maxpool_forward)(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                               int64_t Co, int64_t KH, int64_t KW, const float *x,
                               const float *w, const float *bias, float *yp, float *yfull,
                               uint8_t *arg, int act, float *scratch);
  void (*conv_maxpool_backward_filter)(int64_t o0, int64_t o1, int64_t M, int64_t Ci, int64_t H,
                                       int64_t W, int64_t Co, int64_t KH, int64_t KW,
                                       const float *x, const float *dyp, const float *yp,
                                       const uint8_t *arg, float *dw, float *db, int accumulate,
                                       int act, float *partials, float *scratch);
  void (*upconv_forward)(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W, int64_t Co,
                         const float *x, const float *w, const float *bias, float *y, int act,
                         float *scratch);
  void (*upconv_backward_data)(int64_t n0, int64_t n1, int64_t Ci, int64_t H, int64_t W,
                               int64_t Co, const float *dy, const float *w, float *dx,
                               const float *dact_y, int dact, float *scratch);
  void (*upconv_backward_filter)(int64_t u0, int64_t u1, int64_t G, int64_t M, int64_t Ci,
                                 int64_t H, int64_t W, int64_t Co, const float *x,
                                 const float *dy, float *dw, float *db, int accumulate,
                                 float *partials, float *scratch);
  /* --weight-format bf16 (issue 13.4) */
  void (*gemm_bf16)(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A, int64_t lda,
                    const uint32_t *Bp, int64_t ldb, float *C, int64_t ldc, const float *bias,
                    int act);
  void (*bf16_pack)(int64_t K, int64_t N, const float *w, uint32_t *out);
  /* --weight-format int8 (issue 13.4); gemm_int8_vnni needs the CPU's VNNI
   * at widths 8 and 16 (at width 4 it is gemm_int8) */
  void (*gemm_int8)(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A, int64_t lda,
                    const uint32_t *Bq, int64_t ldb, float *C, int64_t ldc, const float *bias,
                    int act);
  void (*gemm_int8_vnni)(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A,
                         int64_t lda, const uint32_t *Bq, int64_t ldb, float *C, int64_t ldc,
                         const float *bias, int act);
  void (*int8_pack)(int64_t K, int64_t N, const float *w, uint32_t *out);
} aec_kernel_table;

extern const aec_kernel_table aec_kernel_table_vw4;
extern const aec_kernel_table aec_kernel_table_vw8;
extern const aec_kernel_table aec_kernel_table_vw16;

#ifdef __cplusplus
}
#endif

#endif
