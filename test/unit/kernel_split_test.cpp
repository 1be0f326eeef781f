// Thread-split invariance of the kernel library, at every vector width: the
// code generator hands each kernel's range (samples, GEMM rows, weight-gradient
// rows or units, bias columns) to aec_rt_parallel_for, which cuts it into
// chunks that run concurrently. Training is bit-identical for any thread count
// only if a chunk's results do not depend on where the range is cut and a
// chunk reads and writes nothing outside its part. Here every kernel runs
// once over the whole range, then split at several points with the LAST chunk
// first (so a chunk that writes past its end clobbers a finished neighbour),
// and the results must match bit for bit. (Issue 9: 16-lane row vectors of
// maxpool/upsample on 7-wide rows wrote two rows ahead, into the next thread's
// sample, on AVX-512 only.)
#ifdef AEC_HAVE_KERNEL_LIBRARY

#include "compiler/kernels/aec_conv.h"
#include "compiler/kernels/aec_kernel_table.h"
#include "compiler/kernels/aec_tiles.h"
#include "test/unit/kernel_tables.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

using Table = aec_kernel_table;

class KernelSplit : public aec::test::KernelTableTest {};

AEC_AT_EVERY_KERNEL_WIDTH(KernelSplit);

std::vector<float> randomVec(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (float &x : v) x = u(rng);
  return v;
}

// run(b, e, outputs) computes units [b, e) into the output buffers. Each
// buffer starts as `init` (a guard pattern, or the accumulation base); the
// whole range in one call is the reference for splits at every point.
using RangeFn = std::function<void(int64_t, int64_t, std::vector<std::vector<float>> &)>;

// Splits at multiples of `step`, leaving at least `step` units to the last
// chunk (the code generator's GEMM row tiles: the last absorbs the remainder).
void expectSplitInvariant(const RangeFn &run, int64_t units,
                          const std::vector<std::vector<float>> &init, const std::string &what,
                          int64_t step = 1) {
  std::vector<std::vector<float>> ref = init;
  run(0, units, ref);
  for (int64_t s = step; s + step <= units; s += step) {
    std::vector<std::vector<float>> out = init;
    run(s, units, out); // the later chunk finishes first
    run(0, s, out);
    for (size_t b = 0; b < out.size(); ++b)
      ASSERT_EQ(0, std::memcmp(out[b].data(), ref[b].data(), out[b].size() * sizeof(float)))
          << what << ": buffer " << b << " differs when split at " << s << " of " << units;
  }
}

std::vector<float> guard(size_t n) { return std::vector<float>(n, 1234.5f); }

struct ConvCase {
  int64_t Ci, Co, H, W, k, stride;
};

const ConvCase kConvCases[] = {
    {1, 4, 7, 7, 3, 1},  {3, 5, 5, 3, 3, 1}, {2, 1, 7, 7, 3, 1}, {8, 16, 14, 14, 3, 1},
    {16, 1, 6, 6, 3, 1}, {2, 3, 9, 7, 5, 2}, {3, 2, 1, 7, 3, 1}, {4, 6, 3, 2, 3, 1},
};

TEST_P(KernelSplit, Conv) {
  std::mt19937 rng(7);
  const int64_t N = 5;
  for (const ConvCase &c : kConvCases) {
    const int64_t KH = c.H == 1 ? 1 : c.k, SH = c.H == 1 ? 1 : c.stride;
    const int64_t Ho = (c.H + SH - 1) / SH, Wo = (c.W + c.stride - 1) / c.stride;
    const int64_t in = c.Ci * c.H * c.W, out = c.Co * Ho * Wo, T = KH * c.k;
    const std::string name = "conv " + std::to_string(c.Ci) + "->" + std::to_string(c.Co) + " " +
                             std::to_string(c.H) + "x" + std::to_string(c.W);
    auto x = randomVec(rng, N * in), w = randomVec(rng, c.Co * c.Ci * T);
    auto bias = randomVec(rng, c.Co), dy = randomVec(rng, N * out), ya = randomVec(rng, N * in);
    std::vector<float> scratch;
    expectSplitInvariant(
        [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
          scratch.assign(N * aec_conv_fwd_slot(c.Ci, c.Co, c.H, c.W, KH, c.k, SH, c.stride), 0.0f);
          k().conv_forward(b, e, c.Ci, c.H, c.W, c.Co, KH, c.k, SH, c.stride, x.data(), w.data(),
                           bias.data(), o[0].data(), 1, 1, 1, scratch.data());
        },
        N, {guard(N * out)}, name + " forward");
    expectSplitInvariant(
        [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
          scratch.assign(N * aec_conv_bwd_data_slot(c.Ci, c.Co, c.H, c.W, KH, c.k, SH, c.stride), 0.0f);
          k().conv_backward_data(b, e, c.Ci, c.H, c.W, c.Co, KH, c.k, SH, c.stride, dy.data(),
                                 w.data(), o[0].data(), ya.data(), 4, 1, 1, scratch.data());
        },
        N, {guard(N * in)}, name + " input gradient");
    const int64_t G = aec_conv_wg_groups(c.Ci, c.Co);
    expectSplitInvariant(
        [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
          scratch.assign(c.Co * G * aec_conv_bwd_filter_slot(c.Ci, c.Co, c.H, c.W, KH, c.k, SH, c.stride), 0.0f);
          std::vector<float> partials(aec_conv_wg_partials(c.Ci, c.Co, T));
          k().conv_backward_filter(b, e, G, N, c.Ci, c.H, c.W, c.Co, KH, c.k, SH, c.stride,
                                   x.data(), dy.data(), o[0].data(), o[1].data(), 1, 1, 1,
                                   partials.data(), scratch.data());
        },
        c.Co * G, {randomVec(rng, c.Co * c.Ci * T), randomVec(rng, c.Co)},
        name + " weight gradient");
  }
}

struct PoolCase {
  int64_t C, H, W, SH, SW;
};

const PoolCase kPoolCases[] = {{8, 14, 14, 2, 2}, {3, 6, 6, 2, 2}, {2, 4, 10, 2, 2},
                               {4, 1, 14, 1, 2},  {2, 6, 6, 3, 3}, {16, 28, 28, 2, 2}};

TEST_P(KernelSplit, PoolAndUpsample) {
  std::mt19937 rng(8);
  const int64_t N = 4;
  for (const PoolCase &p : kPoolCases)
    for (int kind = 0; kind < 3; ++kind) {
      const bool up = kind == 2;
      const int64_t in = p.C * p.H * p.W, out = up ? in * p.SH * p.SW : in / (p.SH * p.SW);
      const std::string name = std::string(kind == 0 ? "maxpool" : kind == 1 ? "avgpool" : "upsample") +
                               " " + std::to_string(p.C) + "x" + std::to_string(p.H) + "x" +
                               std::to_string(p.W);
      auto x = randomVec(rng, N * in), dy = randomVec(rng, N * out), ya = randomVec(rng, N * in);
      std::vector<float> y(N * out);
      k().pool_forward(0, N, p.C, p.H, p.W, p.SH, p.SW, kind, x.data(), y.data());
      expectSplitInvariant(
          [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
            k().pool_forward(b, e, p.C, p.H, p.W, p.SH, p.SW, kind, x.data(), o[0].data());
          },
          N, {guard(N * out)}, name + " forward");
      expectSplitInvariant(
          [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
            k().pool_backward(b, e, p.C, p.H, p.W, p.SH, p.SW, kind, dy.data(), x.data(),
                              y.data(), o[0].data(), ya.data(), 1);
          },
          N, {guard(N * in)}, name + " backward");
    }
}

// Issue 13: a maxpool's fused derivative reads the pool's own input (dact_y ==
// x), and the kernel then reuses its loads of x; the result must equal the one
// through a separate copy of x, bit for bit, for every activation and split.
TEST_P(KernelSplit, PoolBackwardThroughItsOwnInput) {
  std::mt19937 rng(9);
  const int64_t N = 4;
  for (const PoolCase &p : kPoolCases)
    for (int kind = 0; kind < 2; ++kind)
      for (int act = 1; act <= 5; ++act) {
        const int64_t in = p.C * p.H * p.W, out = in / (p.SH * p.SW);
        auto x = randomVec(rng, N * in), dy = randomVec(rng, N * out);
        const std::vector<float> xcopy = x;
        std::vector<float> y(N * out), ref(N * in);
        k().pool_forward(0, N, p.C, p.H, p.W, p.SH, p.SW, kind, x.data(), y.data());
        k().pool_backward(0, N, p.C, p.H, p.W, p.SH, p.SW, kind, dy.data(), x.data(), y.data(),
                          ref.data(), xcopy.data(), act);
        const std::string name = std::string(kind == 0 ? "maxpool" : "avgpool") + " act " +
                                 std::to_string(act) + " " + std::to_string(p.C) + "x" +
                                 std::to_string(p.H) + "x" + std::to_string(p.W);
        RangeFn run = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
          k().pool_backward(b, e, p.C, p.H, p.W, p.SH, p.SW, kind, dy.data(), x.data(), y.data(),
                            o[0].data(), x.data(), act);
        };
        std::vector<std::vector<float>> whole = {guard(N * in)};
        run(0, N, whole);
        ASSERT_EQ(0, std::memcmp(whole[0].data(), ref.data(), ref.size() * sizeof(float))) << name;
        expectSplitInvariant(run, N, {guard(N * in)}, name);
      }
}

// Issue 13: the weight gradient of 28 x 28 planes runs its tap groups per
// sample (the blocks overflow L1); it must still equal direct loops.
TEST_P(KernelSplit, ConvWeightGradLargePlanesMatchesDirectLoops) {
  std::mt19937 rng(10);
  const int64_t N = 3, Ci = 2, Co = 8, H = 28, W = 28, K = 3, pad = 1;
  auto x = randomVec(rng, N * Ci * H * W), dy = randomVec(rng, N * Co * H * W);
  std::vector<float> dw(Co * Ci * K * K), db(Co);
  const int64_t G = aec_conv_wg_groups(Ci, Co);
  std::vector<float> scratch(Co * G * aec_conv_bwd_filter_slot(Ci, Co, H, W, K, K, 1, 1), 0.0f);
  std::vector<float> partials(aec_conv_wg_partials(Ci, Co, K * K));
  k().conv_backward_filter(0, Co * G, G, N, Ci, H, W, Co, K, K, 1, 1, x.data(), dy.data(),
                           dw.data(), db.data(), 0, 1, 1, partials.data(), scratch.data());
  for (int64_t o = 0; o < Co; ++o)
    for (int64_t c = 0; c < Ci; ++c)
      for (int64_t ky = 0; ky < K; ++ky)
        for (int64_t kx = 0; kx < K; ++kx) {
          double s = 0;
          for (int64_t n = 0; n < N; ++n)
            for (int64_t i = 0; i < H; ++i)
              for (int64_t j = 0; j < W; ++j) {
                const int64_t yi = i + ky - pad, xj = j + kx - pad;
                if (yi >= 0 && yi < H && xj >= 0 && xj < W)
                  s += double(dy[((n * Co + o) * H + i) * W + j]) *
                       x[((n * Ci + c) * H + yi) * W + xj];
              }
          EXPECT_NEAR(s, dw[((o * Ci + c) * K + ky) * K + kx], 1e-4 * (1 + std::abs(s)))
              << "o " << o << " c " << c << " tap " << ky << "," << kx;
        }
}

// Issue 13: a conv after an upsample, fused (the forward and weight gradient
// upsample their input into the padded planes; the input gradient sums the
// blocks in its epilogue), equals the kernels one after the other, bit for
// bit, for every split.
struct UpCase { int64_t Ci, Co, Hs, Ws, k, UH, UW; };
const UpCase kUpCases[] = {{16, 1, 14, 14, 3, 2, 2}, {8, 16, 7, 7, 3, 2, 2}, {3, 2, 5, 9, 5, 2, 2},
                           {4, 3, 4, 6, 3, 3, 3},    {4, 3, 1, 10, 3, 1, 2}};

TEST_P(KernelSplit, ConvForwardAndWeightGradWithFusedUpsample) {
  std::mt19937 rng(11);
  const int64_t N = 5;
  for (const UpCase &c : kUpCases) {
    const int64_t H = c.Hs * c.UH, W = c.Ws * c.UW, KH = c.Hs == 1 ? 1 : c.k, T = KH * c.k;
    const int64_t small = c.Ci * c.Hs * c.Ws, big = c.Ci * H * W, out = c.Co * H * W;
    auto xs = randomVec(rng, N * small), w = randomVec(rng, c.Co * c.Ci * T);
    auto bias = randomVec(rng, c.Co), dy = randomVec(rng, N * out);
    std::vector<float> xu(N * big), scratch(N * aec_conv_fwd_slot(c.Ci, c.Co, H, W, KH, c.k, 1, 1));
    k().pool_forward(0, N, c.Ci, c.Hs, c.Ws, c.UH, c.UW, 2, xs.data(), xu.data());
    const std::string name = "conv after upsample " + std::to_string(c.UH) + "x" +
                             std::to_string(c.UW) + " of " + std::to_string(c.Ci) + "x" +
                             std::to_string(c.Hs) + "x" + std::to_string(c.Ws);
    std::vector<std::vector<float>> ref = {guard(N * out)}, fused = ref;
    k().conv_forward(0, N, c.Ci, H, W, c.Co, KH, c.k, 1, 1, xu.data(), w.data(), bias.data(),
                     ref[0].data(), 1, 1, 1, scratch.data());
    auto fwd = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().conv_forward(b, e, c.Ci, H, W, c.Co, KH, c.k, 1, 1, xs.data(), w.data(), bias.data(),
                       o[0].data(), 1, c.UH, c.UW, scratch.data());
    };
    fwd(0, N, fused);
    ASSERT_EQ(0, std::memcmp(fused[0].data(), ref[0].data(), N * out * sizeof(float))) << name;
    expectSplitInvariant(fwd, N, {guard(N * out)}, name + " forward");
    const int64_t G = aec_conv_wg_groups(c.Ci, c.Co);
    std::vector<float> wscratch(c.Co * G * aec_conv_bwd_filter_slot(c.Ci, c.Co, H, W, KH, c.k, 1, 1));
    const std::vector<std::vector<float>> init = {randomVec(rng, c.Co * c.Ci * T), randomVec(rng, c.Co)};
    ref = init;
    fused = init;
    std::vector<float> partials(aec_conv_wg_partials(c.Ci, c.Co, T));
    k().conv_backward_filter(0, c.Co * G, G, N, c.Ci, H, W, c.Co, KH, c.k, 1, 1, xu.data(),
                             dy.data(), ref[0].data(), ref[1].data(), 1, 1, 1, partials.data(),
                             wscratch.data());
    auto wg = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().conv_backward_filter(b, e, G, N, c.Ci, H, W, c.Co, KH, c.k, 1, 1, xs.data(), dy.data(),
                               o[0].data(), o[1].data(), 1, c.UH, c.UW, partials.data(),
                               wscratch.data());
    };
    wg(0, c.Co * G, fused);
    for (size_t b = 0; b < 2; ++b)
      ASSERT_EQ(0, std::memcmp(fused[b].data(), ref[b].data(), ref[b].size() * sizeof(float)))
          << name << " weight gradient";
    expectSplitInvariant(wg, c.Co * G, init, name + " weight gradient");
  }
}

TEST_P(KernelSplit, ConvInputGradWithFusedUpsample) {
  std::mt19937 rng(10);
  const int64_t N = 5;
  for (const UpCase &c : kUpCases) {
    const int64_t H = c.Hs * c.UH, W = c.Ws * c.UW, KH = c.Hs == 1 ? 1 : c.k;
    const int64_t small = c.Ci * c.Hs * c.Ws, big = c.Ci * H * W;
    auto dy = randomVec(rng, N * c.Co * H * W), w = randomVec(rng, c.Co * c.Ci * KH * c.k);
    auto ya = randomVec(rng, N * small);
    std::vector<float> scratch(N * aec_conv_bwd_data_slot(c.Ci, c.Co, H, W, KH, c.k, 1, 1)), dxu(N * big);
    std::vector<float> ref(N * small);
    k().conv_backward_data(0, N, c.Ci, H, W, c.Co, KH, c.k, 1, 1, dy.data(), w.data(), dxu.data(),
                           nullptr, 0, 1, 1, scratch.data());
    k().pool_backward(0, N, c.Ci, c.Hs, c.Ws, c.UH, c.UW, 2, dxu.data(), nullptr, nullptr,
                      ref.data(), ya.data(), 1);
    std::vector<std::vector<float>> fused = {guard(N * small)};
    auto run = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().conv_backward_data(b, e, c.Ci, H, W, c.Co, KH, c.k, 1, 1, dy.data(), w.data(),
                             o[0].data(), ya.data(), 1, c.UH, c.UW, scratch.data());
    };
    const std::string name = "conv input gradient + upsample " + std::to_string(c.UH) + "x" +
                             std::to_string(c.UW) + " of " + std::to_string(c.Ci) + "x" +
                             std::to_string(c.Hs) + "x" + std::to_string(c.Ws);
    run(0, N, fused);
    ASSERT_EQ(0, std::memcmp(fused[0].data(), ref.data(), ref.size() * sizeof(float))) << name;
    expectSplitInvariant(run, N, {guard(N * small)}, name);
  }
}

// Issue 13.2: upsample by 2 + 3x3 conv per output phase at the low resolution
// (aec_upconv_*) computes the fused full-resolution kernels' function in
// another summation order: equal within float rounding (absolute tolerance
// per summed term; a wrong tap or phase is off by O(1)), and split invariant.
struct PhaseCase { int64_t Ci, Co, H, W; };
const PhaseCase kPhaseCases[] = {{16, 1, 14, 14}, {8, 16, 7, 7}, {3, 5, 5, 6}, {2, 4, 1, 9},
                                 {5, 3, 3, 2},    {1, 4, 4, 4},  {9, 2, 6, 3}};

void expectNear(const std::vector<float> &a, const std::vector<float> &b, double perTerm,
                int64_t terms, const std::string &what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], perTerm * terms) << what << " at " << i;
}

TEST_P(KernelSplit, UpconvPhasesMatchFullResolutionAndSplit) {
  std::mt19937 rng(13);
  const int64_t N = 5;
  for (const PhaseCase &c : kPhaseCases) {
    const int64_t Y = 2 * c.H, X = 2 * c.W, in = c.Ci * c.H * c.W, out = c.Co * Y * X;
    const std::string name = "upconv " + std::to_string(c.Ci) + "->" + std::to_string(c.Co) +
                             " of " + std::to_string(c.H) + "x" + std::to_string(c.W);
    auto x = randomVec(rng, N * in), w = randomVec(rng, c.Co * c.Ci * 9);
    auto bias = randomVec(rng, c.Co), dy = randomVec(rng, N * out), ya = randomVec(rng, N * in);
    std::vector<float> full(N * aec_conv_fwd_slot(c.Ci, c.Co, Y, X, 3, 3, 1, 1) +
                            N * aec_conv_bwd_data_slot(c.Ci, c.Co, Y, X, 3, 3, 1, 1) +
                            c.Co * 8 * aec_conv_bwd_filter_slot(c.Ci, c.Co, Y, X, 3, 3, 1, 1));
    std::vector<float> slot(aec_upconv_fwd_slot(c.Ci, c.Co, c.H, c.W) +
                            aec_upconv_bwd_data_slot(c.Ci, c.Co, c.H, c.W) +
                            aec_upconv_bwd_filter_slot(c.Ci, c.Co, c.H, c.W));
    // forward (linear, so the tolerance holds on the outputs)
    std::vector<float> ref(N * out), got(N * out);
    k().conv_forward(0, N, c.Ci, Y, X, c.Co, 3, 3, 1, 1, x.data(), w.data(), bias.data(),
                     ref.data(), 0, 2, 2, full.data());
    auto fwd = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().upconv_forward(b, e, c.Ci, c.H, c.W, c.Co, x.data(), w.data(), bias.data(),
                         o[0].data(), 0, slot.data());
    };
    std::vector<std::vector<float>> o = {guard(N * out)};
    fwd(0, N, o);
    expectNear(o[0], ref, 1e-6, c.Ci * 9 + 1, name + " forward");
    expectSplitInvariant(fwd, N, {guard(N * out)}, name + " forward");
    // input gradient, with a derivative through ya
    std::vector<float> dref(N * in);
    k().conv_backward_data(0, N, c.Ci, Y, X, c.Co, 3, 3, 1, 1, dy.data(), w.data(), dref.data(),
                           ya.data(), 4, 2, 2, full.data());
    auto bwd = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().upconv_backward_data(b, e, c.Ci, c.H, c.W, c.Co, dy.data(), w.data(), o[0].data(),
                               ya.data(), 4, slot.data());
    };
    o = {guard(N * in)};
    bwd(0, N, o);
    expectNear(o[0], dref, 1e-6, c.Co * 36, name + " input gradient");
    expectSplitInvariant(bwd, N, {guard(N * in)}, name + " input gradient");
    // weight and bias gradients, accumulated onto a base
    const int64_t G = aec_conv_wg_groups(c.Ci, c.Co);
    const std::vector<std::vector<float>> init = {randomVec(rng, c.Co * c.Ci * 9),
                                                  randomVec(rng, c.Co)};
    std::vector<std::vector<float>> wref = init;
    std::vector<float> partials(aec_conv_wg_partials(c.Ci, c.Co, 16));
    k().conv_backward_filter(0, c.Co * G, G, N, c.Ci, Y, X, c.Co, 3, 3, 1, 1, x.data(), dy.data(),
                             wref[0].data(), wref[1].data(), 1, 2, 2, partials.data(),
                             full.data());
    auto wg = [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
      k().upconv_backward_filter(b, e, G, N, c.Ci, c.H, c.W, c.Co, x.data(), dy.data(),
                                 o[0].data(), o[1].data(), 1, partials.data(), slot.data());
    };
    o = init;
    wg(0, c.Co * G, o);
    expectNear(o[0], wref[0], 1e-6, N * Y * X, name + " weight gradient");
    expectNear(o[1], wref[1], 1e-6, N * Y * X, name + " bias gradient");
    expectSplitInvariant(wg, c.Co * G, init, name + " weight gradient");
  }
}

// The code generator cuts GEMM rows in whole register tiles (ModuleGen.cpp).
int64_t rowTile(const Table &t) { return aec_gemm_row_tile(t.vector_width); }

TEST_P(KernelSplit, GemmRowsWeightGradientAndBiasGradient) {
  std::mt19937 rng(9);
  const int64_t M = 29, K = 29, N = 37;
  auto A = randomVec(rng, M * K), B = randomVec(rng, K * N), dZ = randomVec(rng, M * N);
  auto bias = randomVec(rng, N), y = randomVec(rng, M * N);
  for (int transB = 0; transB < 2; ++transB)
    expectSplitInvariant(
        [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
          k().gemm(b, e, N, K, A.data(), K, B.data(), transB ? K : N, transB, o[0].data(), N, 0,
                   bias.data(), 3, y.data(), N, 1);
        },
        M, {guard(M * N)}, "gemm transB=" + std::to_string(transB), rowTile(k()));
  expectSplitInvariant(
      [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
        k().gemm_tn(b, e, N, M, A.data(), K, dZ.data(), N, o[0].data(), N, 0.5f, 1);
      },
      K, {randomVec(rng, K * N)}, "gemm_tn");
  expectSplitInvariant(
      [&](int64_t b, int64_t e, std::vector<std::vector<float>> &o) {
        k().colsum(b, e, M, dZ.data(), N, o[0].data(), 1.0f, 1);
      },
      N, {randomVec(rng, N)}, "colsum");
}

} // namespace

#endif
