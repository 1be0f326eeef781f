// int8 inference kernels (issue 13.4) at every vector width: aec_int8_pack's
// per-column scales, quads and sums; aec_gemm_int8 within the quantization
// bound of the exact (float64) product, whatever the row count, bit-identical
// under any row or column split and between its two dot products (vpdpbusd
// where this CPU has VNNI, pmaddwd), NaN confined to its row or column.
#ifdef AEC_HAVE_KERNEL_LIBRARY

#include "compiler/kernels/aec_kernel_table.h"
#include "compiler/kernels/aec_tiles.h"
#include "test/unit/kernel_tables.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

class Int8 : public aec::test::KernelTableTest {
protected:
  // Whether this CPU runs the table's vpdpbusd entry point.
  bool hasVnni() const {
    const int vw = k().vector_width;
    if (vw == 16) return __builtin_cpu_supports("avx512vnni");
    if (vw == 8) return __builtin_cpu_supports("avxvnni");
    return true; // width 4: the same function
  }
};

AEC_AT_EVERY_KERNEL_WIDTH(Int8);

int64_t words(int64_t K, int64_t N) { return ((K + 3) / 4 + 2) * N; }
int8_t quad(const std::vector<uint32_t> &p, int64_t N, int64_t k, int64_t j) {
  return static_cast<int8_t>(p[k / 4 * N + j] >> (8 * (k % 4)));
}
float scaleOf(const std::vector<uint32_t> &p, int64_t K, int64_t N, int64_t j) {
  float s;
  std::memcpy(&s, &p[(K + 3) / 4 * N + j], 4);
  return s;
}
int32_t sumOf(const std::vector<uint32_t> &p, int64_t K, int64_t N, int64_t j) {
  return static_cast<int32_t>(p[((K + 3) / 4 + 1) * N + j]);
}

TEST_P(Int8, PackScalesRoundsAndSums) {
  // Column 0: max |w| 2.54 -> scale 0.02; 1.27 -> 63.5 rounds away to 64,
  // -0.01 -> -0.5 to -1. Column 1 all zero. Column 2 holds a NaN.
  const int64_t K = 5, N = 3;
  const std::vector<float> w = {2.54f, 0, 1,   1.27f, 0, 2,  -0.01f, 0, NAN,
                                -2.54f, 0, 3, 0.0f, 0, 4};
  std::vector<uint32_t> p(words(K, N), 0xdeadbeefu);
  k().int8_pack(K, N, w.data(), p.data());
  EXPECT_FLOAT_EQ(scaleOf(p, K, N, 0), 2.54f / 127);
  EXPECT_EQ(quad(p, N, 0, 0), 127);
  EXPECT_EQ(quad(p, N, 1, 0), 64);
  EXPECT_EQ(quad(p, N, 2, 0), -1);
  EXPECT_EQ(quad(p, N, 3, 0), -127);
  EXPECT_EQ(quad(p, N, 4, 0), 0);
  EXPECT_EQ(p[1 * N + 0] >> 8, 0u) << "bytes past K are zero";
  EXPECT_EQ(sumOf(p, K, N, 0), 127 + 64 - 1 - 127);
  EXPECT_EQ(scaleOf(p, K, N, 1), 0.0f);
  EXPECT_EQ(sumOf(p, K, N, 1), 0);
  EXPECT_TRUE(std::isnan(scaleOf(p, K, N, 2)));
  // Random weights: every quad within half a step of w / scale.
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-3, 3);
  const int64_t K2 = 301, N2 = 37;
  std::vector<float> r(K2 * N2);
  for (float &x : r) x = u(rng);
  std::vector<uint32_t> q(words(K2, N2));
  k().int8_pack(K2, N2, r.data(), q.data());
  for (int64_t j = 0; j < N2; ++j) {
    float m = 0;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < K2; ++kk) m = std::max(m, std::fabs(r[kk * N2 + j]));
    ASSERT_EQ(scaleOf(q, K2, N2, j), m / 127.0f);
    for (int64_t kk = 0; kk < K2; ++kk) {
      const double exact = r[kk * N2 + j] / double(scaleOf(q, K2, N2, j));
      ASSERT_LE(std::fabs(quad(q, N2, kk, j) - exact), 0.5 + 1e-4) << kk << "," << j;
      sum += quad(q, N2, kk, j);
    }
    ASSERT_EQ(sumOf(q, K2, N2, j), sum);
  }
}

struct Case {
  int64_t K, N;
  float lo, hi; // the range of A (all of one sign, or both)
};

TEST_P(Int8, GemmWithinTheQuantizationBoundSplitsAndPaths) {
  std::mt19937 rng(17);
  const int vw = k().vector_width;
  for (Case c : {Case{784, 512, 0, 1}, Case{301, 130, -1, 1}, Case{7, 5, -2, -0.5f},
                 Case{32, 16 * vw + 5, -0.25f, 3}}) {
    const int64_t K = c.K, N = c.N, M = 11;
    std::uniform_real_distribution<float> ua(c.lo, c.hi), uw(-1, 1);
    std::vector<float> A(M * K), W(K * N), bias(N);
    for (float &x : A) x = ua(rng);
    for (float &x : W) x = uw(rng);
    for (float &x : bias) x = uw(rng);
    std::vector<uint32_t> Bq(words(K, N));
    k().int8_pack(K, N, W.data(), Bq.data());
    for (int64_t rows : {int64_t{1}, int64_t{3}, M}) {
      std::vector<float> C(rows * N, 99.0f), F(rows * N);
      k().gemm_int8(0, rows, N, K, A.data(), K, Bq.data(), N, C.data(), N, bias.data(), 0);
      k().gemm(0, rows, N, K, A.data(), K, W.data(), N, 0, F.data(), N, 0, bias.data(), 0,
               nullptr, 0, 0);
      double maxDiff = 0;
      for (int64_t i = 0; i < rows; ++i) {
        float lo = 0, hi = 0;
        for (int64_t kk = 0; kk < K; ++kk) {
          lo = std::min(lo, A[i * K + kk]);
          hi = std::max(hi, A[i * K + kk]);
        }
        const double sa = (double(hi) - lo) / 255;
        for (int64_t j = 0; j < N; ++j) {
          const double sw = scaleOf(Bq, K, N, j);
          double ref = bias[j], bound = 0, mag = std::fabs(bias[j]);
          for (int64_t kk = 0; kk < K; ++kk) {
            const double a = A[i * K + kk], w = W[kk * N + j];
            ref += a * w;
            // |a - â| <= sa/2, |w - ŵ| <= sw/2 (plus the float rounding of both)
            bound += std::fabs(a) * sw / 2 + std::fabs(w) * sa / 2 + sa * sw / 4;
            mag += std::fabs(a * w);
          }
          const double err = std::fabs(C[i * N + j] - ref);
          ASSERT_LE(err, 1.001 * bound + 1e-5 * mag)
              << "K=" << K << " N=" << N << " row " << i << " col " << j;
          maxDiff = std::max(maxDiff, std::fabs(double(C[i * N + j]) - F[i * N + j]));
        }
      }
      EXPECT_GT(maxDiff, 1e-5) << "int8 weights actually used (K=" << K << ")";
      // The other entry point, any row split, any column split: same bits.
      std::vector<float> S(rows * N, 99.0f);
      if (hasVnni()) {
        k().gemm_int8_vnni(0, rows, N, K, A.data(), K, Bq.data(), N, S.data(), N, bias.data(), 0);
        ASSERT_EQ(0, std::memcmp(S.data(), C.data(), S.size() * sizeof(float))) << "vnni";
      }
      std::fill(S.begin(), S.end(), 99.0f);
      const int64_t m = rows / 2, j0 = N / 3;
      for (auto [r0, r1] : {std::pair{int64_t{0}, m}, std::pair{m, rows}}) {
        k().gemm_int8(r0, r1, j0, K, A.data(), K, Bq.data(), N, S.data(), N, bias.data(), 0);
        k().gemm_int8(r0, r1, N - j0, K, A.data(), K, Bq.data() + j0, N, S.data() + j0, N,
                      bias.data() + j0, 0);
      }
      ASSERT_EQ(0, std::memcmp(S.data(), C.data(), S.size() * sizeof(float))) << "split";
    }
  }
}

TEST_P(Int8, ActivationZerosAndNaN) {
  const int64_t K = 40, N = 3 * k().vector_width + 1;
  std::mt19937 rng(23);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> A(4 * K), W(K * N), bias(N);
  for (float &x : A) x = u(rng);
  for (float &x : W) x = u(rng);
  for (float &x : bias) x = u(rng);
  std::fill(A.begin() + K, A.begin() + 2 * K, 0.0f); // row 1: all zero
  A[2 * K + 7] = NAN;                                // row 2: one NaN
  A[3 * K + 3] = -INFINITY;                          // row 3: one -inf
  std::vector<uint32_t> Bq(words(K, N));
  k().int8_pack(K, N, W.data(), Bq.data());
  const int relu = 1; // AEC_K_RELU (activations.def)
  std::vector<float> lin(4 * N), act(4 * N);
  k().gemm_int8(0, 4, N, K, A.data(), K, Bq.data(), N, lin.data(), N, bias.data(), 0);
  k().gemm_int8(0, 4, N, K, A.data(), K, Bq.data(), N, act.data(), N, bias.data(), relu);
  for (int64_t j = 0; j < N; ++j) {
    EXPECT_EQ(act[j], lin[j] < 0 ? 0.0f : lin[j]) << j;
    EXPECT_EQ(lin[N + j], bias[j]) << "a zero row gives the bias";
    EXPECT_TRUE(std::isnan(lin[2 * N + j])) << "a NaN input poisons its row";
    EXPECT_TRUE(std::isnan(lin[3 * N + j])) << "so does an infinite one";
  }
  // A NaN weight poisons its column only.
  W[5 * N + 2] = NAN;
  k().int8_pack(K, N, W.data(), Bq.data());
  k().gemm_int8(0, 1, N, K, A.data(), K, Bq.data(), N, lin.data(), N, bias.data(), 0);
  for (int64_t j = 0; j < N; ++j) EXPECT_EQ(std::isnan(lin[j]), j == 2) << j;
}

} // namespace

#endif // AEC_HAVE_KERNEL_LIBRARY
