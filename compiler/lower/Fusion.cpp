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
//   conv ops with upsample=2, 3x3, stride 1   => phases: each output phase is a
//                                                2x2 conv at the input's
//                                                resolution (summed taps: 4 MACs
//                                                instead of 9, another order)
//   conv_input_grad | pool_grad -> act_grad   => the same op with deriv=act
//   conv act -> maxpool 2                     => conv maxpool=2 (the pooled output
//                                                from its epilogue; the unpooled
//                                                layer output as out2, written where
//                                                a function reads it)
//   + its pool_grad deriv=act feeding only    => + conv_weight_grad maxpool=2 (the
//     the conv's weight gradient                 conv's output gradient rebuilt per
//                                                sample from the pooled one, the
//                                                pooled output and the forward's
//                                                argmax: no full-resolution tensor
//                                                in training)
//
// Chains are matched on single-use intermediates only (followed through the
// def-use links, not op positions), so the rewrite never changes what any
// other op reads. An activation whose derivative reads the pre-activation
// (registry deriv = Input) leaves it read twice: then matmul -> bias_add
// becomes a linear dense and the act stays its own op.
#include "compiler/lower/Passes.h"
#include "compiler/kernels/aec_conv.h" // scratch geometry (inline helpers only)

#include <algorithm>
#include <map>

namespace aec::lower {

using namespace ir;

namespace {

// The def-use links: the ops reading each tensor, in order.
struct Uses {
  std::vector<std::vector<int>> readers;
  explicit Uses(const Graph &g) : readers(g.tensors.size()) {
    for (size_t i = 0; i < g.ops.size(); ++i)
      for (int in : g.ops[i].ins) readers[in].push_back(static_cast<int>(i));
  }
  // The op of kind `k` that is the only reader of `t` (as its first input), or -1.
  int onlyReader(const Graph &g, int t, OpKind k) const {
    if (t < 0 || readers[t].size() != 1) return -1;
    const int r = readers[t][0];
    return g.ops[r].kind == k && g.ops[r].ins[0] == t ? r : -1;
  }
  // The first op of kind `k` reading `t` as its first input, or -1.
  int firstReader(const Graph &g, int t, OpKind k) const {
    for (int r : readers[t])
      if (g.ops[r].kind == k && g.ops[r].ins[0] == t) return r;
    return -1;
  }
};

void eraseDead(Graph &g, const std::vector<bool> &dead) {
  std::vector<Op> kept;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(g.ops[i]));
  g.ops = std::move(kept);
}

void fuseDense(Graph &g) {
  const Uses uses(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    Op &mm = g.ops[i];
    if (mm.kind != OpKind::MatMul) continue;
    const int bi = uses.onlyReader(g, mm.out, OpKind::BiasAdd);
    if (bi < 0) continue;
    const Op &ba = g.ops[bi];
    // The activation joins unless its input is read elsewhere too.
    const int ai = uses.onlyReader(g, ba.out, OpKind::Act);
    Op d{OpKind::Dense, Phase::Forward};
    d.ins = {mm.ins[0], mm.ins[1], ba.ins[1]};
    d.out = ai >= 0 ? g.ops[ai].out : ba.out;
    d.act = ai >= 0 ? g.ops[ai].act : Activation::Linear;
    d.transB = mm.transB;
    d.layer = mm.layer;
    mm = d;
    dead[bi] = true;
    if (ai >= 0) dead[ai] = true;
  }
  eraseDead(g, dead);
}

// conv -> act => conv with the activation (and bias) in its epilogue.
void fuseConv(Graph &g) {
  const Uses uses(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (Op &cv : g.ops) {
    if (cv.kind != OpKind::Conv || cv.act != Activation::Linear) continue;
    const int ai = uses.onlyReader(g, cv.out, OpKind::Act);
    if (ai < 0) continue;
    cv.out = g.ops[ai].out;
    cv.act = g.ops[ai].act;
    dead[ai] = true;
  }
  eraseDead(g, dead);
}

// noise -> dense (reading the noisy copy): the dense op corrupts its own rows
// of the input right before multiplying them (one parallel pass instead of
// two, the noisy rows still hot in cache). The noisy copy stays materialized
// for the first layer's weight gradient.
void fuseNoise(Graph &g) {
  const Uses uses(g);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op &nz = g.ops[i];
    if (nz.kind != OpKind::Noise) continue;
    const int di = uses.firstReader(g, nz.out, OpKind::Dense);
    if (di < 0) continue;
    Op &d = g.ops[di];
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
  const Uses uses(g);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    Op &lg = g.ops[i];
    if (lg.kind != OpKind::LossGrad) continue;
    const int ai = uses.onlyReader(g, lg.out, OpKind::ActGrad);
    if (ai < 0) continue;
    const Op &ag = g.ops[ai];
    // BCE is defined on a sigmoid output only (sema checks it); its fused
    // gradient is taken w.r.t. the logits.
    if (lg.loss == LossKind::BCE && ag.act != Activation::Sigmoid) continue;
    // An activation whose derivative reads the pre-activation keeps its
    // act_grad; the loss kernel then gives the output gradient only.
    const bool ownActGrad = info(ag.act).deriv == DerivFrom::Input;
    auto lossIt = std::find_if(g.ops.begin(), g.ops.end(),
                               [&](const Op &o) { return o.kind == OpKind::Loss; });
    if (lossIt == g.ops.end()) continue;
    Op f{OpKind::LossActGrad, Phase::Backward};
    f.ins = lg.ins;
    f.out = ownActGrad ? lg.out : ag.out;
    f.setOut2(Out2::LossValue, lossIt->out);
    f.loss = lg.loss;
    f.act = ownActGrad ? Activation::Linear : ag.act;
    f.layer = lg.layer;
    f.scratch = lossIt->scratch;
    std::vector<bool> dead(g.ops.size(), false);
    dead[static_cast<size_t>(lossIt - g.ops.begin())] = true;
    if (!ownActGrad) dead[ai] = true;
    g.ops[i] = f;
    eraseDead(g, dead);
    return;
  }
}

// upsample -> conv (stride 1: a strided conv reads phase planes): the conv and
// its weight gradient read the upsample's input and upsample it into their
// padded planes (the same values). The upsample itself stays: its output is
// the layer's, for layer_output.
void fuseUpsampleInput(Graph &g) {
  for (const Op &p : g.ops) {
    if (p.kind != OpKind::Pool || p.pool != PoolKind::Upsample) continue;
    for (Op &cv : g.ops)
      if ((cv.kind == OpKind::Conv || cv.kind == OpKind::ConvWeightGrad) && cv.ins[0] == p.out &&
          cv.factor <= 1 && cv.stride == 1) {
        cv.ins[0] = p.ins[0];
        cv.factor = p.factor;
      }
  }
}

// conv_input_grad -> pool_grad of the upsample that feeds the conv => one op
// writing the upsample input's gradient (same sums in the same order).
void fuseUpsampleGrad(Graph &g) {
  const Uses uses(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (Op &ig : g.ops) {
    if (ig.kind != OpKind::ConvInputGrad || ig.hasDeriv || ig.factor > 1 || ig.stride > 1)
      continue;
    const int pi = uses.onlyReader(g, ig.out, OpKind::PoolGrad);
    if (pi < 0) continue;
    const Op &pg = g.ops[pi];
    if (pg.pool != PoolKind::Upsample || pg.hasDeriv) continue;
    ig.out = pg.out;
    ig.factor = pg.factor;
    dead[pi] = true;
  }
  eraseDead(g, dead);
}

// conv (act) -> maxpool 2: one forward pass writes the pooled output (and the
// unpooled one where a function reads it: the inference functions, a training
// step whose pool_grad stays). When the pool's backward feeds only the conv's
// weight gradient (the first conv of an encoder: no input gradient), that
// weight gradient takes it over, rebuilding the conv's output gradient from the
// pooled gradient, the pooled output and the argmax: the training forward
// stores the argmax (a byte per pooled output) in the unpooled tensor's storage,
// whose values training then never reads, so training writes and reads no
// full-resolution tensor of the layer and recomputes nothing.
void fuseConvMaxpool(Graph &g) {
  const Uses uses(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (Op &cv : g.ops) {
    if (cv.kind != OpKind::Conv || cv.maxpool > 1 || cv.stride != 1 || cv.factor > 1) continue;
    const Tensor &x = g.tensors[cv.ins[0]], &y = g.tensors[cv.out];
    if (x.dims.size() != 3 || y.dims[1] % 2 || y.dims[2] % 2) continue;
    const int pi = uses.firstReader(g, cv.out, OpKind::Pool);
    if (pi < 0 || g.ops[pi].pool != PoolKind::Max || g.ops[pi].factor != 2) continue;
    // The backward fuses if the readers are the pool and its pool_grad (x and
    // the derivative through the conv's act), whose dZ only the conv's weight
    // gradient reads (as its in1), one unit per output channel.
    int gi = -1, wi = -1;
    bool other = info(cv.act).deriv != DerivFrom::Output;
    for (int r : uses.readers[cv.out]) {
      const Op &op = g.ops[r];
      if (r == pi || r == gi) continue; // the pool_grad reads it twice
      if (op.kind == OpKind::PoolGrad && gi < 0 && op.pool == PoolKind::Max && op.factor == 2 &&
          op.ins[1] == cv.out && op.ins[2] == g.ops[pi].out &&
          (op.hasDeriv ? op.derivAct == cv.act && op.ins[3] == cv.out
                       : cv.act == Activation::Linear))
        gi = r;
      else
        other = true;
    }
    if (gi >= 0 && !other) {
      const auto &rd = uses.readers[g.ops[gi].out];
      if (rd.size() == 1 && g.ops[rd[0]].kind == OpKind::ConvWeightGrad &&
          g.ops[rd[0]].ins[1] == g.ops[gi].out && g.ops[rd[0]].ins[0] == cv.ins[0] &&
          g.ops[rd[0]].factor <= 1 && aec_conv_wg_groups(x.dims[0], y.dims[0]) == 1)
        wi = rd[0];
    }
    const int unpooled = cv.out;
    cv.out = g.ops[pi].out;
    cv.setOut2(Out2::Unpooled, unpooled);
    cv.maxpool = 2;
    dead[pi] = true;
    if (wi < 0) continue;
    Op &wg = g.ops[wi];
    wg.ins = {cv.ins[0], g.ops[gi].ins[0], cv.out, unpooled}; // x, dY, y, the argmax
    wg.maxpool = 2;
    wg.hasDeriv = true;
    wg.derivAct = cv.act;
    Tensor &s = g.tensors[wg.scratch];
    s.batched = false;
    s.dims = {ir::convScratch(g, wg).floats()};
    dead[gi] = true;
  }
  eraseDead(g, dead);
}

// A fused upsample by 2 before a 3x3 conv: the conv ops run per output phase
// at the low resolution (compiler/kernels/aec_conv_phases.c), with their
// smaller scratch.
void fuseUpsamplePhases(Graph &g) {
  for (Op &cv : g.ops) {
    const bool conv = cv.kind == OpKind::Conv || cv.kind == OpKind::ConvInputGrad ||
                      cv.kind == OpKind::ConvWeightGrad;
    const int x = cv.kind == OpKind::ConvInputGrad ? cv.out : conv ? cv.ins[0] : -1;
    if (!conv || cv.factor != 2 || cv.kernel != 3 || cv.stride != 1 ||
        g.tensors[x].dims.size() != 3 || cv.scratch < 0)
      continue;
    cv.phases = true;
    Tensor &t = g.tensors[cv.scratch];
    t.batched = false;
    t.dims = {ir::convScratch(g, cv).floats()};
  }
}

void fuseInputGrad(Graph &g) {
  const Uses uses(g);
  std::vector<bool> dead(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    Op &ig = g.ops[i];
    const bool dense = ig.kind == OpKind::InputGrad;
    if (!dense && ig.kind != OpKind::ConvInputGrad && ig.kind != OpKind::PoolGrad) continue;
    if (ig.hasDeriv || ig.accumulate) continue;
    const int j = uses.onlyReader(g, ig.out, OpKind::ActGrad);
    if (j < 0) continue;
    // Another op writing the gradient before it is read: only the code's
    // sparsity gradient (+=), and only the dense GEMM folds it; for conv/pool
    // the sparsity_grad and act_grad stay separate ops.
    int sparsity = -1;
    bool otherWriter = false;
    for (int k = static_cast<int>(i) + 1; k < j; ++k)
      if (g.ops[k].out == ig.out) {
        otherWriter |= !dense || sparsity >= 0 || g.ops[k].kind != OpKind::SparsityGrad;
        sparsity = k;
      }
    if (otherWriter) continue;
    const Op &ag = g.ops[j];
    Op f = ig;
    f.out = ag.out;
    f.ins.push_back(ag.ins[1]); // the saved output (or pre-activation, deriv = Input)
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
  eraseDead(g, dead);
}

} // namespace

void fuse(Graph &g) {
  fuseDense(g);
  fuseConv(g);
  fuseNoise(g);
  fuseLoss(g);
  fuseUpsampleGrad(g);
  fuseUpsampleInput(g);
  fuseUpsamplePhases(g);
  fuseInputGrad(g);
  fuseConvMaxpool(g); // after the pool_grad took its act_grad
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
    if (g.tensors[i].buffer == Buffer::Grad) { // and its parameter, even if no op reads it
      mark(static_cast<int>(i));
      mark(g.tensors[i].gradOf);
    }
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
