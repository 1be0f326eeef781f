// Thread pool (runtime/src/thread_pool.c) with two threads, the configuration
// of the 2-core benchmark machine: chunk boundaries are balanced and do not
// depend on timing, the spin/sleep hand-off loses no job under stress, and
// training is bit-identical from run to run with 2 threads.
#include "aec/runtime.h"
#include "ref_batch.h"
#include "ref_model.h"
#include "rt_internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct Chunks {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> seen;
};

void recordChunks(void *ctx, int64_t b, int64_t e) {
  auto *c = static_cast<Chunks *>(ctx);
  std::lock_guard<std::mutex> lock(c->mu);
  c->seen.emplace_back(b, e);
}

TEST(ThreadPool, TwoThreadsSplitIntoBalancedFixedChunks) {
  aec_rt_set_threads(2);
  for (int64_t n : {2, 3, 43, 131, 1000, 943488}) {
    std::vector<std::pair<int64_t, int64_t>> first;
    for (int rep = 0; rep < 50; ++rep) {
      Chunks c;
      aec_rt_parallel_for(recordChunks, &c, n, 1);
      std::sort(c.seen.begin(), c.seen.end());
      if (rep == 0) first = c.seen;
      ASSERT_EQ(c.seen, first) << n;
    }
    ASSERT_EQ(first.size(), 2u) << n;
    EXPECT_EQ(first[0].first, 0);
    EXPECT_EQ(first[0].second, first[1].first);
    EXPECT_EQ(first[1].second, n);
    int64_t a = first[0].second - first[0].first, b = first[1].second - first[1].first;
    EXPECT_LE(std::max(a, b) - std::min(a, b), 1) << n; // balanced to one unit
  }
  // Below two minimum chunks the work runs inline, in one piece.
  Chunks c;
  aec_rt_parallel_for(recordChunks, &c, 100, 51);
  ASSERT_EQ(c.seen.size(), 1u);
  aec_rt_set_threads(0);
}

struct Count {
  std::atomic<int64_t> sum{0};
};

void addIndices(void *ctx, int64_t b, int64_t e) {
  int64_t s = 0;
  for (int64_t i = b; i < e; ++i) s += i + 1;
  static_cast<Count *>(ctx)->sum += s;
}

TEST(ThreadPool, ManyTinyJobsAndPausesLoseNothing) {
  // Back-to-back jobs exercise the spinning hand-off and the generation-tagged
  // chunk claims (a worker late for one job must not run a chunk of the
  // next); the pauses let the worker fall asleep and be woken again.
  aec_rt_set_threads(2);
  for (int round = 0; round < 40; ++round) {
    for (int k = 0; k < 500; ++k) {
      Count c;
      int64_t n = 2 + (k % 37);
      aec_rt_parallel_for(addIndices, &c, n, 1);
      ASSERT_EQ(c.sum.load(), n * (n + 1) / 2) << round << " " << k;
    }
    if (round % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300 + 50 * round));
  }
  aec_rt_set_threads(0);
}

std::vector<float> trainTwoThreads(std::vector<float> *losses) {
  aec_rt_set_threads(2);
  aec_session *s = aec_rt_create(&ref_ae_model);
  EXPECT_TRUE(s);
  if (!s) return {};
  auto x = refBatch(150, 16, 11);
  for (int i = 0; i < 30; ++i) losses->push_back(aec_rt_train_step(s, x.data(), 150));
  const aec_model *m = aec_rt_session_model(s);
  std::vector<float> p(aec_rt_params(s), aec_rt_params(s) + m->param_count);
  aec_rt_destroy(s);
  aec_rt_set_threads(0);
  return p;
}

TEST(ThreadPool, TrainingWithTwoThreadsIsBitIdenticalAcrossRuns) {
  std::vector<float> l1, l2;
  auto p1 = trainTwoThreads(&l1);
  auto p2 = trainTwoThreads(&l2);
  ASSERT_EQ(l1.size(), l2.size());
  ASSERT_FALSE(p1.empty());
  EXPECT_EQ(std::memcmp(l1.data(), l2.data(), l1.size() * sizeof(float)), 0);
  ASSERT_EQ(p1.size(), p2.size());
  EXPECT_EQ(std::memcmp(p1.data(), p2.data(), p1.size() * sizeof(float)), 0);
}

} // namespace
