// Issue 9 (runtime side): the output-path guard (from C++, as the compiler
// driver uses it) and the divergence rule.
#include "aec/output_path.h"
#include "aec/runtime.h"
#include "diverge.h"
#include "ref_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace {

std::string scratch(const std::string &name) {
  const char *tmp = getenv("TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/aec_rel_test_" + std::to_string(getpid());
  mkdir(dir.c_str(), 0755);
  return dir + "/" + name;
}

std::string slurp(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(OutputPath, RefusesSpecialFilesAndInputs) {
  char err[512];
  EXPECT_EQ(aec_out_check("/dev/null", nullptr, 0, err, sizeof err), AEC_OUT_EUSER);
  EXPECT_NE(std::string(err).find("character device"), std::string::npos) << err;
  std::string dir = scratch("");
  EXPECT_EQ(aec_out_check(dir.c_str(), nullptr, 0, err, sizeof err), AEC_OUT_EUSER);
  std::string in = scratch("in.ae");
  std::ofstream(in) << "model m {}";
  std::string other = dir + "./in.ae";
  const char *inputs[] = {nullptr, in.c_str()};
  EXPECT_EQ(aec_out_check(other.c_str(), inputs, 2, err, sizeof err), AEC_OUT_EUSER);
  EXPECT_NE(std::string(err).find("same file"), std::string::npos) << err;
  std::string fresh = scratch("out.o");
  EXPECT_EQ(aec_out_check(fresh.c_str(), inputs, 2, err, sizeof err), AEC_OUT_OK) << err;
  EXPECT_TRUE(aec_out_same_file(fresh.c_str(), (dir + "x/../out.o").c_str()) == 0); /* x/ is missing */
  EXPECT_TRUE(aec_out_same_file(fresh.c_str(), (dir + "./out.o").c_str()));
}

TEST(OutputPath, WritesAtomicallyAndCleansStaleTemps) {
  char err[512];
  std::string out = scratch("w.aew");
  std::string stale = out + ".tmp.2147483646"; /* above pid_max: no such process */
  std::ofstream(stale) << "junk";
  ASSERT_EQ(aec_out_write_file(out.c_str(), nullptr, 0, "abc", 3, err, sizeof err), AEC_OUT_OK) << err;
  EXPECT_EQ(slurp(out), "abc");
  EXPECT_NE(access(stale.c_str(), F_OK), 0);
  // An aborted write leaves the old contents and no temp file.
  aec_out o;
  ASSERT_EQ(aec_out_open(&o, out.c_str(), nullptr, 0, err, sizeof err), AEC_OUT_OK) << err;
  std::string tmp = o.tmp;
  ASSERT_EQ(write(o.fd, "partial", 7), 7);
  EXPECT_EQ(slurp(out), "abc"); /* nothing reaches the target before commit */
  aec_out_abort(&o);
  EXPECT_EQ(slurp(out), "abc");
  EXPECT_NE(access(tmp.c_str(), F_OK), 0);
  // Through a stream, committed.
  ASSERT_EQ(aec_out_open(&o, out.c_str(), nullptr, 0, err, sizeof err), AEC_OUT_OK) << err;
  FILE *f = aec_out_fdopen(&o, err, sizeof err);
  ASSERT_NE(f, nullptr);
  fputs("xyz", f);
  ASSERT_EQ(aec_out_commit(&o, err, sizeof err), AEC_OUT_OK) << err;
  EXPECT_EQ(slurp(out), "xyz");
}

TEST(Divergence, EpochFarAboveBestIsCaught) {
  aec_diverge d;
  double limit;
  aec_diverge_init(&d, 0.69);
  aec_diverge_step(&d, 0.70);
  EXPECT_EQ(aec_diverge_epoch(&d, 0.40, &limit), 0); /* normal first epochs */
  EXPECT_EQ(aec_diverge_epoch(&d, 0.30, &limit), 0);
  EXPECT_EQ(aec_diverge_epoch(&d, 0.9, &limit), 0); /* a bump (3x) is not divergence */
  EXPECT_EQ(aec_diverge_epoch(&d, 26.7, &limit), 1); /* clamped BCE after --lr 1e6 */
  EXPECT_DOUBLE_EQ(limit, 1.5);
  EXPECT_EQ(aec_diverge_epoch(&d, NAN, &limit), 1);
}

TEST(Divergence, FirstEpochAfterResumeAndLuckyFirstBatch) {
  aec_diverge d;
  double limit;
  // Resumed: the starting weights' clean loss is the reference.
  aec_diverge_init(&d, 0.28);
  aec_diverge_step(&d, 0.29);
  EXPECT_EQ(aec_diverge_epoch(&d, 20.0, &limit), 1);
  // A lucky first batch (0.001) cannot set the bar: max(it, start loss).
  aec_diverge_init(&d, 0.2);
  aec_diverge_step(&d, 0.001);
  aec_diverge_step(&d, 5.0); /* only the first step counts */
  EXPECT_EQ(aec_diverge_epoch(&d, 0.5, &limit), 0);
}

// The start loss on demand: asked for only when the first epoch's mean is
// not below the first step's loss, and then every decision is the eager one.
TEST(Divergence, LazyStartLossOnlyWhenItMatters) {
  struct source {
    double loss;
    int calls;
    static double get(void *p) {
      source *s = static_cast<source *>(p);
      ++s->calls;
      return s->loss;
    }
  };
  aec_diverge d, eager;
  double limit, elimit;
  source src{0.2, 0};
  aec_diverge_init_lazy(&d, source::get, &src); /* a fresh run: the loss falls */
  aec_diverge_step(&d, 0.7);
  EXPECT_EQ(aec_diverge_epoch(&d, 0.4, &limit), 0);
  EXPECT_EQ(aec_diverge_epoch(&d, 2.5, &limit), 1);
  EXPECT_EQ(src.calls, 0);
  // A lucky first batch, then a mean above it: the start loss sets the bar,
  // as with aec_diverge_init, here and in the epochs after.
  const double means[] = {0.5, 0.9, 1.2, 6.5};
  src = {0.2, 0};
  aec_diverge_init_lazy(&d, source::get, &src);
  aec_diverge_init(&eager, 0.2);
  aec_diverge_step(&d, 0.001);
  aec_diverge_step(&eager, 0.001);
  for (double m : means) {
    int r = aec_diverge_epoch(&d, m, &limit);
    EXPECT_EQ(r, aec_diverge_epoch(&eager, m, &elimit)) << m;
    if (r) EXPECT_DOUBLE_EQ(limit, elimit);
  }
  EXPECT_EQ(src.calls, 1);
  // Resumed at trained weights, diverging: the start loss is the reference.
  src = {0.28, 0};
  aec_diverge_init_lazy(&d, source::get, &src);
  aec_diverge_step(&d, 0.29);
  EXPECT_EQ(aec_diverge_epoch(&d, 20.0, &limit), 1);
  EXPECT_DOUBLE_EQ(limit, 5 * 0.29);
  EXPECT_EQ(src.calls, 1);
}

// Issue 9 item 6: a model whose training memory cannot be allocated names
// the memory needed, not its parameter count.
TEST(SessionMemory, OutOfMemoryNamesTheBytesNeeded) {
  aec_model m = ref_ae_model;
  m.workspace_size = (int64_t)1 << 46; /* 256 TiB: more than a 47-bit address space */
  EXPECT_EQ(aec_rt_create(&m), nullptr);
  std::string err = aec_rt_last_error();
  EXPECT_NE(err.find("needs 2.621e+05 GiB for training"), std::string::npos) << err;
  EXPECT_NE(err.find("workspace 2.621e+05 GiB for batches of"), std::string::npos) << err;
}

}  // namespace
