// Issue 13.2: a conv with act and a 2x2 max pool fused (aec_conv_maxpool_*)
// against the kernels one after the other, at every vector width:
//   forward: conv_forward then pool_forward, bit for bit (pooled and unpooled),
//   and the argmax bytes (the first position of each block equal to its max);
//   weight gradient (from the forward's pooled output and argmax):
//   pool_backward (deriv through the conv's output) then
//   conv_backward_filter: dw bit for bit, db to rounding (it sums in another
//   order); both split-invariant (the last chunk first, as in
//   kernel_split_test.cpp: a chunk writing past its end clobbers a neighbour).
#ifdef AEC_HAVE_KERNEL_LIBRARY

#include "compiler/kernels/aec_conv.h"
#include "compiler/kernels/aec_kernel_table.h"
#include "test/unit/kernel_tables.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

class ConvMaxpool : public aec::test::KernelTableTest {};

AEC_AT_EVERY_KERNEL_WIDTH(ConvMaxpool);

std::vector<float> randomVec(std::mt19937 &rng, size_t n, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float &x : v) x = u(rng);
  return v;
}

struct Case { int64_t Ci, Co, H, W, k; int act; };
// fashion_conv's enc1 and enc3, odd channel counts, a 5x5 kernel, 2-wide pooled
// rows; relu (1), sigmoid (3), tanh (4).
const Case kCases[] = {{1, 16, 28, 28, 3, 1}, {16, 8, 14, 14, 3, 1}, {3, 5, 6, 10, 3, 3},
                       {2, 3, 8, 4, 5, 4},    {1, 7, 2, 34, 3, 1}};

bool same(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_P(ConvMaxpool, ForwardEqualsConvThenPool) {
  std::mt19937 rng(21);
  const int64_t N = 5;
  for (const Case &c : kCases) {
    const int64_t full = c.Co * c.H * c.W, pooled = full / 4, T = c.k * c.k;
    auto x = randomVec(rng, N * c.Ci * c.H * c.W), w = randomVec(rng, c.Co * c.Ci * T);
    auto bias = randomVec(rng, c.Co);
    std::vector<float> scratch(N * aec_conv_fwd_slot(c.Ci, c.Co, c.H, c.W, c.k, c.k, 1, 1));
    std::vector<float> yref(N * full), pref(N * pooled);
    k().conv_forward(0, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, 1, 1, x.data(), w.data(), bias.data(),
                     yref.data(), c.act, 1, 1, scratch.data());
    k().pool_forward(0, N, c.Co, c.H, c.W, 2, 2, 0, yref.data(), pref.data());
    const std::string name = std::to_string(c.Ci) + "->" + std::to_string(c.Co) + " " +
                             std::to_string(c.H) + "x" + std::to_string(c.W);
    // The argmax: the first position (row-major) of each block equal to the max.
    std::vector<uint8_t> aref(N * pooled);
    const int64_t Hq = c.H / 2, Wq = c.W / 2;
    for (int64_t p = 0; p < N * pooled; ++p) {
      const int64_t pl = p / (Hq * Wq), i = p % (Hq * Wq) / Wq, j = p % Wq;
      const float *blk = yref.data() + pl * c.H * c.W + 2 * i * c.W + 2 * j;
      const float v[4] = {blk[0], blk[1], blk[c.W], blk[c.W + 1]};
      aref[p] = 4;
      for (uint8_t q = 4; q-- > 0;)
        if (v[q] == pref[p]) aref[p] = q;
    }
    for (int64_t s = 0; s < N; ++s) { // [s, N) first, then [0, s)
      std::vector<float> yp(N * pooled, 1234.5f), yf(N * full, 1234.5f), yp2(N * pooled, 1234.5f);
      std::vector<uint8_t> arg(N * pooled, 77);
      k().conv_maxpool_forward(s, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(), w.data(),
                               bias.data(), yp.data(), yf.data(), nullptr, c.act, scratch.data());
      k().conv_maxpool_forward(0, s, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(), w.data(),
                               bias.data(), yp.data(), yf.data(), nullptr, c.act, scratch.data());
      EXPECT_TRUE(same(yp, pref)) << name << " pooled, split at " << s;
      EXPECT_TRUE(same(yf, yref)) << name << " unpooled, split at " << s;
      k().conv_maxpool_forward(s, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(), w.data(),
                               bias.data(), yp2.data(), nullptr, arg.data(), c.act,
                               scratch.data());
      k().conv_maxpool_forward(0, s, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(), w.data(),
                               bias.data(), yp2.data(), nullptr, arg.data(), c.act,
                               scratch.data());
      EXPECT_TRUE(same(yp2, pref)) << name << " pooled only, split at " << s;
      EXPECT_TRUE(arg == aref) << name << " argmax, split at " << s;
    }
  }
}

TEST_P(ConvMaxpool, WeightGradEqualsPoolGradThenConvWeightGrad) {
  std::mt19937 rng(22);
  const int64_t N = 11; // a partial block of AEC_CONV_WG_BLOCK samples
  for (const Case &c : kCases) {
    const int64_t full = c.Co * c.H * c.W, pooled = full / 4, T = c.k * c.k;
    auto x = randomVec(rng, N * c.Ci * c.H * c.W), w = randomVec(rng, c.Co * c.Ci * T);
    auto bias = randomVec(rng, c.Co), dyp = randomVec(rng, N * pooled);
    // Ties (relu's zeros; equal inputs) take the first position of the block.
    for (int64_t i = 0; i < c.Ci * c.W; ++i) x[i] = 0.25f;
    std::vector<float> fscratch(N * aec_conv_fwd_slot(c.Ci, c.Co, c.H, c.W, c.k, c.k, 1, 1));
    std::vector<float> y(N * full), yp(N * pooled), dz(N * full);
    std::vector<uint8_t> arg(N * pooled);
    k().conv_forward(0, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, 1, 1, x.data(), w.data(), bias.data(),
                     y.data(), c.act, 1, 1, fscratch.data());
    k().pool_forward(0, N, c.Co, c.H, c.W, 2, 2, 0, y.data(), yp.data());
    k().conv_maxpool_forward(0, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(), w.data(),
                             bias.data(), yp.data(), nullptr, arg.data(), c.act, fscratch.data());
    k().pool_backward(0, N, c.Co, c.H, c.W, 2, 2, 0, dyp.data(), y.data(), yp.data(), dz.data(),
                      y.data(), c.act);
    const auto dw0 = randomVec(rng, c.Co * c.Ci * T), db0 = randomVec(rng, c.Co);
    std::vector<float> dwref = dw0, dbref = db0;
    const int64_t G = aec_conv_wg_groups(c.Ci, c.Co);
    std::vector<float> rscratch(c.Co * G * aec_conv_bwd_filter_slot(c.Ci, c.Co, c.H, c.W, c.k, c.k, 1, 1));
    std::vector<float> partials(aec_conv_wg_partials(c.Ci, c.Co, T));
    k().conv_backward_filter(0, c.Co * G, G, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, 1, 1, x.data(),
                             dz.data(), dwref.data(), dbref.data(), 1, 1, 1, partials.data(),
                             rscratch.data());
    std::vector<float> scratch(c.Co *
                               aec_conv_maxpool_filter_slot(c.Ci, c.Co, c.H, c.W, c.k, c.k));
    const std::string name = std::to_string(c.Ci) + "->" + std::to_string(c.Co) + " " +
                             std::to_string(c.H) + "x" + std::to_string(c.W);
    std::vector<float> dwall, dball;
    for (int64_t s = 0; s < c.Co; ++s) {
      std::vector<float> dw = dw0, db = db0;
      k().conv_maxpool_backward_filter(s, c.Co, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(),
                                       dyp.data(), yp.data(), arg.data(), dw.data(), db.data(), 1,
                                       c.act, partials.data(), scratch.data());
      k().conv_maxpool_backward_filter(0, s, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(),
                                       dyp.data(), yp.data(), arg.data(), dw.data(), db.data(), 1,
                                       c.act, partials.data(), scratch.data());
      EXPECT_TRUE(same(dw, dwref)) << name << " dw, split at " << s;
      for (int64_t o = 0; o < c.Co; ++o)
        EXPECT_NEAR(db[o], dbref[o], 1e-5f * (1 + std::fabs(dbref[o]))) << name << " db " << o;
      if (s == 0) {
        dwall = dw;
        dball = db;
      } else {
        EXPECT_TRUE(same(db, dball)) << name << " db, split at " << s;
      }
    }
    // accumulate = 0 overwrites
    std::vector<float> dw = dw0, db = db0, dwz(dw0.size(), 0.0f), dbz(db0.size(), 0.0f);
    k().conv_maxpool_backward_filter(0, c.Co, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(),
                                     dyp.data(), yp.data(), arg.data(), dw.data(), db.data(), 0,
                                     c.act, partials.data(), scratch.data());
    k().conv_maxpool_backward_filter(0, c.Co, N, c.Ci, c.H, c.W, c.Co, c.k, c.k, x.data(),
                                     dyp.data(), yp.data(), arg.data(), dwz.data(), dbz.data(), 1,
                                     c.act, partials.data(), scratch.data());
    EXPECT_TRUE(same(dw, dwz) && same(db, dbz)) << name << " accumulate=0";
  }
}

} // namespace

#endif
