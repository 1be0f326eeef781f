// Unit tests of the training workflow in the runtime (issue 8): schedule
// values, input normalization (round trip, checkpointed, zero variance),
// anomaly scores and the threshold, the deterministic validation split.
#include "aec/runtime.h"
#include "cli.h"
#include "ref_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

std::string tempPath(const std::string &name) {
  const char *tmp = getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/aec_wf_test_" + std::to_string(getpid()) + "_" + name;
}

// ref_ae_mse (12 inputs, unbounded) with `normalize standard`.
aec_model normalizedModel(int32_t kind) {
  aec_model m = ref_ae_mse_model;
  m.normalize = kind;
  return m;
}

std::vector<float> tabular(int n) {
  std::vector<float> x(static_cast<size_t>(n) * 12);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 12; ++j)
      x[i * 12 + j] = static_cast<float>(std::sin(i * 0.7 + j) * (j + 1) * 10 + j * 100);
  return x;
}

TEST(WorkflowSchedule, ValuesFollowTheFormulas) {
  aec_model m = ref_ae_mse_model;
  aec_train_state t;
  aec_workflow_state_init(&t);
  t.base_lr = 0.1f;
  m.warmup = 2;
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 0, 10), 0.05f);
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 1, 10), 0.1f);
  m.schedule = AEC_SCHED_COSINE;
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 2, 10), 0.1f);
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 6, 10), 0.05f);
  m.schedule = AEC_SCHED_STEP;
  m.schedule_factor = 0.5f;
  m.schedule_every = 3;
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 4, 10), 0.1f);
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 5, 10), 0.05f);
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 8, 10), 0.025f);
  // Plateau: one reduction after `patience` epochs without improvement.
  m.schedule = AEC_SCHED_PLATEAU;
  m.schedule_every = 2;
  m.early_stop = 3;
  EXPECT_TRUE(aec_sched_observe(&m, &t, 1, 1.0));
  EXPECT_FALSE(aec_sched_observe(&m, &t, 2, 1.0));
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 5, 10), 0.1f);
  EXPECT_FALSE(aec_sched_observe(&m, &t, 3, 2.0));
  EXPECT_FLOAT_EQ(aec_sched_lr(&m, &t, 5, 10), 0.05f);
  EXPECT_FALSE(aec_sched_stopped(&m, &t));
  EXPECT_FALSE(aec_sched_observe(&m, &t, 4, 1.5));
  EXPECT_TRUE(aec_sched_stopped(&m, &t));
  EXPECT_EQ(t.best_epoch, 1);
}

TEST(WorkflowNormalize, RoundTripAndCheckpoint) {
  for (int32_t kind : {AEC_NORM_STANDARD, AEC_NORM_MINMAX}) {
    aec_model m = normalizedModel(kind);
    aec_session *s = aec_rt_create(&m);
    ASSERT_NE(s, nullptr);
    std::vector<float> x = tabular(50), rec(x.size()), code(50 * 3), dec(x.size());
    // No statistics yet: inference says so.
    EXPECT_NE(aec_rt_reconstruct(s, x.data(), 50, rec.data()), 0);
    ASSERT_EQ(aec_rt_fit_normalization(s, x.data(), 50), 0) << aec_rt_last_error();
    // The normalized data has mean 0 (standard) or spans [0, 1] (minmax);
    // aec_norm_input takes at most max_batch (16) rows at a time.
    std::vector<float> xn(x.size());
    for (int i = 0; i < 50; i += 10)
      memcpy(&xn[i * 12], aec_norm_input(s, &x[i * 12], 10), 10 * 12 * 4);
    for (int j = 0; j < 12; ++j) {
      double lo = 1e9, hi = -1e9, mean = 0;
      for (int i = 0; i < 50; ++i) {
        lo = std::min(lo, (double)xn[i * 12 + j]);
        hi = std::max(hi, (double)xn[i * 12 + j]);
        mean += xn[i * 12 + j] / 50.0;
      }
      if (kind == AEC_NORM_MINMAX) {
        EXPECT_NEAR(lo, 0, 1e-5);
        EXPECT_NEAR(hi, 1, 1e-5);
      } else {
        EXPECT_NEAR(mean, 0, 1e-4);
      }
    }
    // Round trip: denormalizing the normalized input gives the input back.
    std::vector<float> back = xn;
    aec_norm_output(s, back.data(), 50);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(back[i], x[i], 1e-4 * (1 + std::fabs(x[i])));
    // reconstruct = denormalize(decode(encode)) in the input's units.
    ASSERT_EQ(aec_rt_reconstruct(s, x.data(), 50, rec.data()), 0);
    ASSERT_EQ(aec_rt_encode(s, x.data(), 50, code.data()), 0);
    ASSERT_EQ(aec_rt_decode(s, code.data(), 50, dec.data()), 0);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(rec[i], dec[i], 1e-3 * (1 + std::fabs(rec[i])));
    // The statistics travel with the checkpoint.
    std::string path = tempPath("norm.aew");
    ASSERT_EQ(aec_rt_save(s, path.c_str()), 0);
    aec_session *t = aec_rt_create(&m);
    ASSERT_EQ(aec_rt_load(t, path.c_str()), 0) << aec_rt_last_error();
    std::vector<float> rec2(x.size());
    ASSERT_EQ(aec_rt_reconstruct(t, x.data(), 50, rec2.data()), 0);
    EXPECT_EQ(rec, rec2);
    unlink(path.c_str());
    aec_rt_destroy(t);
    aec_rt_destroy(s);
  }
}

TEST(WorkflowNormalize, ConstantColumnIsAnError) {
  aec_model m = normalizedModel(AEC_NORM_STANDARD);
  aec_session *s = aec_rt_create(&m);
  std::vector<float> x = tabular(20);
  for (int i = 0; i < 20; ++i) x[i * 12 + 7] = 3.5f;
  EXPECT_EQ(aec_rt_fit_normalization(s, x.data(), 20), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("column 7 is constant"), std::string::npos);
  aec_rt_destroy(s);
}

TEST(WorkflowScore, ScoresAndThresholdSurviveTheCheckpoint) {
  aec_session *s = aec_rt_create(&ref_ae_mse_model);
  std::vector<float> x = tabular(10), rec(x.size()), scores(10);
  ASSERT_EQ(aec_rt_score(s, x.data(), 10, scores.data()), 0);
  ASSERT_EQ(aec_rt_reconstruct(s, x.data(), 10, rec.data()), 0);
  for (int i = 0; i < 10; ++i) {
    double sse = 0;
    for (int j = 0; j < 12; ++j) sse += std::pow((double)rec[i * 12 + j] - x[i * 12 + j], 2);
    EXPECT_NEAR(scores[i], sse / 12, 1e-4 * sse);
  }
  float thr = 0;
  EXPECT_NE(aec_rt_threshold(s, &thr), 0);
  EXPECT_NE(aec_rt_set_threshold(s, NAN), 0);
  ASSERT_EQ(aec_rt_set_threshold(s, 2.5f), 0);
  std::string path = tempPath("thr.aew");
  ASSERT_EQ(aec_rt_save(s, path.c_str()), 0);
  aec_session *t = aec_rt_create(&ref_ae_mse_model);
  ASSERT_EQ(aec_rt_load(t, path.c_str()), 0);
  ASSERT_EQ(aec_rt_threshold(t, &thr), 0);
  EXPECT_EQ(thr, 2.5f);
  unlink(path.c_str());
  aec_rt_destroy(t);
  aec_rt_destroy(s);
}

TEST(WorkflowSplit, SameSeedSameSplit) {
  auto split = [](uint64_t seed) {
    std::vector<float> x = tabular(40);
    aec_dataset d = {}, v = {};
    d.data = static_cast<float *>(malloc(x.size() * 4));
    memcpy(d.data, x.data(), x.size() * 4);
    d.n = 40;
    d.sample_size = 12;
    EXPECT_EQ(aec_data_split(&d, 0.25, seed, &v), 0);
    EXPECT_EQ(d.n, 30);
    EXPECT_EQ(v.n, 10);
    std::vector<float> held(v.data, v.data + v.n * 12);
    aec_data_free(&d);
    aec_data_free(&v);
    return held;
  };
  EXPECT_EQ(split(1), split(1));
  EXPECT_NE(split(1), split(2));
}

} // namespace
