/* aec compute kernels: the contract between the kernel library and the code
 * generator.
 *
 * The kernels are written once in C (clang vector extensions), compiled at aec
 * build time to LLVM bitcode (one variant per vector width: 4 = SSE/generic
 * x86-64, 8 = AVX2, 16 = AVX-512), embedded in `aec`, and linked into every
 * generated model module (see KernelLibrary.h). The code generator calls them
 * with constant shapes (only batch-row counts and row ranges are runtime
 * values), marks them internal + alwaysinline and runs O3, so constant
 * propagation specializes every loop.
 *
 * Conventions: matrices are row-major float; `ld*` is the row stride in
 * floats. Row/element ranges [b, e) let the generated code split work over the
 * runtime's thread pool (aec_rt_parallel_for); results never depend on how a
 * range is split, with one exception: aec_gemm ranges of 1 row, or of up to
 * AEC_DOT_ROWS (4) rows with transB, take GEMV / dot-product paths (batch-1
 * inference) that sum in another order, so a caller splitting GEMM rows gives
 * every piece at least one whole register tile (ModuleGen.cpp does).
 * test/unit/kernel_split_test.cpp checks this at every vector width. No kernel
 * allocates memory or calls libc/libm.
 *
 * Activation kinds = enum aec_activation (runtime/include/aec/activations.def):
 *   0 linear, 1 relu, 2 leaky_relu (slope 0.01), 3 sigmoid, 4 tanh, 5 elu (alpha 1),
 *   and any appended there (math: v_act / v_dact in aec_vmath.h).
 * Derivatives are expressed through the activation OUTPUT y:
 *   linear 1, relu y>0, leaky y>0?1:0.01, sigmoid y(1-y), tanh 1-y², elu y>0?1:y+1.
 *
 * Accuracy of the built-in transcendental approximations (float, measured by
 * test/unit/kernels_test.cpp against double libm over the whole useful range):
 *   sigmoid  relative error <= 3e-7 (measured 1.3e-7) for x >= -80; below, < 1e-30
 *   tanh     relative error <= 3e-7 (measured 1.1e-7)
 *   elu      relative error <= 5e-7 (measured 2.3e-7) for x < 0; exact for x > 0
 *   exp (inside sigmoid/elu/bce): Cephes polynomial, ~1 ulp on [-87, 88]; the
 *            argument is clamped to that range (outputs saturate outside)
 *   log (bce loss, noise): Cephes polynomial, ~1 ulp for positive normal inputs
 * NaN inputs propagate to NaN outputs through every activation (so a diverging
 * loss is detected), except relu/leaky_relu derivative masks.
 */
#ifndef AEC_KERNELS_H
#define AEC_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* AEC_KERNELS_STATIC (native test/benchmark builds only) defines the entry
 * points with that storage class in one translation unit instead. */
#ifndef AEC_KERNELS_STATIC

/* Forward and input-gradient GEMM, rows [m0, m1) of C:
 *   acc = A[i][0:K] . opB[0:K][j], opB = B ([K][N], ldb) or, if transB, B^T
 *   with B stored [N][K] (ldb).
 *   v = (accumulate ? C[i][j] : 0) + acc + (bias ? bias[j] : 0); v = act(v);
 *   if (dact_y) v *= act'(y) with y = dact_y[i][j] (row stride lddy, kind dact).
 * C must not alias A, B, bias or dact_y (it holds partial sums between K
 * blocks). Uses up to 26 KB of stack for a packed B panel. Splitting rows at
 * multiples of 6 (AVX2/SSE) or 8 (AVX-512) avoids partial register tiles. */
void aec_gemm(int64_t m0, int64_t m1, int64_t N, int64_t K,
              const float *A, int64_t lda, const float *B, int64_t ldb, int transB,
              float *C, int64_t ldc, int accumulate, const float *bias, int act,
              const float *dact_y, int64_t lddy, int dact);

/* Inference with bf16 weights (`aec build --weights bf16`, issue 13.4), rows
 * [m0, m1) of C: C[i][j] = act(A[i][0:K] . B[0:K][j] + (bias ? bias[j] : 0))
 * with B [K][N] as bf16 pairs along K (aec_bf16_pack): word Bp[(k/2)*ldb + j]
 * holds B[k][j] in its low half and B[k+1][j] in its high half (k even; 0
 * past K). Each weight is widened to float exactly (a shift or a mask), so
 * the result is aec_gemm's on the bf16-rounded weights, up to summation
 * order; one-row ranges sum as aec_gemm's GEMV does (the same column panels:
 * a range of columns starting at a multiple of aec_gemv_panel() gives the
 * same bits). Same splitting rule as aec_gemm. */
void aec_gemm_bf16(int64_t m0, int64_t m1, int64_t N, int64_t K, const float *A, int64_t lda,
                   const uint32_t *Bp, int64_t ldb, float *C, int64_t ldc, const float *bias,
                   int act);

/* The bf16 pairs of a [K][N] float matrix for aec_gemm_bf16: (K+1)/2 rows of N
 * words; every value rounded to nearest even (a NaN stays a quiet NaN). */
void aec_bf16_pack(int64_t K, int64_t N, const float *w, uint32_t *out);

/* Weight gradient, rows [k0, k1) of C ([K][N]):
 *   C[k][j] = (accumulate ? C[k][j] : 0) + scale * sum_{i<M} A[i][k] * B[i][j]
 * (A is [M][K], B is [M][N]; M is the batch row count, a runtime value).
 * Uses up to 64 KB of stack for packed panels of A^T and B. */
void aec_gemm_tn(int64_t k0, int64_t k1, int64_t N, int64_t M,
                 const float *A, int64_t lda, const float *B, int64_t ldb,
                 float *C, int64_t ldc, float scale, int accumulate);

/* Bias gradient over columns [j0, j1):
 *   db[j] = (accumulate ? db[j] : 0) + scale * sum_{i<M} dZ[i][j]. */
void aec_colsum(int64_t j0, int64_t j1, int64_t M, const float *dZ, int64_t ldz,
                float *db, float scale, int accumulate);

/* Elementwise over [b, e): y = act(x); dx = dy * act'(y). In place is allowed
 * (y == x, dx == dy). */
void aec_act_forward(int64_t b, int64_t e, const float *x, float *y, int act);
void aec_act_backward(int64_t b, int64_t e, const float *y, const float *dy, float *dx, int act);

/* Input noise over element indices [b, e) of a batch buffer (out[i] from x[i]),
 * deterministic per (seed, i) whatever the split:
 *   kind 0 none (copy), 1 gaussian (x + amount*N(0,1)), 2 mask (zero with
 *   probability amount), 3 saltpepper (with probability amount set to lo or
 *   hi, 50/50). Counter-based RNG (splitmix64 of seed and index); the normal
 *   deviate is sqrt(2)*erfinv(2u-1) (Giles' single-precision erfinv). */
void aec_noise(int64_t b, int64_t e, const float *x, float *out, int kind, float amount,
               float lo, float hi, uint64_t seed);

/* Inverted dropout over [b, e) (issue 7): y = 0 where the RNG's uniform for
 * (seed, i) is < p, else x/(1-p); the same call on dy gives dx. In place is
 * allowed. */
void aec_dropout(int64_t b, int64_t e, const float *x, float *y, float p, uint64_t seed);

/* Reconstruction loss for rows [r0, r1) of width D: y = output activation
 * values, x = clean target.
 *   kind 0 mse: per-row loss mean((y-x)^2); dZ = dscale * 2(y-x)/D * act'(y)
 *     (act = out_act, the output activation; 0 for linear).
 *   kind 1 bce (y is the sigmoid output; computed stably from the logits z if
 *     z != NULL, as max(z,0) - x z - log(z >= 0 ? y : 1-y), which needs y to
 *     be sigmoid(z) and has no exp or division; else from y clamped to
 *     [1e-7, 1-1e-7]):
 *     per-row mean(-(x log y + (1-x) log(1-y))); dZ (w.r.t. the pre-sigmoid
 *     logits) = dscale * (y - x)/D.
 * dZ may be NULL (evaluation only). Returns the sum over rows of the per-row
 * losses; writes per-row losses to row_loss[r] (indexed by the absolute row r)
 * if row_loss != NULL. All of y, z, x, dZ have row stride D; dZ may alias y
 * or z. A NaN anywhere in y (or z) makes the result NaN. */
double aec_loss(int64_t r0, int64_t r1, int64_t D, const float *y, const float *z,
                const float *x, float *dZ, int kind, int out_act, float dscale,
                float *row_loss);

/* Sparsity on the code (rows [0, M) x width C, row stride C). Both return the
 * penalty per sample (the caller adds M times it to a per-batch sum).
 *   l1: penalty w * mean_rows(sum_j |c|); dC += dscale * w * sign(c).
 *   kl (code in (0,1), e.g. sigmoid): rho_hat_j = mean_i c[i][j] clamped to
 *     [1e-6, 1-1e-6]; penalty w * sum_j KL(rho || rho_hat_j);
 *     dC[i][j] += dscale * w * (-rho/rho_hat_j + (1-rho)/(1-rho_hat_j)).
 *     scratch: C floats. dC may be NULL (penalty only). */
double aec_sparsity_l1(int64_t M, int64_t C, const float *c, float *dC, float w, float dscale);
double aec_sparsity_kl(int64_t M, int64_t C, const float *c, float *dC, float rho, float w,
                       float dscale, float *scratch);

/* Fused optimizer over parameter elements [b, e); zeroes grad.
 *   g = grad + l2*p;
 *   adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *         p -= lr * (m / (1-b1^step)) / (sqrt(v / (1-b2^step)) + eps)   (step >= 1)
 *   sgd:  momentum != 0: vel = momentum*vel + g; p -= lr*vel
 *         momentum == 0: p -= lr*g (vel unused, may be NULL). */
void aec_adam(int64_t b, int64_t e, float *p, float *g, float *m, float *v, float lr,
              float beta1, float beta2, float eps, float l2, int64_t step);
void aec_sgd(int64_t b, int64_t e, float *p, float *g, float *vel, float lr, float momentum,
             float l2);

#endif /* AEC_KERNELS_STATIC */

/* Names of every entry point above, NULL-terminated (for the loader/tests). */
#define AEC_KERNEL_ENTRY_POINTS                                                          \
  "aec_gemm", "aec_gemm_tn", "aec_colsum", "aec_act_forward", "aec_act_backward",        \
      "aec_noise", "aec_loss", "aec_sparsity_l1", "aec_sparsity_kl", "aec_adam", "aec_sgd", \
      "aec_dropout", "aec_gemm_bf16", "aec_bf16_pack"

#ifdef __cplusplus
}
#endif

#endif
