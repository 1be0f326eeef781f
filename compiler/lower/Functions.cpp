// Functions: which ops each generated function runs, so that codegen emits
// lists instead of deciding what to skip.
//   forward     the forward phase without noise, dropout, sampling, loss and
//               sparsity (inference reads the clean input: `inferenceReads`)
//   decode      the forward ops of the layers after the code
//   accumulate  forward (with noise, dropout, sampling, loss, sparsity) and backward,
//               without pools whose output the step never reads
//   update      the optimizer
#include "compiler/lower/Passes.h"

namespace aec::lower {

using namespace ir;

// A forward pool whose output no op of the list reads leaves it: an upsample
// fused into every conv after it (issue 13.2) still writes its full-resolution
// output in forward / decode (a layer output of the inference API), but the
// training step never reads it.
static void dropUnreadPools(const Graph &g, std::vector<int> &list) {
  std::vector<char> read(g.tensors.size(), 0);
  for (int i : list)
    forEachTensorRef(g.ops[i], [&](int t, TensorRole role) {
      if (t >= 0 && (role == TensorRole::In || role == TensorRole::NoiseFrom)) read[t] = 1;
    });
  std::vector<int> kept;
  for (int i : list) {
    const Op &op = g.ops[i];
    if (op.kind == OpKind::Pool && op.phase == Phase::Forward && !read[op.out]) continue;
    kept.push_back(i);
  }
  list = kept;
}

void listFunctions(Graph &g) {
  Graph::Functions &f = g.functions;
  f = Graph::Functions{};
  for (int i = 0; i < static_cast<int>(g.ops.size()); ++i) {
    const Op &op = g.ops[i];
    const OpInfo::Infer infer = opInfo(op.kind).infer; // Ops.def
    if (infer == OpInfo::Infer::Bypass) f.inferenceReads.push_back({op.out, op.ins[0]});
    if (op.out2Role == Out2::NoisyCopy) f.inferenceReads.push_back({op.out2, op.noiseFrom});
    if (op.phase == Phase::Update) {
      f.update.push_back(i);
      continue;
    }
    f.accumulate.push_back(i);
    if (op.phase != Phase::Forward || infer != OpInfo::Infer::Run) continue;
    f.forward.push_back(i);
    if (op.layer > g.codeLayer) f.decode.push_back(i);
  }
  dropUnreadPools(g, f.accumulate);
  f.listed = true;
}

} // namespace aec::lower
