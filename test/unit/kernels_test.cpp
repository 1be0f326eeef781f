// Kernel library tests: every entry point of compiler/kernels (all
// three vector-width variants, compiled natively from the same C sources)
// against plain double-precision reference loops, plus the embedded bitcode.
#ifdef AEC_HAVE_KERNEL_LIBRARY

#include "compiler/kernels/KernelLibrary.h"
#include "compiler/kernels/aec_kernel_table.h"
#include "test/unit/kernel_tables.h"
#include "kernel_jit.h"

#include <gtest/gtest.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Table = aec_kernel_table;

// Documented accuracy of the activation approximations (aec_kernels.h).
constexpr double kSigmoidRelTol = 3e-7;
constexpr double kTanhRelTol = 3e-7;
constexpr double kEluRelTol = 5e-7;
constexpr double kGemmRelTol = 1e-4;

double refAct(double x, int act) {
  switch (act) {
  case 1: return x < 0 ? 0 : x;
  case 2: return x < 0 ? 0.01 * x : x;
  case 3: return 1.0 / (1.0 + std::exp(-x));
  case 4: return std::tanh(x);
  case 5: return x > 0 ? x : std::expm1(x);
  default: return x;
  }
}

double refDact(double y, int act) {
  switch (act) {
  case 1: return y > 0 ? 1 : 0;
  case 2: return y > 0 ? 1 : 0.01;
  case 3: return y * (1 - y);
  case 4: return 1 - y * y;
  case 5: return y > 0 ? 1 : y + 1;
  default: return 1;
  }
}

// A plausible activation output for derivative inputs of kind `act`.
float sampleY(std::mt19937 &rng, int act) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  switch (act) {
  case 3: return u(rng);
  case 4: return 2 * u(rng) - 1;
  case 5: return 3 * u(rng) - 1;
  default: return 2 * u(rng) - 1;
  }
}

std::vector<float> randomVec(std::mt19937 &rng, size_t n, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = u(rng);
  return v;
}

class Kernels : public aec::test::KernelTableTest {};

AEC_AT_EVERY_KERNEL_WIDTH(Kernels);

// ---- GEMM ------------------------------------------------------------------

struct GemmCase {
  int64_t M, N, K;
  int transB, accumulate, withBias, act, dact; // dact < 0: no derivative
};

void checkGemm(const Table &t, const GemmCase &c, std::mt19937 &rng) {
  const int64_t lda = c.K + 3, ldc = c.N + 5, lddy = c.N + 1;
  const int64_t ldb = c.transB ? c.K + 2 : c.N + 7;
  auto A = randomVec(rng, c.M * lda);
  auto B = randomVec(rng, (c.transB ? c.N : c.K) * ldb);
  auto bias = randomVec(rng, c.N);
  auto C0 = randomVec(rng, c.M * ldc);
  std::vector<float> Y(c.M * lddy);
  for (float &y : Y)
    y = sampleY(rng, c.dact < 0 ? 0 : c.dact);
  std::vector<float> C = C0;
  // Split the rows at awkward places: mid micro-tile.
  std::vector<int64_t> cuts = {0, std::min<int64_t>(c.M, 5), std::min<int64_t>(c.M, 11), c.M};
  for (size_t s = 0; s + 1 < cuts.size(); ++s)
    t.gemm(cuts[s], cuts[s + 1], c.N, c.K, A.data(), lda, B.data(), ldb, c.transB, C.data(), ldc,
           c.accumulate, c.withBias ? bias.data() : nullptr, c.act,
           c.dact >= 0 ? Y.data() : nullptr, lddy, c.dact < 0 ? 0 : c.dact);
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t j = 0; j < c.N; ++j) {
      double s = 0, sabs = 0;
      for (int64_t kk = 0; kk < c.K; ++kk) {
        double b = c.transB ? B[j * ldb + kk] : B[kk * ldb + j];
        s += (double)A[i * lda + kk] * b;
        sabs += std::fabs((double)A[i * lda + kk] * b);
      }
      double v = (c.accumulate ? C0[i * ldc + j] : 0.0) + s + (c.withBias ? bias[j] : 0.0);
      sabs += 2;
      v = refAct(v, c.act);
      if (c.dact >= 0)
        v *= refDact(Y[i * lddy + j], c.dact);
      double got = C[i * ldc + j];
      ASSERT_NEAR(got, v, kGemmRelTol * sabs)
          << "M=" << c.M << " N=" << c.N << " K=" << c.K << " transB=" << c.transB
          << " acc=" << c.accumulate << " act=" << c.act << " dact=" << c.dact << " at (" << i
          << "," << j << ")";
    }
    // Padding columns untouched.
    for (int64_t j = c.N; j < ldc; ++j)
      ASSERT_EQ(C[i * ldc + j], C0[i * ldc + j]) << "wrote past N at row " << i;
  }
}

const int64_t kShapes[][3] = {{1, 1, 1},    {1, 5, 3},     {7, 3, 17},   {13, 33, 19},
                              {6, 16, 8},   {25, 49, 70},  {3, 64, 300}, {17, 100, 513},
                              {9, 48, 32},  {30, 129, 7},  {12, 784, 9}, {2, 17, 1000},
                              {1, 200, 300}, {4, 70, 301}};

TEST_P(Kernels, GemmAllFormsAndEpilogues) {
  std::mt19937 rng(1);
  for (auto &s : kShapes) {
    for (int transB = 0; transB < 2; ++transB) {
      for (int act = 0; act < 6; ++act)
        checkGemm(k(), {s[0], s[1], s[2], transB, act % 2, 1, act, -1}, rng);
      for (int dact = 0; dact < 6; ++dact)
        checkGemm(k(), {s[0], s[1], s[2], transB, dact % 2, 0, 0, dact}, rng);
      if (HasFatalFailure())
        return;
    }
  }
}

TEST_P(Kernels, GemmTrainingShapes) {
  std::mt19937 rng(2);
  const int64_t dims[] = {784, 512, 128, 32};
  for (int l = 0; l < 3; ++l) {
    int64_t in = dims[l], out = dims[l + 1];
    checkGemm(k(), {64, out, in, 0, 0, 1, 1, -1}, rng);  // forward
    checkGemm(k(), {64, in, out, 1, 0, 0, 0, 1}, rng);   // input gradient
    checkGemm(k(), {64, in, out, 0, 0, 1, 3, -1}, rng);  // decoder forward
  }
}

void checkGemmTn(const Table &t, int64_t M, int64_t K, int64_t N, int accumulate,
                 std::mt19937 &rng) {
  const int64_t lda = K + 1, ldb = N + 3, ldc = N + 2;
  auto A = randomVec(rng, M * lda), B = randomVec(rng, M * ldb), C0 = randomVec(rng, K * ldc);
  auto C = C0;
  const float scale = 0.37f;
  std::vector<int64_t> cuts = {0, std::min<int64_t>(K, 3), std::min<int64_t>(K, 10), K};
  for (size_t s = 0; s + 1 < cuts.size(); ++s)
    t.gemm_tn(cuts[s], cuts[s + 1], N, M, A.data(), lda, B.data(), ldb, C.data(), ldc, scale,
              accumulate);
  for (int64_t kk = 0; kk < K; ++kk) {
    for (int64_t j = 0; j < N; ++j) {
      double s = 0, sabs = 0;
      for (int64_t i = 0; i < M; ++i) {
        s += (double)A[i * lda + kk] * B[i * ldb + j];
        sabs += std::fabs((double)A[i * lda + kk] * B[i * ldb + j]);
      }
      double want = (accumulate ? C0[kk * ldc + j] : 0.0) + scale * s;
      ASSERT_NEAR(C[kk * ldc + j], want, kGemmRelTol * (scale * sabs + 1))
          << "M=" << M << " K=" << K << " N=" << N << " at (" << kk << "," << j << ")";
    }
    for (int64_t j = N; j < ldc; ++j)
      ASSERT_EQ(C[kk * ldc + j], C0[kk * ldc + j]);
  }
}

TEST_P(Kernels, GemmTn) {
  std::mt19937 rng(3);
  const int64_t shapes[][3] = {{1, 1, 1},   {5, 3, 7},     {256, 32, 128}, {17, 13, 33},
                               {300, 9, 49}, {3, 70, 100}, {64, 128, 32},  {1000, 6, 16},
                               {2, 1, 784}};
  for (auto &s : shapes)
    for (int acc = 0; acc < 2; ++acc) {
      checkGemmTn(k(), s[0], s[1], s[2], acc, rng);
      if (HasFatalFailure())
        return;
    }
}

TEST_P(Kernels, GemmTnEmptyBatch) {
  std::vector<float> C(12, 7.0f);
  k().gemm_tn(0, 3, 4, 0, nullptr, 3, nullptr, 4, C.data(), 4, 0.5f, 1);
  EXPECT_EQ(C, std::vector<float>(12, 7.0f));
  k().gemm_tn(1, 3, 4, 0, nullptr, 3, nullptr, 4, C.data(), 4, 0.5f, 0);
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(C[i], i < 4 ? 7.0f : 0.0f);
}

TEST_P(Kernels, Colsum) {
  std::mt19937 rng(4);
  for (int64_t N : {1, 7, 8, 31, 33, 100, 784}) {
    for (int64_t M : {1, 5, 256}) {
      const int64_t ldz = N + 3;
      auto dZ = randomVec(rng, M * ldz), db0 = randomVec(rng, N + 4);
      for (int acc = 0; acc < 2; ++acc) {
        auto db = db0;
        int64_t cut = N / 3;
        k().colsum(0, cut, M, dZ.data(), ldz, db.data(), 0.5f, acc);
        k().colsum(cut, N, M, dZ.data(), ldz, db.data(), 0.5f, acc);
        for (int64_t j = 0; j < N; ++j) {
          double s = 0;
          for (int64_t i = 0; i < M; ++i)
            s += dZ[i * ldz + j];
          ASSERT_NEAR(db[j], (acc ? db0[j] : 0.0) + 0.5 * s, 1e-5 * (M + 1));
        }
        for (int64_t j = N; j < N + 4; ++j)
          ASSERT_EQ(db[j], db0[j]);
      }
    }
  }
}

// ---- activations -----------------------------------------------------------

TEST_P(Kernels, ActivationAccuracy) {
  std::vector<float> x;
  for (double v = -30; v <= 30; v += 0.00731)
    x.push_back((float)v);
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 1e-4f, -1e-4f, 0.124f, -0.126f,
                  0.624f, 0.626f, -0.6251f, 87.0f, -86.9f, 100.0f, -100.0f})
    x.push_back(v);
  const int64_t n = (int64_t)x.size();
  std::vector<float> y(n);
  double worst[6] = {0, 0, 0, 0, 0, 0};
  for (int act = 0; act < 6; ++act) {
    k().act_forward(0, n, x.data(), y.data(), act);
    for (int64_t i = 0; i < n; ++i) {
      double want = refAct(x[i], act);
      if (act == 3 && x[i] < -80) { // saturated region: absolute check only
        ASSERT_LT(y[i], 1e-30);
        continue;
      }
      double err = want == 0 ? std::fabs(y[i]) : std::fabs(y[i] - want) / std::fabs(want);
      worst[act] = std::max(worst[act], err);
    }
  }
  std::printf("vw%d max relative error: leaky %.3g sigmoid %.3g tanh %.3g elu %.3g\n",
              k().vector_width, worst[2], worst[3], worst[4], worst[5]);
  EXPECT_EQ(worst[0], 0);
  EXPECT_EQ(worst[1], 0);
  EXPECT_LE(worst[2], 1e-7);
  EXPECT_LE(worst[3], kSigmoidRelTol);
  EXPECT_LE(worst[4], kTanhRelTol);
  EXPECT_LE(worst[5], kEluRelTol);
  // NaN propagates through every activation.
  std::vector<float> nan(13, std::numeric_limits<float>::quiet_NaN()), out(13);
  for (int act = 0; act < 6; ++act) {
    k().act_forward(0, 13, nan.data(), out.data(), act);
    for (float v : out)
      EXPECT_TRUE(std::isnan(v)) << "act " << act;
  }
}

TEST_P(Kernels, ActivationBackwardAndSplits) {
  std::mt19937 rng(5);
  const int64_t n = 1001;
  for (int act = 0; act < 6; ++act) {
    std::vector<float> y(n), dy = randomVec(rng, n), dx(n, 0), xf = randomVec(rng, n, -4, 4);
    for (float &v : y)
      v = sampleY(rng, act);
    k().act_backward(0, 333, y.data(), dy.data(), dx.data(), act);
    k().act_backward(333, n, y.data(), dy.data(), dx.data(), act);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_NEAR(dx[i], dy[i] * refDact(y[i], act), 1e-6);
    // Forward over a split equals forward over the whole range, bit for bit.
    std::vector<float> a(n), b(n);
    k().act_forward(0, n, xf.data(), a.data(), act);
    k().act_forward(0, 7, xf.data(), b.data(), act);
    k().act_forward(7, 500, xf.data(), b.data(), act);
    k().act_forward(500, n, xf.data(), b.data(), act);
    ASSERT_EQ(a, b);
  }
}

TEST(KernelsVariants, SameResultsAcrossWidths) {
  std::mt19937 rng(6);
  const int64_t n = 777;
  auto x = randomVec(rng, n, -10, 10);
  for (int act = 0; act < 6; ++act) {
    std::vector<float> a(n), b(n), c(n);
    aec_kernel_table_vw4.act_forward(0, n, x.data(), a.data(), act);
    aec_kernel_table_vw8.act_forward(0, n, x.data(), b.data(), act);
    aec_kernel_table_vw16.act_forward(0, n, x.data(), c.data(), act);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NEAR(a[i], b[i], 1e-6 * (std::fabs(a[i]) + 1e-30));
      ASSERT_NEAR(a[i], c[i], 1e-6 * (std::fabs(a[i]) + 1e-30));
    }
  }
}

// ---- loss ------------------------------------------------------------------

double refRowLoss(const float *y, const float *z, const float *x, int64_t D, int kind) {
  double s = 0;
  for (int64_t j = 0; j < D; ++j) {
    if (kind == 0) {
      double d = (double)y[j] - x[j];
      s += d * d;
    } else if (z) {
      double zz = z[j];
      s += std::max(zz, 0.0) - x[j] * zz + std::log1p(std::exp(-std::fabs(zz)));
    } else {
      double yc = std::min(std::max((double)y[j], 1e-7), 1 - 1e-7);
      s += -(x[j] * std::log(yc) + (1 - x[j]) * std::log(1 - yc));
    }
  }
  return s / D;
}

TEST_P(Kernels, LossValuesAndGradients) {
  std::mt19937 rng(7);
  for (int64_t D : {1, 5, 8, 13, 64, 784}) {
    const int64_t R = 21; // [4, R) spans whole and partial blocks of rows (aec_loss's LOSS_ROWS)
    auto x = randomVec(rng, R * D, 0, 1);
    auto z = randomVec(rng, R * D, -6, 6);
    for (int out_act = 0; out_act < 6; ++out_act) {
      std::vector<float> y(R * D);
      for (int64_t i = 0; i < R * D; ++i)
        y[i] = (float)refAct(z[i], out_act);
      for (int kind = 0; kind < 2; ++kind) {
        if (kind == 1 && out_act != 3)
          continue;
        for (int useZ = 0; useZ < 2; ++useZ) {
          if (kind == 0 && useZ)
            continue;
          const float *zp = useZ ? z.data() : nullptr;
          std::vector<float> dZ(R * D, 123.0f), rowLoss(R, -1);
          const float dscale = 0.25f;
          double total = k().loss(0, 4, D, y.data(), zp, x.data(), dZ.data(), kind, out_act, dscale,
                                  rowLoss.data());
          total += k().loss(4, R, D, y.data(), zp, x.data(), dZ.data(), kind, out_act, dscale,
                            rowLoss.data());
          double want = 0;
          for (int64_t r = 0; r < R; ++r) {
            double rl = refRowLoss(&y[r * D], zp ? &z[r * D] : nullptr, &x[r * D], D, kind);
            ASSERT_NEAR(rowLoss[r], rl, 1e-5 * (std::fabs(rl) + 1e-3)) << "D=" << D << " kind=" << kind;
            want += rl;
          }
          ASSERT_NEAR(total, want, 1e-5 * (std::fabs(want) + 1e-3));
          // Without gradient or row outputs: the same total, bit for bit.
          double bare = k().loss(0, 4, D, y.data(), zp, x.data(), nullptr, kind, out_act, dscale,
                                 nullptr);
          bare += k().loss(4, R, D, y.data(), zp, x.data(), nullptr, kind, out_act, dscale, nullptr);
          ASSERT_EQ(bare, total) << "D=" << D << " kind=" << kind;
          // Gradient w.r.t. the pre-activation z, by central differences of
          // the double reference (loss as a function of z).
          for (int64_t idx : {int64_t(0), R * D / 2, R * D - 1}) {
            const double h = 1e-3;
            auto lossAt = [&](double zz) {
              double yy = refAct(zz, out_act);
              int64_t r = idx / D;
              double s = 0;
              for (int64_t j = 0; j < D; ++j) {
                double yj = (r * D + j == idx) ? yy : (double)y[r * D + j];
                double xj = x[r * D + j];
                if (kind == 0)
                  s += (yj - xj) * (yj - xj);
                else
                  s += -(xj * std::log(yj) + (1 - xj) * std::log(1 - yj));
              }
              return dscale * s / D;
            };
            if (out_act == 1 || out_act == 2 || out_act == 5)
              if (std::fabs(z[idx]) < 2 * h)
                continue; // kink
            double fd = (lossAt(z[idx] + h) - lossAt(z[idx] - h)) / (2 * h);
            ASSERT_NEAR(dZ[idx], fd, 2e-3 * std::fabs(fd) + 1e-6)
                << "D=" << D << " kind=" << kind << " act=" << out_act << " idx=" << idx;
          }
        }
      }
    }
  }
}

TEST_P(Kernels, LossNaNIsDetected) {
  const int64_t D = 20;
  std::vector<float> y(D, 0.5f), x(D, 0.25f), z(D, 0.0f);
  y[17] = std::numeric_limits<float>::quiet_NaN();
  z[17] = y[17];
  EXPECT_TRUE(std::isnan(k().loss(0, 1, D, y.data(), nullptr, x.data(), nullptr, 0, 0, 1, nullptr)));
  EXPECT_TRUE(std::isnan(k().loss(0, 1, D, y.data(), nullptr, x.data(), nullptr, 1, 3, 1, nullptr)));
  EXPECT_TRUE(std::isnan(k().loss(0, 1, D, y.data(), z.data(), x.data(), nullptr, 1, 3, 1, nullptr)));
}

// ---- noise -----------------------------------------------------------------

TEST_P(Kernels, NoiseDeterministicAndDistributed) {
  const int64_t n = 1 << 20;
  std::vector<float> x(n, 0.5f);
  for (int kind = 0; kind < 4; ++kind) {
    std::vector<float> a(n), b(n), c(n);
    const float amount = kind == 1 ? 1.0f : 0.3f;
    k().noise(0, n, x.data(), a.data(), kind, amount, -1.0f, 2.0f, 42);
    k().noise(0, 3, x.data(), b.data(), kind, amount, -1.0f, 2.0f, 42);
    k().noise(3, 100001, x.data(), b.data(), kind, amount, -1.0f, 2.0f, 42);
    k().noise(100001, n, x.data(), b.data(), kind, amount, -1.0f, 2.0f, 42);
    ASSERT_EQ(a, b) << "kind " << kind << " depends on the split";
    if (kind == 0) {
      ASSERT_EQ(a, x);
      continue;
    }
    k().noise(0, n, x.data(), c.data(), kind, amount, -1.0f, 2.0f, 43);
    ASSERT_NE(a, c) << "seed ignored";
    if (kind == 1) {
      double s = 0, s2 = 0, below1 = 0;
      for (float v : a) {
        double d = v - 0.5;
        s += d;
        s2 += d * d;
        below1 += d < 1.0;
        ASSERT_TRUE(std::isfinite(v));
      }
      EXPECT_NEAR(s / n, 0.0, 0.005);
      EXPECT_NEAR(std::sqrt(s2 / n), 1.0, 0.005);
      EXPECT_NEAR(below1 / n, 0.841345, 0.002);
    } else if (kind == 2) {
      double zero = std::count(a.begin(), a.end(), 0.0f);
      EXPECT_NEAR(zero / n, 0.3, 0.003);
      EXPECT_EQ(std::count(a.begin(), a.end(), 0.5f) + zero, n);
    } else {
      double lo = std::count(a.begin(), a.end(), -1.0f), hi = std::count(a.begin(), a.end(), 2.0f);
      EXPECT_NEAR(lo / n, 0.15, 0.003);
      EXPECT_NEAR(hi / n, 0.15, 0.003);
      EXPECT_EQ(std::count(a.begin(), a.end(), 0.5f) + lo + hi, n);
    }
  }
  // Same values across vector widths.
  std::vector<float> a(1000), b(1000);
  aec_kernel_table_vw4.noise(0, 1000, x.data(), a.data(), 3, 0.2f, 0, 1, 9);
  k().noise(0, 1000, x.data(), b.data(), 3, 0.2f, 0, 1, 9);
  EXPECT_EQ(a, b);
}

// ---- sparsity --------------------------------------------------------------

TEST_P(Kernels, SparsityL1) {
  std::mt19937 rng(8);
  const int64_t M = 7, C = 13;
  auto c = randomVec(rng, M * C);
  c[3] = 0;
  auto dC0 = randomVec(rng, M * C), dC = dC0;
  double p = k().sparsity_l1(M, C, c.data(), dC.data(), 0.1f, 0.5f);
  double want = 0;
  for (float v : c)
    want += std::fabs(v);
  EXPECT_NEAR(p, 0.1 * want / M, 1e-6);
  for (int64_t i = 0; i < M * C; ++i) {
    double s = c[i] > 0 ? 1 : c[i] < 0 ? -1 : 0;
    ASSERT_NEAR(dC[i], dC0[i] + 0.5 * 0.1 * s, 1e-6);
  }
}

TEST_P(Kernels, SparsityKL) {
  std::mt19937 rng(9);
  const int64_t M = 11, C = 9;
  auto c = randomVec(rng, M * C, 0.05f, 0.95f);
  const float rho = 0.05f, w = 3.0f, dscale = 1.0f;
  std::vector<float> dC(M * C, 0.0f), scratch(C);
  double p = k().sparsity_kl(M, C, c.data(), dC.data(), rho, w, dscale, scratch.data());
  auto penalty = [&](const std::vector<double> &cc) {
    double s = 0;
    for (int64_t j = 0; j < C; ++j) {
      double rh = 0;
      for (int64_t i = 0; i < M; ++i)
        rh += cc[i * C + j];
      rh /= M;
      s += rho * std::log(rho / rh) + (1 - rho) * std::log((1 - rho) / (1 - rh));
    }
    return w * s;
  };
  std::vector<double> cd(c.begin(), c.end());
  EXPECT_NEAR(p, penalty(cd), 1e-5 * penalty(cd));
  // dC is the gradient of M * penalty (the per-batch sum) times dscale.
  for (int64_t idx : {0, 17, (int)(M * C - 1)}) {
    auto cp = cd, cm = cd;
    cp[idx] += 1e-4;
    cm[idx] -= 1e-4;
    double fd = M * (penalty(cp) - penalty(cm)) / 2e-4;
    EXPECT_NEAR(dC[idx], fd, 1e-3 * std::fabs(fd) + 1e-5);
  }
}

// ---- optimizers ------------------------------------------------------------

TEST_P(Kernels, AdamMatchesReference) {
  std::mt19937 rng(10);
  const int64_t n = 101;
  auto p = randomVec(rng, n), m = std::vector<float>(n, 0), v = std::vector<float>(n, 0);
  std::vector<double> pr(p.begin(), p.end()), mr(n, 0), vr(n, 0);
  const float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, l2 = 1e-3f;
  for (int64_t step = 1; step <= 5; ++step) {
    auto g = randomVec(rng, n);
    std::vector<double> gr(g.begin(), g.end());
    k().adam(0, 37, p.data(), g.data(), m.data(), v.data(), lr, b1, b2, eps, l2, step);
    k().adam(37, n, p.data(), g.data(), m.data(), v.data(), lr, b1, b2, eps, l2, step);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(g[i], 0.0f);
      double gg = gr[i] + l2 * pr[i];
      mr[i] = b1 * mr[i] + (1 - b1) * gg;
      vr[i] = b2 * vr[i] + (1 - b2) * gg * gg;
      double mh = mr[i] / (1 - std::pow((double)b1, step)), vh = vr[i] / (1 - std::pow((double)b2, step));
      pr[i] -= lr * mh / (std::sqrt(vh) + eps);
      ASSERT_NEAR(p[i], pr[i], 1e-5) << "step " << step;
    }
  }
}

TEST_P(Kernels, SgdMatchesReference) {
  std::mt19937 rng(11);
  const int64_t n = 45;
  for (float momentum : {0.0f, 0.9f}) {
    auto p = randomVec(rng, n);
    std::vector<float> vel(n, 0);
    std::vector<double> pr(p.begin(), p.end()), vr(n, 0);
    for (int step = 0; step < 4; ++step) {
      auto g = randomVec(rng, n);
      std::vector<double> gr(g.begin(), g.end());
      k().sgd(0, 20, p.data(), g.data(), momentum ? vel.data() : nullptr, 0.1f, momentum, 1e-4f);
      k().sgd(20, n, p.data(), g.data(), momentum ? vel.data() : nullptr, 0.1f, momentum, 1e-4f);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(g[i], 0.0f);
        double gg = gr[i] + 1e-4 * pr[i];
        if (momentum != 0) {
          vr[i] = momentum * vr[i] + gg;
          gg = vr[i];
        }
        pr[i] -= 0.1 * gg;
        ASSERT_NEAR(p[i], pr[i], 1e-6);
      }
    }
  }
}

// ---- embedded bitcode ------------------------------------------------------

TEST(KernelLibrary, WidthFromFeatures) {
  EXPECT_EQ(aec::kernelVectorWidthForFeatures(""), 4);
  EXPECT_EQ(aec::kernelVectorWidthForFeatures("+sse2,+avx"), 4);
  EXPECT_EQ(aec::kernelVectorWidthForFeatures("+avx,+avx2,+fma"), 8);
  EXPECT_EQ(aec::kernelVectorWidthForFeatures("+avx2,+fma,-avx512f"), 8);
  EXPECT_EQ(aec::kernelVectorWidthForFeatures("+avx2,+fma,+avx512f,+avx512bw"), 16);
}

TEST(KernelLibrary, WidthFromTargetMachine) {
  llvm::InitializeNativeTarget();
  auto widthFor = [](const char *cpu, const char *features) {
    auto jtmb = llvm::orc::JITTargetMachineBuilder(llvm::Triple("x86_64-unknown-linux-gnu"));
    jtmb.setCPU(cpu);
    if (*features)
      jtmb.addFeatures({features});
    auto tm = jtmb.createTargetMachine();
    return tm ? aec::kernelVectorWidthForTarget(**tm) : -1;
  };
  EXPECT_EQ(widthFor("x86-64", ""), 4);
  EXPECT_EQ(widthFor("znver3", ""), 8);
  EXPECT_EQ(widthFor("haswell", ""), 8);
  EXPECT_EQ(widthFor("skylake-avx512", ""), 16);
  EXPECT_EQ(widthFor("znver4", ""), 16);
  // The prebuilt archives need their whole ISA level (x86-64-v3 / -v4).
  EXPECT_EQ(widthFor("x86-64", "+avx2,+fma"), 4);
  EXPECT_EQ(widthFor("x86-64", "+avx,+avx2,+bmi,+bmi2,+f16c,+fma,+lzcnt,+movbe"), 8);
  EXPECT_EQ(widthFor("x86-64-v3", ""), 8);
  EXPECT_EQ(widthFor("x86-64-v4", ""), 16);
  EXPECT_EQ(widthFor("knl", ""), 8); // AVX-512F without BW, DQ, VL
  EXPECT_EQ(widthFor("skylake-avx512", "-avx512f"), 8);
}

TEST(KernelLibrary, EveryVariantLoadsAndDefinesAllEntryPoints) {
  for (const char *features : {"", "+avx2,+fma", "+avx2,+fma,+avx512f"}) {
    llvm::LLVMContext context;
    std::string error;
    auto module = aec::loadKernelModule(context, features, error);
    ASSERT_TRUE(module) << error;
    std::string verifyErrors;
    llvm::raw_string_ostream os(verifyErrors);
    EXPECT_FALSE(llvm::verifyModule(*module, &os)) << os.str();
    for (const std::string &name : aec::kernelEntryPoints()) {
      llvm::Function *fn = module->getFunction(name);
      ASSERT_TRUE(fn && !fn->isDeclaration()) << name << " missing for '" << features << "'";
      EXPECT_FALSE(fn->hasFnAttribute("target-features")) << name;
      EXPECT_FALSE(fn->hasFnAttribute("target-cpu")) << name;
    }
    // No libm / libc calls remain other than LLVM intrinsics.
    for (llvm::Function &fn : *module) {
      if (fn.isDeclaration()) {
        EXPECT_TRUE(fn.isIntrinsic()) << "external call to " << fn.getName().str();
      }
    }
  }
}

// The code generator's path: the embedded bitcode linked under wrappers that
// pass constant shapes, kernels internal + alwaysinline, host target
// attributes, O3, then JIT. Results must match the native build.
class SpecializedKernels {
public:
  using Wrapper = void (*)(int64_t, int64_t, const float *, const float *, const float *, float *);

  // Wrappers w(lo, hi, p0, p1, p2, out):
  //   fwd:  aec_gemm(lo, hi, N=37, K=70, A=p0 (lda 70), B=p1 ([70][37]), C=out (ldc 37),
  //                  bias=p2, tanh)
  //   bwd:  aec_gemm(lo, hi, N=37, K=70, A=p0, B=p1 ([37][70], transB), C=out,
  //                  dact_y=p2 (ld 37, relu))
  //   tn:   aec_gemm_tn(lo, hi, N=49, M=23, A=p0 ([23][13]), B=p1 ([23][49]), C=out (ldc 49),
  //                     scale 0.5)
  //   sig:  aec_act_forward(lo, hi, p0, out, sigmoid)
  explicit SpecializedKernels(int width) {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto context = std::make_unique<llvm::LLVMContext>();
    std::string error;
    auto module = aec::kernel_jit::loadInlinableKernels(*context, width, error);
    if (!module) {
      error_ = error;
      return;
    }
    llvm::IRBuilder<> b(*context);
    llvm::Type *i64 = b.getInt64Ty(), *i32 = b.getInt32Ty(), *ptr = b.getPtrTy();
    auto *type = llvm::FunctionType::get(b.getVoidTy(), {i64, i64, ptr, ptr, ptr, ptr}, false);
    auto c64 = [&](int64_t v) { return llvm::ConstantInt::get(i64, v); };
    auto c32 = [&](int v) { return llvm::ConstantInt::get(i32, v); };
    llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::PointerType::get(*context, 0));
    auto define = [&](const char *name, auto body) {
      auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, *module);
      b.SetInsertPoint(llvm::BasicBlock::Create(*context, "entry", fn));
      body(fn->getArg(0), fn->getArg(1), fn->getArg(2), fn->getArg(3), fn->getArg(4), fn->getArg(5));
      b.CreateRetVoid();
    };
    llvm::Function *gemm = module->getFunction("aec_gemm");
    define("fwd", [&](auto lo, auto hi, auto p0, auto p1, auto p2, auto out) {
      b.CreateCall(gemm, {lo, hi, c64(37), c64(70), p0, c64(70), p1, c64(37), c32(0), out, c64(37),
                          c32(0), p2, c32(4), null, c64(0), c32(0)});
    });
    define("bwd", [&](auto lo, auto hi, auto p0, auto p1, auto p2, auto out) {
      b.CreateCall(gemm, {lo, hi, c64(37), c64(70), p0, c64(70), p1, c64(70), c32(1), out, c64(37),
                          c32(0), null, c32(0), p2, c64(37), c32(1)});
    });
    define("tn", [&](auto lo, auto hi, auto p0, auto p1, auto, auto out) {
      b.CreateCall(module->getFunction("aec_gemm_tn"),
                   {lo, hi, c64(49), c64(23), p0, c64(13), p1, c64(49), out, c64(49),
                    llvm::ConstantFP::get(b.getFloatTy(), 0.5), c32(0)});
    });
    define("sig", [&](auto lo, auto hi, auto p0, auto, auto, auto out) {
      b.CreateCall(module->getFunction("aec_act_forward"), {lo, hi, p0, out, c32(3)});
    });
    aec::kernel_jit::setTarget(*module, llvm::sys::getHostCPUName(), aec::kernel_jit::hostFeatures());
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    auto tm = jtmb->createTargetMachine();
    module->setDataLayout((*tm)->createDataLayout());
    aec::kernel_jit::runO3(*module, tm->get());
    // Everything was inlined: no call to a kernel entry point is left.
    for (const std::string &name : aec::kernelEntryPoints())
      if (llvm::Function *fn = module->getFunction(name); fn && !fn->use_empty())
        error_ += name + " was not inlined; ";
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
    if (!jit) {
      error_ = llvm::toString(jit.takeError());
      return;
    }
    jit_ = std::move(*jit);
    if (auto err = jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
      error_ = llvm::toString(std::move(err));
  }

  const std::string &error() const { return error_; }
  Wrapper get(const char *name) {
    auto addr = jit_->lookup(name);
    if (!addr) {
      error_ = llvm::toString(addr.takeError());
      return nullptr;
    }
    return addr->toPtr<Wrapper>();
  }

private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::string error_;
};

TEST_P(Kernels, BitcodeSpecializedMatchesNative) {
  SpecializedKernels jit(k().vector_width);
  ASSERT_EQ(jit.error(), "");
  std::mt19937 rng(12);
  const int64_t M = 23;
  auto A = randomVec(rng, M * 70), B = randomVec(rng, 70 * 37), bias = randomVec(rng, 37);
  auto Y = randomVec(rng, M * 37);
  auto close = [](const std::vector<float> &a, const std::vector<float> &b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (std::fabs(a[i] - b[i]) > 1e-5f * (1 + std::fabs(a[i])))
        return false;
    return true;
  };
  std::vector<float> want(M * 37), got(M * 37, 0.0f);
  for (int64_t cut : {int64_t(0), int64_t(7)}) {
    k().gemm(0, M, 37, 70, A.data(), 70, B.data(), 37, 0, want.data(), 37, 0, bias.data(), 4,
             nullptr, 0, 0);
    auto fwd = jit.get("fwd");
    ASSERT_TRUE(fwd) << jit.error();
    fwd(0, cut, A.data(), B.data(), bias.data(), got.data());
    fwd(cut, M, A.data(), B.data(), bias.data(), got.data());
    EXPECT_TRUE(close(want, got)) << "fwd";
    k().gemm(0, M, 37, 70, A.data(), 70, B.data(), 70, 1, want.data(), 37, 0, nullptr, 0, Y.data(),
             37, 1);
    auto bwd = jit.get("bwd");
    bwd(0, cut, A.data(), B.data(), Y.data(), got.data());
    bwd(cut, M, A.data(), B.data(), Y.data(), got.data());
    EXPECT_TRUE(close(want, got)) << "bwd";
  }
  auto At = randomVec(rng, 23 * 13), Bt = randomVec(rng, 23 * 49);
  std::vector<float> wantTn(13 * 49), gotTn(13 * 49);
  k().gemm_tn(0, 13, 49, 23, At.data(), 13, Bt.data(), 49, wantTn.data(), 49, 0.5f, 0);
  auto tn = jit.get("tn");
  tn(0, 5, At.data(), Bt.data(), nullptr, gotTn.data());
  tn(5, 13, At.data(), Bt.data(), nullptr, gotTn.data());
  EXPECT_TRUE(close(wantTn, gotTn)) << "tn";
  auto x = randomVec(rng, 1001, -20, 20);
  std::vector<float> wantS(1001), gotS(1001);
  k().act_forward(0, 1001, x.data(), wantS.data(), 3);
  jit.get("sig")(0, 1001, x.data(), nullptr, nullptr, gotS.data());
  EXPECT_TRUE(close(wantS, gotS)) << "sigmoid";
}

} // namespace

#else
// Built without the kernel library (no backend): nothing to test.
#endif
