// Fusion: rewrites chains of simple ops into the fused forms the kernels
// implement in one pass over memory (see compiler/kernels/aec_kernels.h):
//
//   matmul -> bias_add -> act                 => dense (GEMM epilogue: bias, act)
//   conv (+bias) -> act                       => conv act=... (conv epilogue)
//   loss ... loss_grad -> act_grad (output)   => loss_act_grad (loss value and
//                                                dZ in one pass; BCE+sigmoid
//                                                gives dZ = scale·(y - x)/D)
//   input_grad -> [sparsity_grad] -> act_grad => input_grad deriv=act (the
//                                                derivative in the GEMM
//                                                epilogue; the code's sparsity
//                                                gradient and penalty folded in)
//   upsample -> conv, conv_weight_grad        => the conv ops read the upsample's
//                                                input (upsample=f), upsampling it
//                                                into their planes
//   conv_input_grad -> pool_grad (upsample)   => conv_input_grad upsample=f (the
//                                                block sums in its epilogue: the
//                                                full-resolution gradient is never
//                                                written)
//   conv_input_grad | pool_grad -> act_grad   => the same op with deriv=act
//
// Chains are matched on single-use intermediates only, so the rewrite never
// changes what any other op reads.
#include "compiler/lower/Passes.h"

#include <algorithm>
#include <map>

namespace aec::lower {

using namespace ir;

namespace {

// How many ops read each tensor.
std::vector<int> useCounts(const Graph &g) {
  std::vector<int> uses(g.tensors.size(), 0);
  for (const Op &op : g.ops)
    for (int in : op.ins) ++uses[in];
  return uses;
}

void fuseDense(Graph &g) {
  std::vector<int> uses = useCounts(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (size_t i = 0; i + 2 < g.ops.size(); ++i) {
    Op &mm = g.ops[i];
    if (mm.kind != OpKind::MatMul) continue;
    Op &ba = g.ops[i + 1];
    Op &ac = g.ops[i + 2];
    if (ba.kind != OpKind::BiasAdd || ba.ins[0] != mm.out || uses[mm.out] != 1) continue;
    // The pre-activation must not be read by anything else (backward reads y).
    if (ac.kind != OpKind::Act || ac.ins[0] != ba.out || uses[ba.out] != 1) continue;
    Op d{OpKind::Dense, Phase::Forward};
    d.ins = {mm.ins[0], mm.ins[1], ba.ins[1]};
    d.out = ac.out;
    d.act = ac.act;
    d.transB = mm.transB;
    d.layer = mm.layer;
    mm = d;
    dead[i + 1] = dead[i + 2] = true;
    i += 2;
  }
  std::vector<Op> kept;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(g.ops[i]));
  g.ops = std::move(kept);
}

// conv -> act => conv with the activation (and bias) in its epilogue.
void fuseConv(Graph &g) {
  std::vector<int> uses = useCounts(g);
  for (size_t i = 0; i + 1 < g.ops.size(); ++i) {
    Op &cv = g.ops[i];
    Op &ac = g.ops[i + 1];
    if (cv.kind != OpKind::Conv || cv.act != Activation::Linear) continue;
    if (ac.kind != OpKind::Act || ac.ins[0] != cv.out || uses[cv.out] != 1) continue;
    cv.out = ac.out;
    cv.act = ac.act;
    g.ops.erase(g.ops.begin() + static_cast<long>(i) + 1);
  }
}

// noise -> dense (reading the noisy copy): the dense op corrupts its own rows
// of the input right before multiplying them (one parallel pass instead of
// two, the noisy rows still hot in cache). The noisy copy stays materialized
// for the first layer's weight gradient.
void fuseNoise(Graph &g) {
  for (size_t i = 0; i + 1 < g.ops.size(); ++i) {
    Op &nz = g.ops[i];
    Op &d = g.ops[i + 1];
    if (nz.kind != OpKind::Noise || d.kind != OpKind::Dense || d.ins[0] != nz.out) continue;
    d.noiseFrom = nz.ins[0];
    d.setOut2(Out2::NoisyCopy, nz.out);
    d.noise = nz.noise;
    d.amount = nz.amount;
    d.trainOnly = true;
    g.ops.erase(g.ops.begin() + static_cast<long>(i));
    return;
  }
}

void fuseLoss(Graph &g) {
  for (size_t i = 0; i + 1 < g.ops.size(); ++i) {
    Op &lg = g.ops[i];
    Op &ag = g.ops[i + 1];
    if (lg.kind != OpKind::LossGrad || ag.kind != OpKind::ActGrad || ag.ins[0] != lg.out)
      continue;
    // BCE is defined on a sigmoid output only (sema checks it); its fused
    // gradient is taken w.r.t. the logits.
    if (lg.loss == LossKind::BCE && ag.act != Activation::Sigmoid) continue;
    auto lossIt = std::find_if(g.ops.begin(), g.ops.end(),
                               [&](const Op &o) { return o.kind == OpKind::Loss; });
    if (lossIt == g.ops.end()) continue;
    Op f{OpKind::LossActGrad, Phase::Backward};
    f.ins = lg.ins;
    f.out = ag.out;
    f.setOut2(Out2::LossValue, lossIt->out);
    f.loss = lg.loss;
    f.act = ag.act;
    f.layer = lg.layer;
    f.scratch = lossIt->scratch;
    size_t lossIdx = static_cast<size_t>(lossIt - g.ops.begin());
    g.ops[i] = f;
    g.ops.erase(g.ops.begin() + static_cast<long>(i) + 1);
    g.ops.erase(g.ops.begin() + static_cast<long>(lossIdx));
    return;
  }
}

// upsample -> conv: the conv and its weight gradient read the upsample's input
// and upsample it into their padded planes (the same values). The upsample
// itself stays: its output is the layer's, for layer_output.
void fuseUpsampleInput(Graph &g) {
  for (const Op &p : g.ops) {
    if (p.kind != OpKind::Pool || p.pool != PoolKind::Upsample) continue;
    for (Op &cv : g.ops)
      if ((cv.kind == OpKind::Conv || cv.kind == OpKind::ConvWeightGrad) && cv.ins[0] == p.out &&
          cv.factor <= 1) {
        cv.ins[0] = p.ins[0];
        cv.factor = p.factor;
      }
  }
}

// conv_input_grad -> pool_grad of the upsample that feeds the conv => one op
// writing the upsample input's gradient (same sums in the same order).
void fuseUpsampleGrad(Graph &g) {
  std::vector<int> uses = useCounts(g);
  for (size_t i = 0; i + 1 < g.ops.size(); ++i) {
    Op &ig = g.ops[i];
    const Op &pg = g.ops[i + 1];
    if (ig.kind != OpKind::ConvInputGrad || ig.hasDeriv || ig.factor > 1) continue;
    if (pg.kind != OpKind::PoolGrad || pg.pool != PoolKind::Upsample || pg.hasDeriv ||
        pg.ins[0] != ig.out || uses[ig.out] != 1)
      continue;
    ig.out = pg.out;
    ig.factor = pg.factor;
    g.ops.erase(g.ops.begin() + static_cast<long>(i) + 1);
  }
}

void fuseInputGrad(Graph &g) {
  std::vector<int> uses = useCounts(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    Op &ig = g.ops[i];
    const bool dense = ig.kind == OpKind::InputGrad;
    if (!dense && ig.kind != OpKind::ConvInputGrad && ig.kind != OpKind::PoolGrad) continue;
    if (ig.hasDeriv || ig.accumulate) continue;
    size_t j = i + 1;
    int sparsity = -1;
    // (Only the dense GEMM folds the sparsity gradient; for conv/pool the
    // sparsity_grad and act_grad stay separate ops.)
    if (dense && j < g.ops.size() && g.ops[j].kind == OpKind::SparsityGrad &&
        g.ops[j].out == ig.out) {
      sparsity = static_cast<int>(j);
      ++j;
    }
    if (j >= g.ops.size()) continue;
    Op &ag = g.ops[j];
    if (ag.kind != OpKind::ActGrad || ag.ins[0] != ig.out || uses[ig.out] != 1) continue;
    Op f = ig;
    f.out = ag.out;
    f.ins.push_back(ag.ins[1]); // the saved activation output
    f.hasDeriv = true;
    f.derivAct = ag.act;
    if (sparsity >= 0) {
      const Op &sg = g.ops[sparsity];
      f.foldsSparsity = true;
      f.sparsity = sg.sparsity;
      f.amount = sg.amount;
      f.target = sg.target;
      f.ins.push_back(sg.ins[0]); // the code
      // The penalty value comes from the same kernel call.
      f.scratch = sg.scratch;
      for (size_t k = 0; k < g.ops.size(); ++k)
        if (g.ops[k].kind == OpKind::Sparsity) {
          f.setOut2(Out2::Penalty, g.ops[k].out);
          dead[k] = true;
        }
      dead[sparsity] = true;
    }
    ig = f;
    dead[j] = true;
  }
  std::vector<Op> kept;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(g.ops[i]));
  g.ops = std::move(kept);
}

} // namespace

void fuse(Graph &g) {
  fuseDense(g);
  fuseConv(g);
  fuseNoise(g);
  fuseLoss(g);
  fuseUpsampleGrad(g);
  fuseUpsampleInput(g);
  fuseInputGrad(g);
  removeDeadTensors(g);
}

void removeDeadTensors(Graph &g) {
  const size_t n = g.tensors.size();
  std::vector<bool> live(n, false);
  auto mark = [&](int t) {
    while (t >= 0 && !live[t]) {
      live[t] = true;
      t = g.tensors[t].aliasOf;
    }
  };
  for (const Op &op : g.ops) forEachTensorRef(op, [&](int t, TensorRole) { mark(t); });
  mark(g.input);
  for (int t : g.layerOutput) mark(t);
  for (int t : g.paramTensors) mark(t);
  for (size_t i = 0; i < n; ++i)
    if (g.tensors[i].buffer == Buffer::Grad) mark(static_cast<int>(i));
  mark(g.lossValue);
  mark(g.sparsityValue);
  mark(g.vaeLogvar);
  mark(g.vaeEps);

  std::vector<int> remap(n, -1);
  std::vector<Tensor> kept;
  for (size_t i = 0; i < n; ++i)
    if (live[i]) {
      remap[i] = static_cast<int>(kept.size());
      kept.push_back(std::move(g.tensors[i]));
    }
  auto R = [&](int &t) {
    if (t >= 0) t = remap[t];
  };
  for (Tensor &t : kept) {
    R(t.aliasOf);
    R(t.gradOf);
  }
  g.tensors = std::move(kept);
  for (Op &op : g.ops) forEachTensorRef(op, [&](int &t, TensorRole) { R(t); });
  R(g.input);
  for (auto *v : {&g.layerOutput, &g.layerInput, &g.layerWeight, &g.layerBias, &g.paramTensors})
    for (int &t : *v) R(t);
  R(g.lossValue);
  R(g.sparsityValue);
  R(g.vaeLogvar);
  R(g.vaeEps);
}

} // namespace aec::lower
