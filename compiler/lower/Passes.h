// The lowering passes, each in its own file, each Graph -> Graph (in place).
// The order is spelled out in compiler/lower/Pipeline.cpp.
#pragma once

#include "compiler/ir/IR.h"

#include <string>
#include <vector>

namespace aec::lower {

// Reverse-mode differentiation of the forward ops: appends the backward
// phase (loss gradient scaled by the runtime `scale`, activation
// derivatives through the saved outputs, weight/bias/input gradients).
// Frozen parameters get no gradient; no input gradient is computed below
// the first trainable layer.
void autodiff(ir::Graph &g);

// Folds op chains into the kernels' fused forms: matmul+bias+act -> dense;
// loss+loss_grad+act_grad -> loss_act_grad; input_grad+act_grad (and the
// code's sparsity gradient) -> input_grad with a derivative epilogue.
void fuse(ir::Graph &g);

// Lays out parameters (frozen first, trainable contiguous after them) and
// the workspace (layer outputs pinned at act_offset, temporaries packed by
// liveness), for max_batch samples.
void planMemory(ir::Graph &g);

// Appends the one fused optimizer update over the trainable parameters.
void addOptimizer(ir::Graph &g, const CheckedModel &model);

// Lists the ops of the generated forward, decode, accumulate and update
// functions (Graph::functions). Runs last.
void listFunctions(ir::Graph &g);

// Drops tensors no op or table refers to (after fusion).
void removeDeadTensors(ir::Graph &g);

// The passes after buildIR, in pipeline order, by the names that
// AEC_PRINT_IR_AFTER and `aec opt --pass=` use; `training` ones are skipped
// for inference-only graphs.
struct PassInfo {
  const char *name;
  bool training;
  void (*run)(ir::Graph &g, const CheckedModel &model);
};
const std::vector<PassInfo> &pipelinePasses();

// Why `pass` cannot run on `g` out of the pipeline (autodiff on a forward
// graph, fusion and memory before planning, the optimizer once planned and
// only once), or null. `aec opt` reports it instead of running the pass.
const char *passOutOfOrder(const PassInfo &pass, const ir::Graph &g);

// The model settings the passes read (the optimizer's), from a graph read
// back from its text form.
CheckedModel passSettingsOf(const ir::Graph &g);

// Runs the whole pipeline with a verifier after each stage; logs a line per
// stage when `log` is set. Returns false and sets `error` on failure.
bool runPipeline(const CheckedModel &model, bool inferenceOnly, ir::Graph &g,
                 std::string &error, bool log);

} // namespace aec::lower
