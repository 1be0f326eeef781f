// Functions: which ops each generated function runs, so that codegen emits
// lists instead of deciding what to skip.
//   forward     the forward phase without noise, dropout, sampling, loss and
//               sparsity (inference reads the clean input: `inferenceReads`)
//   decode      the forward ops of the layers after the code
//   accumulate  forward (with noise, dropout, sampling, loss, sparsity) and backward
//   update      the optimizer
#include "compiler/lower/Passes.h"

namespace aec::lower {

using namespace ir;

void listFunctions(Graph &g) {
  Graph::Functions &f = g.functions;
  f = Graph::Functions{};
  for (int i = 0; i < static_cast<int>(g.ops.size()); ++i) {
    const Op &op = g.ops[i];
    const bool trainingForward = op.kind == OpKind::Noise || op.kind == OpKind::Dropout ||
                                 op.kind == OpKind::VaeSample;
    if (trainingForward) f.inferenceReads.push_back({op.out, op.ins[0]});
    if (op.out2Role == Out2::NoisyCopy) f.inferenceReads.push_back({op.out2, op.noiseFrom});
    if (op.phase == Phase::Update) {
      f.update.push_back(i);
      continue;
    }
    f.accumulate.push_back(i);
    if (op.phase != Phase::Forward || trainingForward || op.kind == OpKind::Loss ||
        op.kind == OpKind::Sparsity)
      continue;
    f.forward.push_back(i);
    if (op.layer > g.codeLayer) f.decode.push_back(i);
  }
  f.listed = true;
}

} // namespace aec::lower
