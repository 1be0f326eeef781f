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

const std::vector<PassInfo> &pipelinePasses() {
  static const std::vector<PassInfo> passes = {
      {"autodiff", true, [](Graph &g, const CheckedModel &) { autodiff(g); }},
      {"fusion", false, [](Graph &g, const CheckedModel &) { fuse(g); }},
      {"memory", false, [](Graph &g, const CheckedModel &) { planMemory(g); }},
      {"optimizer", true, [](Graph &g, const CheckedModel &m) { addOptimizer(g, m); }},
      {"functions", false, [](Graph &g, const CheckedModel &) { listFunctions(g); }},
  };
  return passes;
}

const char *passOutOfOrder(const PassInfo &pass, const Graph &g) {
  bool planned = false, backward = false, update = false;
  for (const Tensor &t : g.tensors) planned = planned || t.offset >= 0;
  for (const Op &op : g.ops) {
    backward = backward || op.phase == Phase::Backward;
    update = update || op.phase == Phase::Update;
  }
  const std::string name = pass.name;
  if (name == "functions") return nullptr; // derived from the ops, at any stage
  if (name == "autodiff" && (backward || update)) return "it already has a backward phase";
  if (name != "optimizer" && planned) return "its memory is already planned";
  if (name == "optimizer" && update) return "it already has an update phase";
  if (name == "optimizer" && !planned) return "its memory is not planned yet (run `memory` first)";
  return nullptr;
}

CheckedModel passSettingsOf(const Graph &g) {
  CheckedModel m;
  m.name = g.modelName;
  m.train = g.train;
  m.l2 = g.l2;
  return m;
}

bool runPipeline(const CheckedModel &model, bool inferenceOnly, Graph &ir, std::string &error,
                 bool log) {
  Stage stage{log};
  if (!buildIR(model, inferenceOnly, ir, error)) return false;
  if (!stage.done("build", ir, error)) return false;
  for (const PassInfo &pass : pipelinePasses()) {
    if (inferenceOnly && pass.training) continue;
    pass.run(ir, model);
    if (!stage.done(pass.name, ir, error)) return false;
  }
  return true;
}

} // namespace aec::lower
