// Unit tests of the aec runtime (runtime/): RNG, thread pool, data readers,
// checkpoints (round trip, corruption, truncation), weight init, pretrained
// loading, train_step, with the reference models of test/runtime.
#include "aec/runtime.h"
#include "rt_internal.h"
#include "ref_batch.h"
#include "ref_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>
#include <zlib.h>

namespace {

std::string tempPath(const std::string &name) {
  const char *tmp = getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/aec_rt_test_" + std::to_string(getpid()) + "_" + name;
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string readBytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string npyBytes(const std::string &descr, const std::string &shape, const std::string &data,
                     int major = 1) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(major) + '\0';
  uint32_t n = (uint32_t)h.size();
  out += char(n & 0xff);
  out += char((n >> 8) & 0xff);
  if (major != 1) {
    out += char((n >> 16) & 0xff);
    out += char(n >> 24);
  }
  return out + h + data;
}

std::string floatBytes(const std::vector<float> &v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4);
}

// ---- RNG ----
TEST(RuntimeRng, SameSeedSameSequence) {
  aec_rng a, b, c;
  aec_rng_seed(&a, 42);
  aec_rng_seed(&b, 42);
  aec_rng_seed(&c, 43);
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = aec_rng_next(&a);
    EXPECT_EQ(x, aec_rng_next(&b));
    differ += x != aec_rng_next(&c);
  }
  EXPECT_GT(differ, 990);
}

TEST(RuntimeRng, UniformAndBelowInRange) {
  aec_rng r;
  aec_rng_seed(&r, 0);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    float u = aec_rng_uniform(&r);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
    ASSERT_LT(aec_rng_below(&r, 7), 7u);
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
  EXPECT_EQ(aec_rng_below(&r, 1), 0u);
}

// ---- thread pool ----
struct Cover {
  std::vector<std::atomic<int>> hits;
  explicit Cover(size_t n) : hits(n) {}
};

void coverChunk(void *ctx, int64_t b, int64_t e) {
  auto *c = static_cast<Cover *>(ctx);
  for (int64_t i = b; i < e; ++i) c->hits[(size_t)i]++;
}

TEST(RuntimeThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8}) {
    aec_rt_set_threads(threads);
    EXPECT_EQ(aec_rt_get_threads(), threads);
    for (int64_t n : {1, 2, 7, 64, 1000, 12345}) {
      for (int64_t minChunk : {1, 3, 100}) {
        Cover c((size_t)n);
        aec_rt_parallel_for(coverChunk, &c, n, minChunk);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(c.hits[(size_t)i].load(), 1) << n << " " << minChunk;
      }
    }
  }
  aec_rt_set_threads(0);
}

struct Record {
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::thread::id caller;
  bool allOnCaller = true;
  std::mutex mu;
};

void recordChunk(void *ctx, int64_t b, int64_t e) {
  auto *r = static_cast<Record *>(ctx);
  std::lock_guard<std::mutex> lock(r->mu);
  r->chunks.emplace_back(b, e);
  if (std::this_thread::get_id() != r->caller) r->allOnCaller = false;
}

TEST(RuntimeThreadPool, OneThreadRunsInlineAndChunksAreDeterministic) {
  aec_rt_set_threads(1);
  Record r;
  r.caller = std::this_thread::get_id();
  aec_rt_parallel_for(recordChunk, &r, 1000, 1);
  EXPECT_TRUE(r.allOnCaller);
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.chunks[0].first, 0);
  EXPECT_EQ(r.chunks[0].second, 1000);

  aec_rt_set_threads(4);
  std::vector<std::pair<int64_t, int64_t>> first;
  for (int rep = 0; rep < 20; ++rep) {
    Record q;
    aec_rt_parallel_for(recordChunk, &q, 1001, 10);
    std::sort(q.chunks.begin(), q.chunks.end());
    if (rep == 0) first = q.chunks;
    EXPECT_EQ(q.chunks, first);
  }
  EXPECT_EQ(first.size(), 4u);
  aec_rt_set_threads(0);
}

void nestedChunk(void *ctx, int64_t b, int64_t e) {
  auto *c = static_cast<Cover *>(ctx);
  for (int64_t i = b; i < e; ++i) {
    Cover inner(10);
    aec_rt_parallel_for(coverChunk, &inner, 10, 1); // nested: runs inline
    for (auto &h : inner.hits) EXPECT_EQ(h.load(), 1);
    c->hits[(size_t)i]++;
  }
}

TEST(RuntimeThreadPool, NestedAndConcurrentCallsWork) {
  aec_rt_set_threads(4);
  Cover c(100);
  aec_rt_parallel_for(nestedChunk, &c, 100, 1);
  for (auto &h : c.hits) EXPECT_EQ(h.load(), 1);
  std::vector<std::thread> ts;
  std::vector<std::unique_ptr<Cover>> covers;
  for (int t = 0; t < 4; ++t) covers.push_back(std::make_unique<Cover>(5000));
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) aec_rt_parallel_for(coverChunk, covers[(size_t)t].get(), 5000, 16);
    });
  for (auto &t : ts) t.join();
  for (auto &c2 : covers)
    for (auto &h : c2->hits) EXPECT_EQ(h.load(), 20);
  aec_rt_set_threads(0);
}

// ---- data readers ----
class RuntimeData : public ::testing::Test {
protected:
  void TearDown() override {
    for (auto &p : files) unlink(p.c_str());
    aec_data_free(&d);
  }
  std::string file(const std::string &name, const std::string &bytes) {
    std::string p = tempPath(name);
    writeBytes(p, bytes);
    files.push_back(p);
    return p;
  }
  int load(const std::string &path, int64_t size) {
    aec_data_free(&d);
    return aec_data_load(path.c_str(), size, "the model input", &d);
  }
  std::vector<std::string> files;
  aec_dataset d{};
};

TEST_F(RuntimeData, NpyFloat32V1AndV2) {
  std::vector<float> v = {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 0.125f};
  for (int major : {1, 2}) {
    std::string p = file("a" + std::to_string(major) + ".npy", npyBytes("<f4", "(3, 2)", floatBytes(v), major));
    ASSERT_EQ(load(p, 2), 0) << aec_rt_last_error();
    EXPECT_EQ(d.n, 3);
    EXPECT_EQ(d.sample_size, 2);
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(d.data[i], v[i]);
  }
}

TEST_F(RuntimeData, NpyFloat64AndUint8) {
  double dv[4] = {0.5, -1.0, 2.0, 3.5};
  std::string p = file("d.npy", npyBytes("<f8", "(2, 2)", std::string((const char *)dv, sizeof dv)));
  ASSERT_EQ(load(p, 2), 0) << aec_rt_last_error();
  EXPECT_EQ(d.data[1], -1.0f);
  EXPECT_EQ(d.data[3], 3.5f);
  std::string u = {'\0', '\xff', '\x33', '\x66'};
  p = file("u.npy", npyBytes("|u1", "(1, 2, 2)", u));
  ASSERT_EQ(load(p, 4), 0) << aec_rt_last_error();
  EXPECT_EQ(d.n, 1);
  EXPECT_EQ(d.rank, 2);
  EXPECT_EQ(d.data[0], 0.0f);
  EXPECT_EQ(d.data[1], 1.0f);
  EXPECT_FLOAT_EQ(d.data[2], 0.2f);
}

TEST_F(RuntimeData, SizeMismatchNamesFileAndBothSizes) {
  std::string p = file("m.npy", npyBytes("<f4", "(2, 3)", floatBytes({1, 2, 3, 4, 5, 6})));
  EXPECT_EQ(load(p, 4), AEC_RT_EUSER);
  std::string msg = aec_rt_last_error();
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 values"), std::string::npos) << msg;
  EXPECT_NE(msg.find("needs 4"), std::string::npos) << msg;
}

TEST_F(RuntimeData, IdxGzipAndPlain) {
  std::string body = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 51, (char)255, 102};
  std::string plain = file("plain.idx", body);
  ASSERT_EQ(load(plain, 2), 0) << aec_rt_last_error();
  EXPECT_EQ(d.n, 2);
  EXPECT_FLOAT_EQ(d.data[1], 0.2f);
  EXPECT_EQ(d.data[2], 1.0f);
  std::string gz = tempPath("g.idx.gz");
  files.push_back(gz);
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, body.data(), (unsigned)body.size());
  gzclose(f);
  ASSERT_EQ(load(gz, 2), 0) << aec_rt_last_error();
  EXPECT_FLOAT_EQ(d.data[3], 0.4f);
  // float IDX is big-endian
  std::string fl = {0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x3f, (char)0x80, 0, 0};
  ASSERT_EQ(load(file("f.idx", fl), 1), 0) << aec_rt_last_error();
  EXPECT_EQ(d.data[0], 1.0f);
  // truncated
  EXPECT_EQ(load(file("t.idx", body.substr(0, body.size() - 1)), 2), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("truncated"), std::string::npos);
}

TEST_F(RuntimeData, CsvWithHeaderAndRaw) {
  std::string p = file("c.csv", "a,b,c\n1,2,3\n\n4.5, 5e-1 ,6\n");
  ASSERT_EQ(load(p, 3), 0) << aec_rt_last_error();
  EXPECT_EQ(d.n, 2);
  EXPECT_EQ(d.data[3], 4.5f);
  EXPECT_EQ(d.data[4], 0.5f);
  p = file("r.f32", floatBytes({1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(load(p, 3), 0) << aec_rt_last_error();
  EXPECT_EQ(d.n, 2);
  EXPECT_EQ(load(p, 4), AEC_RT_EUSER);
  EXPECT_EQ(load(file("bad.csv", "1,2,3\n1,2\n"), 3), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find(":2:"), std::string::npos) << aec_rt_last_error();
}

TEST_F(RuntimeData, NonFiniteAndUnknownAreErrors) {
  float nan = std::nanf("");
  EXPECT_EQ(load(file("n.npy", npyBytes("<f4", "(2, 2)", floatBytes({1, 2, 3, nan}))), 2), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("sample 1 value 1 is NaN"), std::string::npos)
      << aec_rt_last_error();
  EXPECT_EQ(load(file("x.weird", "random bytes"), 2), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("unknown data format"), std::string::npos);
  EXPECT_EQ(load(tempPath("does_not_exist.npy"), 2), AEC_RT_EUSER);
}

// The one-pass check (data_span, eight lanes then a tail) finds a bad value
// at every position, and the range check's message still counts them all.
TEST_F(RuntimeData, EveryPositionIsChecked) {
  const float inf = std::numeric_limits<float>::infinity();
  for (int at : {0, 7, 8, 15, 16, 18}) { // 19 values: two blocks of eight, a tail of three
    for (float bad : {inf, -inf, std::nanf("")}) {
      std::vector<float> v(19, 0.5f);
      v[at] = bad;
      EXPECT_EQ(load(file("s.f32", floatBytes(v)), 19), AEC_RT_EUSER) << at;
      EXPECT_NE(std::string(aec_rt_last_error()).find("value " + std::to_string(at) + " is"),
                std::string::npos) << aec_rt_last_error();
    }
    std::vector<float> v(19, 0.5f);
    v[at] = 1.5f;
    v[(at + 5) % 19] = -0.5f;
    ASSERT_EQ(load(file("r.f32", floatBytes(v)), 19), 0) << aec_rt_last_error();
    EXPECT_EQ(aec_data_check_range("r.f32", &d, 0.0f, 1.0f, "the input"), AEC_RT_EUSER) << at;
    EXPECT_NE(std::string(aec_rt_last_error()).find("2 of 19 values"), std::string::npos)
        << aec_rt_last_error();
    EXPECT_NE(std::string(aec_rt_last_error()).find("min -0.5, max 1.5"), std::string::npos)
        << aec_rt_last_error();
    v[at] = 1.0005f, v[(at + 5) % 19] = 0.0f; // within the rounding tolerance
    ASSERT_EQ(load(file("r.f32", floatBytes(v)), 19), 0) << aec_rt_last_error();
    EXPECT_EQ(aec_data_check_range("r.f32", &d, 0.0f, 1.0f, "the input"), 0) << aec_rt_last_error();
  }
}

TEST(RuntimeNpyWrite, RoundTrips) {
  std::string p = tempPath("w.npy");
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {1, 3};
  ASSERT_EQ(aec_npy_write(p.c_str(), v.data(), 2, 2, dims), 0);
  aec_dataset d{};
  ASSERT_EQ(aec_data_load(p.c_str(), 3, "x", &d), 0) << aec_rt_last_error();
  EXPECT_EQ(d.n, 2);
  EXPECT_EQ(d.rank, 2);
  EXPECT_EQ(d.data[5], 6.0f);
  EXPECT_EQ(readBytes(p).size() % 16, 8u); // 64-byte aligned header + 24 bytes
  aec_data_free(&d);
  unlink(p.c_str());
}

// ---- sessions and checkpoints ----
std::vector<float> paramsOf(aec_session *s) {
  const aec_model *m = aec_rt_session_model(s);
  float *p = aec_rt_params(s);
  return std::vector<float>(p, p + m->param_count);
}

TEST(RuntimeSession, InitIsSeededAndFollowsInitKinds) {
  aec_session *a = aec_rt_create(&ref_ae_model);
  aec_session *b = aec_rt_create(&ref_ae_model);
  ASSERT_TRUE(a && b) << aec_rt_last_error();
  EXPECT_EQ(paramsOf(a), paramsOf(b));
  const aec_tensor_info &w = ref_ae_model.tensors[0], &bias = ref_ae_model.tensors[1];
  float bound = std::sqrt(6.0f / (float)w.fan_in);
  float *p = aec_rt_params(a);
  float maxAbs = 0;
  for (int64_t i = 0; i < w.size; ++i) maxAbs = std::max(maxAbs, std::fabs(p[w.offset + i]));
  EXPECT_LE(maxAbs, bound);
  EXPECT_GT(maxAbs, bound * 0.7f);
  for (int64_t i = 0; i < bias.size; ++i) EXPECT_EQ(p[bias.offset + i], 0.0f);
  ASSERT_EQ(aec_rt_reset(b, 7), 0);
  EXPECT_NE(paramsOf(a), paramsOf(b));
  aec_rt_destroy(a);
  aec_rt_destroy(b);
}

TEST(RuntimeSession, TrainStepChunksAndLearns) {
  aec_rt_set_threads(1);
  aec_session *s = aec_rt_create(&ref_ae_model);
  ASSERT_TRUE(s);
  auto x = refBatch(150, 16, 1); // 150 > max_batch 64: three chunks
  float first = aec_rt_train_step(s, x.data(), 150);
  EXPECT_STREQ(aec_rt_last_error(), "");
  EXPECT_TRUE(std::isfinite(first));
  float last = first;
  for (int i = 0; i < 200; ++i) last = aec_rt_train_step(s, x.data(), 150);
  EXPECT_LT(last, first);
  EXPECT_EQ(aec_rt_step(s), 201);
  float loss;
  EXPECT_EQ(aec_rt_train_step2(s, x.data(), 0, &loss), AEC_RT_EUSER);
  EXPECT_EQ(aec_rt_set_lr(s, -1.0f), AEC_RT_EUSER);
  EXPECT_EQ(aec_rt_set_lr(s, 0.5f), 0);
  EXPECT_EQ(aec_rt_get_lr(s), 0.5f);
  // Inference through chunks equals one call per sample.
  std::vector<float> all(150 * 16), one(16);
  ASSERT_EQ(aec_rt_reconstruct(s, x.data(), 150, all.data()), 0);
  ASSERT_EQ(aec_rt_reconstruct(s, x.data() + 149 * 16, 1, one.data()), 0);
  for (int e = 0; e < 16; ++e) EXPECT_EQ(all[149 * 16 + e], one[(size_t)e]);
  aec_rt_destroy(s);
  aec_rt_set_threads(0);
}

TEST(RuntimeSession, InferenceOnlyModelCannotTrain) {
  aec_model m = ref_ae_model;
  m.inference_only = 1;
  m.accumulate = nullptr;
  m.update = nullptr;
  aec_session *s = aec_rt_create(&m);
  ASSERT_TRUE(s);
  auto x = refBatch(4, 16, 2);
  float loss;
  EXPECT_EQ(aec_rt_train_step2(s, x.data(), 4, &loss), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("inference only"), std::string::npos);
  EXPECT_TRUE(std::isnan(aec_rt_train_step(s, x.data(), 4)));
  // It still saves and loads (without optimizer state).
  std::string p = tempPath("inf.aew");
  ASSERT_EQ(aec_rt_save(s, p.c_str()), 0) << aec_rt_last_error();
  EXPECT_EQ(aec_rt_load(s, p.c_str()), 0) << aec_rt_last_error();
  aec_rt_destroy(s);
  unlink(p.c_str());
}

TEST(RuntimeSession, BadAbiVersionIsAnError) {
  aec_model m = ref_ae_model;
  m.abi_version = 99;
  EXPECT_EQ(aec_rt_create(&m), nullptr);
  EXPECT_NE(std::string(aec_rt_last_error()).find("ABI"), std::string::npos);
}

class RuntimeCheckpoint : public ::testing::Test {
protected:
  void SetUp() override {
    aec_rt_set_threads(1);
    s = aec_rt_create(&ref_ae_model);
    ASSERT_TRUE(s);
    x = refBatch(64, 16, 3);
    for (int i = 0; i < 5; ++i) aec_rt_train_step(s, x.data(), 64);
    aec_rt_set_epoch(s, 2);
    path = tempPath("ck.aew");
    ASSERT_EQ(aec_rt_save(s, path.c_str()), 0) << aec_rt_last_error();
    bytes = readBytes(path);
  }
  void TearDown() override {
    aec_rt_destroy(s);
    unlink(path.c_str());
    aec_rt_set_threads(0);
  }
  aec_session *s = nullptr;
  std::vector<float> x;
  std::string path, bytes;
};

TEST_F(RuntimeCheckpoint, RoundTripRestoresEverything) {
  EXPECT_EQ(bytes.substr(0, 4), "AEW1");
  aec_session *t = aec_rt_create(&ref_ae_model);
  ASSERT_EQ(aec_rt_load(t, path.c_str()), 0) << aec_rt_last_error();
  EXPECT_EQ(paramsOf(s), paramsOf(t));
  EXPECT_EQ(aec_rt_step(t), 5);
  EXPECT_EQ(aec_rt_epoch(t), 2);
  // Optimizer and RNG state too: the next steps are bit-identical.
  for (int i = 0; i < 3; ++i) {
    float a = aec_rt_train_step(s, x.data(), 64), b = aec_rt_train_step(t, x.data(), 64);
    EXPECT_EQ(std::memcmp(&a, &b, 4), 0);
  }
  EXPECT_EQ(paramsOf(s), paramsOf(t));
  aec_rt_destroy(t);
}

TEST_F(RuntimeCheckpoint, EveryCorruptionOrTruncationIsRejected) {
  aec_session *t = aec_rt_create(&ref_ae_model);
  ASSERT_EQ(aec_rt_reset(t, 99), 0);
  auto before = paramsOf(t);
  std::string p = tempPath("bad.aew");
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string b = bytes;
    b[i] ^= 0x21;
    writeBytes(p, b);
    ASSERT_NE(aec_rt_load(t, p.c_str()), 0) << "flip at " << i;
    EXPECT_NE(std::string(aec_rt_last_error()).find(p), std::string::npos);
  }
  for (size_t n = 0; n < bytes.size(); n += 5) {
    writeBytes(p, bytes.substr(0, n));
    ASSERT_EQ(aec_rt_load(t, p.c_str()), AEC_RT_EUSER) << "truncated to " << n;
  }
  writeBytes(p, bytes + "x");
  EXPECT_EQ(aec_rt_load(t, p.c_str()), AEC_RT_EUSER);
  EXPECT_EQ(paramsOf(t), before); // never partially loaded
  unlink(p.c_str());
  aec_rt_destroy(t);
}

TEST_F(RuntimeCheckpoint, ForeignArchitectureIsRejected) {
  aec_session *t = aec_rt_create(&ref_ae_mse_model);
  EXPECT_EQ(aec_rt_load(t, path.c_str()), AEC_RT_EUSER);
  EXPECT_NE(std::string(aec_rt_last_error()).find("another architecture"), std::string::npos);
  aec_rt_destroy(t);
}

TEST_F(RuntimeCheckpoint, PretrainedTensorsLoadByName) {
  aec_model m = ref_ae_model;
  std::vector<aec_tensor_info> tensors(m.tensors, m.tensors + m.num_tensors);
  tensors[0].from_pretrained = 1; // enc1.weight
  tensors[1].from_pretrained = 1; // enc1.bias
  m.tensors = tensors.data();
  m.pretrained_path = path.c_str();
  m.arch_hash ^= 1; // the transfer loader ignores the architecture hash
  m.seed = 1234;
  aec_session *t = aec_rt_create(&m);
  ASSERT_TRUE(t) << aec_rt_last_error();
  auto ps = paramsOf(s), pt = paramsOf(t);
  for (int64_t i = 0; i < tensors[0].size + tensors[1].size; ++i) EXPECT_EQ(ps[(size_t)i], pt[(size_t)i]);
  EXPECT_NE(ps[(size_t)tensors[2].offset], pt[(size_t)tensors[2].offset]); // code.weight: fresh init
  aec_rt_destroy(t);

  tensors[2].from_pretrained = 1;
  tensors[2].dims[0] = 5; // shape mismatch
  EXPECT_EQ(aec_rt_create(&m), nullptr);
  EXPECT_NE(std::string(aec_rt_last_error()).find("has shape [4, 8] but model `ref_ae` needs [5, 8]"),
            std::string::npos)
      << aec_rt_last_error();
  tensors[2].dims[0] = 4;
  tensors[2].name = "nope.weight";
  EXPECT_EQ(aec_rt_create(&m), nullptr);
  EXPECT_NE(std::string(aec_rt_last_error()).find("has no tensor `nope.weight`"), std::string::npos);
}

TEST_F(RuntimeCheckpoint, SaveIsAtomic) {
  // Saving over an existing checkpoint leaves no temp file and a valid file.
  ASSERT_EQ(aec_rt_save(s, path.c_str()), 0);
  EXPECT_NE(access((path + ".tmp." + std::to_string(getpid())).c_str(), F_OK), 0);
  aec_session *t = aec_rt_create(&ref_ae_model);
  EXPECT_EQ(aec_rt_load(t, path.c_str()), 0);
  aec_rt_destroy(t);
  EXPECT_EQ(aec_rt_save(s, "/nonexistent-dir/x.aew"), AEC_RT_EUSER);
}

} // namespace
