// The lowering pipeline, as one flat sequence with the verifier after every
// stage. `--emit=ir` prints the graph at the end; AEC_LOG=1 logs each stage
// and AEC_PRINT_IR_AFTER=<stage> dumps the graph after that stage to stderr
// (used by lit tests to show the IR before fusion).
#include "compiler/lower/Passes.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace aec::lower {

using namespace ir;

namespace {

struct Stage {
  bool log;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  // Verifies, logs and optionally dumps after stage `name`.
  bool done(const char *name, const Graph &g, std::string &error) {
    std::string problem = verify(g);
    if (log) {
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "aec: ir: %-10s %3zu ops %3zu tensors  %.2f ms%s\n", name,
                   g.ops.size(), g.tensors.size(), ms, problem.empty() ? "" : "  INVALID");
      start = std::chrono::steady_clock::now();
    }
    const char *dump = std::getenv("AEC_PRINT_IR_AFTER");
    if (dump && (std::strcmp(dump, name) == 0 || std::strcmp(dump, "all") == 0))
      std::fprintf(stderr, "; after %s\n%s", name, print(g).c_str());
    if (!problem.empty()) {
      error = std::string("invalid IR after ") + name + ": " + problem;
      return false;
    }
    return true;
  }
};

} // namespace

bool runPipeline(const CheckedModel &model, bool inferenceOnly, Graph &ir, std::string &error,
                 bool log) {
  Stage stage{log};
  if (!buildIR(model, inferenceOnly, ir, error)) return false;
  if (!stage.done("build", ir, error)) return false;
  if (!inferenceOnly) {
    autodiff(ir);
    if (!stage.done("autodiff", ir, error)) return false;
  }
  fuse(ir);
  if (!stage.done("fusion", ir, error)) return false;
  planMemory(ir);
  if (!stage.done("memory", ir, error)) return false;
  if (!inferenceOnly) {
    addOptimizer(ir, model);
    if (!stage.done("optimizer", ir, error)) return false;
  }
  listFunctions(ir);
  return stage.done("functions", ir, error);
}

} // namespace aec::lower
