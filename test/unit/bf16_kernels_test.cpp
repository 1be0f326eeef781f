// bf16 inference kernels (issue 13.4) at every vector width: aec_bf16_pack
// rounds to nearest even, and aec_gemm_bf16 computes the GEMM of the
// bf16-rounded weights (float64 reference) whatever the row count (GEMV, few
// rows, blocked), bit-identical when its rows are split at row tiles or its
// columns at GEMV panels, as the code generator splits them over threads.
#ifdef AEC_HAVE_KERNEL_LIBRARY

#include "compiler/kernels/aec_kernel_table.h"
#include "compiler/kernels/aec_tiles.h"
#include "test/unit/kernel_tables.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

class Bf16 : public aec::test::KernelTableTest {};

AEC_AT_EVERY_KERNEL_WIDTH(Bf16);

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// The bf16 value of w, independently of the kernel: the nearest of the two
// neighbouring bf16 values in double, ties to the even one.
double bf16Ref(float w) {
  const uint32_t u = bitsOf(w);
  const double lo = fromBits(u & 0xffff0000u), hi = fromBits((u & 0xffff0000u) + 0x10000u);
  const double dl = std::fabs(w - lo), dh = std::fabs(hi - w);
  if (dl != dh) return dl < dh ? lo : hi;
  return ((u >> 16) & 1) ? hi : lo;
}

TEST_P(Bf16, PackRoundsToNearestEven) {
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: to 1 (even); 1 + 3·2^-8 to
  // 1 + 2^-6 (even); just above halfway rounds up.
  const std::vector<float> w = {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 1.0f + 0x1p-8f + 0x1p-20f,
                                -2.5f,          INFINITY,          NAN,
                                FLT_MAX /* rounds up past bf16's largest: inf */};
  const int64_t K = static_cast<int64_t>(w.size());
  std::vector<uint32_t> out((K + 1) / 2, 0xdeadbeefu);
  k().bf16_pack(K, 1, w.data(), out.data());
  auto at = [&](int64_t i) { return fromBits((out[i / 2] >> (i % 2 ? 16 : 0)) << 16); };
  EXPECT_EQ(at(0), 1.0f);
  EXPECT_EQ(at(1), 1.0f + 0x1p-6f);
  EXPECT_EQ(at(2), 1.0f + 0x1p-7f);
  EXPECT_EQ(at(3), -2.5f);
  EXPECT_EQ(at(4), INFINITY);
  EXPECT_TRUE(std::isnan(at(5)));
  EXPECT_EQ(at(6), INFINITY);
  EXPECT_EQ(out.back() >> 16, 0u) << "the padding half of an odd K is zero";
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-4, 4);
  std::vector<float> r(1001);
  for (float &x : r) x = u(rng);
  std::vector<uint32_t> pr(501);
  k().bf16_pack(1001, 1, r.data(), pr.data());
  for (int64_t i = 0; i < 1001; ++i)
    ASSERT_EQ(fromBits((pr[i / 2] >> (i % 2 ? 16 : 0)) << 16), bf16Ref(r[i])) << r[i];
}

struct Case {
  int64_t K, N;
};

TEST_P(Bf16, GemmMatchesTheRoundedWeightsAndSplits) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  const int vw = k().vector_width, tile = aec_gemm_row_tile(vw), panel = aec_gemv_panel(vw);
  for (Case c : {Case{301, 130}, Case{784, 512}, Case{7, 5}, Case{32, 3 * panel + 5}}) {
    const int64_t K = c.K, N = c.N, M = 2 * tile + 3;
    std::vector<float> A(M * K), W(K * N), bias(N);
    for (float &x : A) x = u(rng);
    for (float &x : W) x = u(rng);
    for (float &x : bias) x = u(rng);
    std::vector<uint32_t> Bp((K + 1) / 2 * N);
    k().bf16_pack(K, N, W.data(), Bp.data());
    for (int64_t rows : {int64_t{1}, int64_t{3}, M}) {
      std::vector<float> C(rows * N, 99.0f), F(rows * N);
      k().gemm_bf16(0, rows, N, K, A.data(), K, Bp.data(), N, C.data(), N, bias.data(), 0);
      k().gemm(0, rows, N, K, A.data(), K, W.data(), N, 0, F.data(), N, 0, bias.data(), 0,
               nullptr, 0, 0);
      double maxRounded = 0, maxF32 = 0;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < N; ++j) {
          double ref = bias[j], scale = std::fabs(bias[j]);
          for (int64_t kk = 0; kk < K; ++kk) {
            ref += double(A[i * K + kk]) * bf16Ref(W[kk * N + j]);
            scale += std::fabs(double(A[i * K + kk]) * W[kk * N + j]);
          }
          // float32 accumulation of K products (recursive summation, |error|
          // <= K·2^-24·Σ|terms|) vs the exact sum
          const double acc = double(K + 1) * 0x1p-24 * scale + 1e-7;
          const double err = std::fabs(C[i * N + j] - ref);
          ASSERT_LE(err, acc) << "K=" << K << " N=" << N << " rows=" << rows;
          maxRounded = std::max(maxRounded, err / (scale + 1e-30));
          maxF32 = std::max(maxF32, std::fabs(C[i * N + j] - F[i * N + j]) / (scale + 1e-30));
          // the weights' rounding bound: |Δw| <= 2^-8 |w|
          ASSERT_LE(std::fabs(C[i * N + j] - F[i * N + j]), 0x1p-8 * scale + 2 * acc);
        }
      if (K >= 32) // bf16 weights actually used: far from the f32 result
        EXPECT_GT(maxF32, 20 * maxRounded) << "K=" << K << " rows=" << rows;
      // Rows split at row tiles, columns (one row) at GEMV panels: same bits.
      std::vector<float> S(rows * N, 99.0f);
      if (rows == 1) {
        for (int64_t j0 = panel; j0 + panel <= N; j0 += panel) {
          std::fill(S.begin(), S.end(), 99.0f);
          k().gemm_bf16(0, 1, N - j0, K, A.data(), K, Bp.data() + j0, N, S.data() + j0, N,
                        bias.data() + j0, 0);
          k().gemm_bf16(0, 1, j0, K, A.data(), K, Bp.data(), N, S.data(), N, bias.data(), 0);
          ASSERT_EQ(0, std::memcmp(S.data(), C.data(), N * sizeof(float))) << "panel " << j0;
        }
      } else if (rows > tile) {
        k().gemm_bf16(tile, rows, N, K, A.data(), K, Bp.data(), N, S.data(), N, bias.data(), 0);
        k().gemm_bf16(0, tile, N, K, A.data(), K, Bp.data(), N, S.data(), N, bias.data(), 0);
        ASSERT_EQ(0, std::memcmp(S.data(), C.data(), S.size() * sizeof(float)));
      }
    }
  }
}

} // namespace

#endif // AEC_HAVE_KERNEL_LIBRARY
