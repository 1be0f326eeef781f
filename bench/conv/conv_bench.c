/* Convolution kernel benchmark: the conv / pool kernels of one training step of
 * examples/fashion_conv.ae at batch 128, specialized like the code generator does
 * (kernel sources included always_inline, shapes as literals, clang-19 -O3 -march=native).
 * One thread, the calling thread's CPU time (best of 15 runs): the machine is shared.
 *   bench/conv/run.sh */
#include "../kernel_bench.h"
#include "../../compiler/kernels/aec_conv_forward.c"
#include "../../compiler/kernels/aec_conv_backward_data.c"
#include "../../compiler/kernels/aec_conv_weight_grad.c"
#include "../../compiler/kernels/aec_pool.c"
#include "../../compiler/kernels/aec_conv_phases.c"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 128
static float *X, *Wt, *B, *Y, *DY, *DX, *DW, *DB, *S, *YP;
static uint8_t *ARG; /* the fused max pool's argmax */

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define CONV(NAME, CI, H, W, CO)                                                              \
  static __attribute__((noinline)) void fwd_##NAME(void) {                                    \
    aec_conv_forward(0, N, CI, H, W, CO, 3, 3, 1, 1, X, Wt, B, Y, 1, 1, 1, S);                \
  }                                                                                           \
  static __attribute__((noinline)) void bwd_##NAME(void) {                                    \
    aec_conv_backward_data(0, N, CI, H, W, CO, 3, 3, 1, 1, DY, Wt, DX, YP, 1, 1, 1, S);       \
  }                                                                                           \
  static __attribute__((noinline)) void wg_##NAME(void) {                                     \
    const int64_t G = aec_conv_wg_groups(CI, CO);                                             \
    aec_conv_backward_filter(0, CO * G, G, N, CI, H, W, CO, 3, 3, 1, 1, X, DY, DW, DB, 1, 1, 1, \
                             YP, S);                                                          \
  }
/* Upsample 2 + conv as the decoder runs them: per output phase at the
 * input's resolution (H x W: the upsample's input). */
#define UPCONV(NAME, CI, H, W, CO)                                                            \
  static __attribute__((noinline)) void fwd_##NAME(void) {                                    \
    aec_upconv_forward(0, N, CI, H, W, CO, X, Wt, B, Y, 1, S);                                \
  }                                                                                           \
  static __attribute__((noinline)) void bwd_##NAME(void) {                                    \
    aec_upconv_backward_data(0, N, CI, H, W, CO, DY, Wt, DX, YP, 1, S);                       \
  }                                                                                           \
  static __attribute__((noinline)) void wg_##NAME(void) {                                     \
    const int64_t G = aec_conv_wg_groups(CI, CO);                                             \
    aec_upconv_backward_filter(0, CO * G, G, N, CI, H, W, CO, X, DY, DW, DB, 1, YP, S);       \
  }
CONV(enc1, 1, 28, 28, 16)
CONV(enc3, 16, 14, 14, 8)
CONV(dec2, 8, 14, 14, 16)
CONV(dec4, 16, 28, 28, 1)
UPCONV(dec2up, 8, 7, 7, 16)
UPCONV(dec4up, 16, 14, 14, 1)

static __attribute__((noinline)) void maxpool_fwd(void) { aec_pool_forward(0, N, 16, 28, 28, 2, 2, 0, X, Y); }
static __attribute__((noinline)) void maxpool_bwd(void) {
  aec_pool_backward(0, N, 16, 28, 28, 2, 2, 0, DY, X, Y, DX, X, 1); /* relu' of x, as fused */
}
static __attribute__((noinline)) void up_fwd(void) { aec_pool_forward(0, N, 16, 14, 14, 2, 2, 2, X, Y); }
static __attribute__((noinline)) void up_bwd(void) {
  aec_pool_backward(0, N, 16, 14, 14, 2, 2, 2, DY, X, Y, DX, YP, 1);
}

/* enc1 + enc2 fused (conv, relu and maxpool in one pass; the pool's backward
 * in the weight gradient), against conv + pool and pool_grad + weight grad. */
static __attribute__((noinline)) void cp_fwd(void) {
  aec_conv_maxpool_forward(0, N, 1, 28, 28, 16, 3, 3, X, Wt, B, Y, 0, ARG, 1, S);
}
/* enc3 + enc4: the unpooled output too (its pool_grad stays), against conv + pool. */
static __attribute__((noinline)) void cp3_fwd(void) {
  aec_conv_maxpool_forward(0, N, 16, 14, 14, 8, 3, 3, X, Wt, B, Y, DX, 0, 1, S);
}
static __attribute__((noinline)) void maxpool3_fwd(void) {
  aec_pool_forward(0, N, 8, 14, 14, 2, 2, 0, X, Y);
}
static __attribute__((noinline)) void cp_wg(void) {
  aec_conv_maxpool_backward_filter(0, 16, N, 1, 28, 28, 16, 3, 3, X, DY, Y, ARG, DW, DB, 1, 1, YP,
                                   S);
}

static double best_of(void (*fn)(void)) {
  double best = 1e9;
  fn();
  for (int r = 0; r < 15; ++r) {
    double t = cpu_s();
    fn();
    t = cpu_s() - t;
    if (t < best) best = t;
  }
  return best;
}

static float *buf(size_t n) {
  float *p = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
  for (size_t i = 0; i < n; ++i) p[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.3f;
  return p;
}

int main(void) {
  const size_t big = (size_t)N * 16 * 28 * 28 * 4;
  X = buf(big); Y = buf(big); DY = buf(big); DX = buf(big); YP = buf(big);
  ARG = calloc((size_t)N * 16 * 14 * 14, 1);
  Wt = buf(16 * 16 * 9); B = buf(16); DW = buf(16 * 16 * 9); DB = buf(16);
  S = buf((size_t)N * aec_conv_fwd_slot(16, 16, 28, 28, 3, 3, 1, 1) * 2);
  printf("conv kernels, batch %d, one thread, AEC_VW=%d: ms and GFLOP/s (2*MACs)\n", N, AEC_VW);
  printf("%-6s %16s %16s %16s\n", "layer", "forward", "input grad", "weight grad");
  double total = 0, flops = 0;
/* GFLOP/s from the formula's FLOPs (2 x 9 MACs per output and input channel) */
#define ROW(NAME, CI, H, W, CO)                                                               \
  do {                                                                                        \
    const double f = 2.0 * N * CI * H * W * CO * 9;                                           \
    double a = best_of(fwd_##NAME), b = best_of(bwd_##NAME), c = best_of(wg_##NAME);          \
    printf("%-6s %7.3f %6.1f   %7.3f %6.1f   %7.3f %6.1f\n", #NAME, a * 1e3, f / a * 1e-9,    \
           b * 1e3, f / b * 1e-9, c * 1e3, f / c * 1e-9);                                     \
    total += a + c + (CI > 1 ? b : 0);                                                        \
    flops += f * (CI > 1 ? 3 : 2);                                                            \
  } while (0)
  ROW(enc1, 1, 28, 28, 16);
  ROW(enc3, 16, 14, 14, 8);
  /* the decoder convs at full resolution, for comparison (not in the step) */
  const double enc_total = total, enc_flops = flops;
  ROW(dec2, 8, 14, 14, 16);
  ROW(dec4, 16, 28, 28, 1);
  total = enc_total, flops = enc_flops;
  printf("the decoder's upsample + conv per output phase (GFLOP/s of the formula's FLOPs):\n");
  ROW(dec2up, 8, 14, 14, 16);
  ROW(dec4up, 16, 28, 28, 1);
  double p[4] = {best_of(maxpool_fwd), best_of(maxpool_bwd), best_of(up_fwd), best_of(up_bwd)};
  printf("pool 16x28x28 (ms): maxpool fwd %.3f bwd %.3f; upsample 16x14x14: fwd %.3f bwd %.3f\n",
         p[0] * 1e3, p[1] * 1e3, p[2] * 1e3, p[3] * 1e3);
  const double cp[2] = {best_of(cp_fwd), best_of(cp_wg)};
  printf("enc1+enc2 fused (ms): conv+maxpool fwd %.3f (unfused %.3f), maxpool bwd + weight grad"
         " %.3f (unfused %.3f)\n", cp[0] * 1e3, (best_of(fwd_enc1) + p[0]) * 1e3, cp[1] * 1e3,
         (best_of(wg_enc1) + p[1]) * 1e3);
  printf("enc3+enc4 fused (ms): conv+maxpool fwd %.3f (unfused %.3f)\n", best_of(cp3_fwd) * 1e3,
         (best_of(fwd_enc3) + best_of(maxpool3_fwd)) * 1e3);
  double pools = p[0] + p[1] + p[2] + p[3];
  printf("conv step: %.3f ms conv + %.3f ms pool (maxpool x2, upsample x2 counted once) per batch"
         " = %.1f GFLOP/s conv-only, %.1f with pools\n", total * 1e3, pools * 1e3,
         flops / total * 1e-9, flops / (total + pools) * 1e-9);
  return 0;
}
