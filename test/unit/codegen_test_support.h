// Shared by the codegen and conv unit tests: lowering a CheckedModel to the
// IR, counting ops, and the gradient-check runner (build to an object, link
// with test/numerics/gradcheck.c, run its forward/gradient/optimizer checks).
#pragma once

#include "compiler/codegen/Build.h"
#include "compiler/ir/IR.h"
#include "compiler/lower/Passes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace aec::testing {

inline ir::Graph lowerModel(const CheckedModel &m, bool inferenceOnly) {
  ir::Graph g;
  std::string error;
  EXPECT_TRUE(lower::runPipeline(m, inferenceOnly, g, error, false)) << error;
  return g;
}

inline int countOps(const ir::Graph &g, ir::OpKind k) {
  int n = 0;
  for (const ir::Op &op : g.ops) n += op.kind == k;
  return n;
}

inline std::string srcRoot() { return AEC_SOURCE_ROOT; }

inline int runCommand(const std::string &cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// `name` is the model's name (its symbol is `<name>_model`); the scratch
// folder is per process because several build trees may run the tests at once.
inline void runGradcheck(const CheckedModel &m, const std::string &name, const std::string &args) {
  auto dir = std::filesystem::temp_directory_path() /
             ("aec-gradcheck-" + name + "-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  BuildOptions opt;
  opt.emit = EmitKind::Obj;
  opt.output = (dir / (name + ".o")).string();
  SourceManager sm;
  DiagnosticEngine diags(sm);
  ASSERT_EQ(buildModel(m, opt, diags), 0);
  std::string exe = (dir / "gradcheck").string();
  std::string cc = "cc -std=c11 -O1 -I" + srcRoot() + "/runtime/include -DMODEL=" + name +
                   "_model " + srcRoot() + "/test/numerics/gradcheck.c " + opt.output +
                   " -lm -o " + exe;
  ASSERT_EQ(runCommand(cc), 0) << cc;
  EXPECT_EQ(runCommand(exe + " " + args), 0) << name << " " << args;
  std::filesystem::remove_all(dir);
}

} // namespace aec::testing
