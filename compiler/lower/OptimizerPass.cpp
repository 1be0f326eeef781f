// The optimizer: one fused update op over the contiguous trainable parameter
// range (memory planning puts frozen parameters first), with the l2 weight
// decay folded in (g + l2·w). Adam keeps two state slots (m, v), SGD with
// momentum one (velocity), plain SGD none.
#include "compiler/lower/Passes.h"

namespace aec::lower {

using namespace ir;

void addOptimizer(Graph &g, const CheckedModel &model) {
  const TrainConfig &tc = model.train;
  Op op{tc.optimizer == OptimizerKind::Adam ? OpKind::Adam : OpKind::SGD, Phase::Update};
  op.begin = g.trainableBegin;
  op.count = g.trainableCount;
  op.lr = tc.lr;
  op.l2 = model.l2;
  if (op.kind == OpKind::Adam) {
    op.beta1 = tc.beta1;
    op.beta2 = tc.beta2;
    op.eps = tc.eps;
  } else {
    op.momentum = tc.momentum;
  }
  g.optSlots = optimizerStateSlots(tc.optimizer, tc.momentum);
  g.ops.push_back(op);
}

} // namespace aec::lower
