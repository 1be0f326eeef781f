// Reverse-mode autodiff over the forward ops.
//
// The gradient of the objective Σ_rows (loss + penalty) times the runtime
// `scale` is seeded at the loss and at the sparsity penalty; everything after
// is linear in it, so weight and bias gradients need no further scaling.
// Activation derivatives are expressed through the saved activation output
// (so no pre-activation has to be kept), or through the pre-activation for
// the activations whose registry row says deriv = Input. Frozen parameters get no gradient,
// and input gradients stop below the lowest layer that has a trainable
// parameter: nothing under it would consume them.
#include "compiler/lower/Passes.h"

#include <map>

namespace aec::lower {

using namespace ir;

void autodiff(Graph &g) {
  const int L = static_cast<int>(g.layerOutput.size());

  // needGrad[l]: the gradient w.r.t. layer l's output is consumed, i.e. some
  // layer at or below l has a trainable parameter.
  std::vector<bool> layerTrainable(L, false), needGrad(L, false);
  for (int l = 0; l < L; ++l) {
    if (g.layerWeight[l] >= 0 && g.tensors[g.layerWeight[l]].trainable)
      layerTrainable[l] = true;
    if (g.layerBias[l] >= 0 && g.tensors[g.layerBias[l]].trainable) layerTrainable[l] = true;
  }
  bool any = false;
  for (int l = 0; l < L; ++l) {
    any = any || layerTrainable[l];
    needGrad[l] = any;
  }
  // A tensor needs a gradient if it is produced at or above a layer that
  // needs one; the (noisy) input never does.
  auto tensorNeedsGrad = [&](int t) {
    const Tensor &x = g.tensors[t];
    if (x.buffer != Buffer::Workspace || x.layer < 0) return false;
    return static_cast<bool>(needGrad[x.layer]);
  };

  // Parameter gradients (one per trainable parameter, same shape).
  std::map<int, int> paramGrad;
  auto gradOfParam = [&](int p) {
    auto it = paramGrad.find(p);
    if (it != paramGrad.end()) return it->second;
    Tensor t;
    t.name = g.tensors[p].name + ".grad";
    t.buffer = Buffer::Grad;
    t.dims = g.tensors[p].dims;
    t.layer = g.tensors[p].layer;
    t.gradOf = p;
    int id = g.addTensor(t);
    paramGrad[p] = id;
    return id;
  };

  std::map<int, int> grad; // activation tensor -> its gradient tensor
  auto newGrad = [&](int t) {
    Tensor d;
    d.name = g.tensors[t].name + ".grad";
    d.buffer = Buffer::Workspace;
    d.batched = true;
    d.dims = g.tensors[t].dims;
    d.layer = g.tensors[t].layer;
    int id = g.addTensor(d);
    grad[t] = id;
    return id;
  };

  // A backward op of `op`'s layer (issue 7's ops carry their rate/weight in amount).
  auto backwardOf = [](OpKind kind, const Op &op, std::vector<int> ins) {
    Op b{kind, Phase::Backward};
    b.ins = std::move(ins);
    b.amount = op.amount;
    b.layer = op.layer;
    return b;
  };
  std::vector<Op> back;
  const std::vector<Op> fwd = g.ops;
  int sparsityFwd = -1;
  for (size_t i = 0; i < fwd.size(); ++i)
    if (fwd[i].kind == OpKind::Sparsity) sparsityFwd = static_cast<int>(i);

  for (int i = static_cast<int>(fwd.size()) - 1; i >= 0; --i) {
    const Op &op = fwd[i];
    // The code's sparsity gradient joins the gradient flowing down into the
    // code output, before the code layer's own activation derivative.
    if (sparsityFwd >= 0 && op.out >= 0 && op.out == fwd[sparsityFwd].ins[0] &&
        grad.count(op.out)) {
      const Op &sp = fwd[sparsityFwd];
      Op sg{OpKind::SparsityGrad, Phase::Backward};
      sg.ins = {sp.ins[0]};
      sg.out = grad[op.out];
      sg.accumulate = true;
      sg.sparsity = sp.sparsity;
      sg.amount = sp.amount;
      sg.target = sp.target;
      sg.layer = sp.layer;
      sg.scratch = sp.scratch;
      back.push_back(sg);
    }
    switch (op.kind) {
    case OpKind::Loss: {
      if (!tensorNeedsGrad(op.ins[0])) break;
      Op lg{OpKind::LossGrad, Phase::Backward};
      lg.ins = op.ins;
      lg.out = newGrad(op.ins[0]);
      lg.loss = op.loss;
      lg.layer = op.layer;
      back.push_back(lg);
      break;
    }
    case OpKind::Sparsity:
    case OpKind::Noise:
      break; // handled at the code layer / no gradient to the input
    case OpKind::VaeSample: {
      if (!grad.count(op.out)) break;
      Op vg = backwardOf(OpKind::VaeGrad, op, {grad[op.out], op.ins[0], op.ins[1], op.out2});
      vg.out = newGrad(op.ins[0]);
      vg.setOut2(Out2::LogvarGrad, newGrad(op.ins[1]));
      back.push_back(vg);
      break;
    }
    case OpKind::BatchNorm:
    case OpKind::LayerNorm: {
      if (!grad.count(op.out)) break;
      const int gamma = op.ins[1];
      const bool params = g.tensors[gamma].trainable, input = tensorNeedsGrad(op.ins[0]);
      if (!params && !input) break;
      const OpKind kind = op.kind == OpKind::BatchNorm ? OpKind::BatchNormGrad : OpKind::LayerNormGrad;
      Op bg = backwardOf(kind, op, {grad[op.out], op.ins[0], gamma, op.out2});
      bg.setOut2(Out2::NormParamGrad, params ? gradOfParam(gamma) : -1);
      if (params) gradOfParam(op.ins[2]); // beta's gradient: written by the same op
      bg.out = input ? newGrad(op.ins[0]) : -1;
      bg.accumulate = true;
      back.push_back(bg);
      break;
    }
    case OpKind::Dropout: {
      if (!grad.count(op.out) || !tensorNeedsGrad(op.ins[0])) break;
      Op dg = backwardOf(OpKind::DropoutGrad, op, {grad[op.out]});
      dg.out = newGrad(op.ins[0]);
      back.push_back(dg);
      break;
    }
    case OpKind::Act: {
      if (!grad.count(op.out)) break;
      Op ag{OpKind::ActGrad, Phase::Backward};
      const bool fromInput = info(op.act).deriv == DerivFrom::Input;
      ag.ins = {grad[op.out], fromInput ? op.ins[0] : op.out};
      ag.out = newGrad(op.ins[0]);
      ag.act = op.act;
      ag.layer = op.layer;
      back.push_back(ag);
      break;
    }
    case OpKind::BiasAdd: {
      if (!grad.count(op.out)) break;
      int dz = grad[op.out];
      grad[op.ins[0]] = dz; // d(z) = d(z + b)
      int b = op.ins[1];
      if (g.tensors[b].trainable) {
        Op bg{OpKind::BiasGrad, Phase::Backward};
        bg.ins = {dz};
        bg.out = gradOfParam(b);
        bg.accumulate = true;
        bg.layer = op.layer;
        back.push_back(bg);
      }
      break;
    }
    case OpKind::MatMul: {
      if (!grad.count(op.out)) break;
      int dz = grad[op.out];
      int x = op.ins[0], w = op.ins[1];
      if (g.tensors[w].trainable) {
        // z = x·w: dw += xᵀ·dz.  Tied (z = x·wᵀ): dw += dzᵀ·x.
        Op wg{OpKind::WeightGrad, Phase::Backward};
        wg.ins = op.transB ? std::vector<int>{dz, x} : std::vector<int>{x, dz};
        wg.out = gradOfParam(w);
        wg.accumulate = true;
        wg.layer = op.layer;
        back.push_back(wg);
      }
      if (tensorNeedsGrad(x)) {
        Op ig{OpKind::InputGrad, Phase::Backward};
        ig.ins = {dz, w};
        ig.transB = op.transB;
        // A tensor read by two matmuls (a VAE's two heads) sums both gradients.
        ig.accumulate = grad.count(x) > 0;
        ig.out = ig.accumulate ? grad[x] : newGrad(x);
        ig.layer = op.layer;
        back.push_back(ig);
      }
      break;
    }
    case OpKind::Conv: {
      // z = conv(x, w) + b: dw, db in one pass over the batch (split over
      // output channels); dx = convᵀ(dz, w). Each kernel gets its scratch.
      if (!grad.count(op.out)) break;
      int dz = grad[op.out];
      int x = op.ins[0], w = op.ins[1];
      auto scratch = [&](const Op &k, const char *what) {
        return ir::addConvScratch(g, k, g.tensors[op.out].name + what);
      };
      if (g.tensors[w].trainable) {
        Op wg{OpKind::ConvWeightGrad, Phase::Backward};
        wg.ins = {x, dz};
        wg.out = gradOfParam(w);
        if (op.ins.size() > 2 && g.tensors[op.ins[2]].trainable) {
          wg.setOut2(Out2::BiasGrad, gradOfParam(op.ins[2]));
        }
        wg.accumulate = true;
        wg.kernel = op.kernel;
        wg.stride = op.stride;
        wg.layer = op.layer;
        wg.scratch = scratch(wg, ".wgrad.scratch");
        back.push_back(wg);
      }
      if (tensorNeedsGrad(x)) {
        Op ig{OpKind::ConvInputGrad, Phase::Backward};
        ig.ins = {dz, w};
        ig.out = newGrad(x);
        ig.kernel = op.kernel;
        ig.stride = op.stride;
        ig.layer = op.layer;
        ig.scratch = scratch(ig, ".igrad.scratch");
        back.push_back(ig);
      }
      break;
    }
    case OpKind::Pool: {
      if (!grad.count(op.out) || !tensorNeedsGrad(op.ins[0])) break;
      Op pg{OpKind::PoolGrad, Phase::Backward};
      pg.ins = {grad[op.out], op.ins[0], op.out};
      pg.out = newGrad(op.ins[0]);
      pg.pool = op.pool;
      pg.factor = op.factor;
      pg.layer = op.layer;
      back.push_back(pg);
      break;
    }
    case OpKind::Reshape: {
      if (!grad.count(op.out) || !tensorNeedsGrad(op.ins[0])) break;
      Tensor d;
      d.name = g.tensors[op.ins[0]].name + ".grad";
      d.buffer = Buffer::Workspace;
      d.batched = true;
      d.dims = g.tensors[op.ins[0]].dims;
      d.layer = g.tensors[op.ins[0]].layer;
      d.aliasOf = grad[op.out];
      int id = g.addTensor(d);
      grad[op.ins[0]] = id;
      Op r{OpKind::Reshape, Phase::Backward};
      r.ins = {grad[op.out]};
      r.out = id;
      r.layer = op.layer;
      back.push_back(r);
      break;
    }
    // Not in the forward list autodiff reads (fused or backward/update ops):
    // listed so that -Wswitch names a new forward op without a rule here.
    case OpKind::Dense:
    case OpKind::LossGrad:
    case OpKind::ActGrad:
    case OpKind::SparsityGrad:
    case OpKind::WeightGrad:
    case OpKind::BiasGrad:
    case OpKind::InputGrad:
    case OpKind::ConvInputGrad:
    case OpKind::ConvWeightGrad:
    case OpKind::PoolGrad:
    case OpKind::DropoutGrad:
    case OpKind::BatchNormGrad:
    case OpKind::LayerNormGrad:
    case OpKind::VaeGrad:
    case OpKind::LossActGrad:
    case OpKind::Adam:
    case OpKind::SGD:
      break;
    }
  }
  for (Op &op : back) g.ops.push_back(std::move(op));
}

} // namespace aec::lower
