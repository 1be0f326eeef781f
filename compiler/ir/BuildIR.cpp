// CheckedModel -> forward IR: noise on the input (training only), one
// matmul + bias + activation chain per dense layer, views for flatten and
// reshape, then the loss against the clean input and the sparsity penalty on
// the code. Fusion happens later (compiler/lower/Fusion.cpp) so that autodiff
// works on the simple ops.
#include "compiler/ir/IR.h"

#include <array>

namespace aec::ir {

namespace {

Tensor batched(std::string name, std::vector<int64_t> dims, int layer) {
  Tensor t;
  t.name = std::move(name);
  t.buffer = Buffer::Workspace;
  t.batched = true;
  t.dims = std::move(dims);
  t.layer = layer;
  return t;
}

Tensor scalar(std::string name) {
  Tensor t;
  t.name = std::move(name);
  t.buffer = Buffer::Scalar;
  return t;
}

} // namespace

bool buildIR(const CheckedModel &model, bool inferenceOnly, Graph &g, std::string &error) {
  g = Graph();
  g.modelName = model.name;
  g.maxBatch = model.train.batch > 0 ? model.train.batch : 1;
  g.train = model.train;
  g.l2 = model.l2;
  g.inferenceOnly = inferenceOnly;
  g.codeLayer = model.codeIndex;
  const size_t L = model.layers.size();
  g.layerOutput.assign(L, -1);
  g.layerInput.assign(L, -1);
  g.layerWeight.assign(L, -1);
  g.layerBias.assign(L, -1);

  Tensor x;
  x.name = "x";
  x.buffer = Buffer::Input;
  x.batched = true;
  x.dims = model.input.dims;
  g.input = g.addTensor(x);

  // Parameters first (own weights; tied layers reuse the twin's weight).
  std::vector<int> ownWeight(L, -1);
  for (size_t i = 0; i < L; ++i) {
    const Layer &l = model.layers[i];
    if (!l.hasWeights()) continue;
    const bool conv = l.kind == LayerKind::Conv2D || l.kind == LayerKind::Conv1D;
    if (!conv && l.kind != LayerKind::Dense) {
      error = "layer `" + l.name + "` (" + layerKindName(l.kind) +
              ") is not supported by the code generator yet";
      return false;
    }
    if (conv && l.tiedTo >= 0) {
      error = "layer `" + l.name + "`: tied weights are supported on dense layers only";
      return false;
    }
    int64_t in = l.in.elements(), out = conv ? l.channels : l.units;
    if (l.tiedTo < 0) {
      Tensor w;
      w.name = l.name + ".weight";
      w.buffer = Buffer::Param;
      // Dense [in][out]; conv [out_c][in_c][k][k] or [out_c][in_c][k].
      if (conv && l.kind == LayerKind::Conv2D)
        w.dims = {l.channels, l.in.dims[0], l.kernel, l.kernel};
      else if (conv)
        w.dims = {l.channels, l.in.dims[0], l.kernel};
      else
        w.dims = {in, out};
      w.layer = static_cast<int>(i);
      w.trainable = !l.frozen;
      ownWeight[i] = g.addTensor(w);
      g.paramTensors.push_back(ownWeight[i]);
    }
    Tensor b;
    b.name = l.name + ".bias";
    b.buffer = Buffer::Param;
    b.dims = {out};
    b.layer = static_cast<int>(i);
    b.trainable = !l.frozen;
    g.layerBias[i] = g.addTensor(b);
    g.paramTensors.push_back(g.layerBias[i]);
  }
  // A variational code's log-variance head (its mean head is the layer's
  // own weight and bias).
  int logvarW = -1, logvarB = -1;
  for (size_t i = 0; i < L; ++i) {
    const Layer &l = model.layers[i];
    if (!l.variational) continue;
    Tensor w;
    w.name = l.name + ".logvar.weight";
    w.buffer = Buffer::Param;
    w.dims = {l.in.elements(), l.units};
    w.layer = static_cast<int>(i);
    w.trainable = !l.frozen;
    logvarW = g.addTensor(w);
    g.paramTensors.push_back(logvarW);
    Tensor b = w;
    b.name = l.name + ".logvar.bias";
    b.dims = {l.units};
    logvarB = g.addTensor(b);
    g.paramTensors.push_back(logvarB);
  }
  // Per-channel tensors of the layer's row (layer_kinds.def `chan`: batch
  // norm's gamma, beta, running mean and variance), in the row's order.
  std::vector<std::array<int, kMaxChannelTensors>> chanParams(L);
  for (auto &p : chanParams) p.fill(-1);
  for (size_t i = 0; i < L; ++i) {
    const Layer &l = model.layers[i];
    const ChannelTensor *rows = info(l.kind).chan;
    for (int k = 0; k < kMaxChannelTensors && rows[k].suffix; ++k) {
      Tensor t;
      t.name = l.name + rows[k].suffix;
      t.buffer = Buffer::Param;
      t.dims = {l.normFeatures()};
      t.layer = static_cast<int>(i);
      t.trainable = rows[k].trained && !l.frozen;
      chanParams[i][k] = g.addTensor(t);
      g.paramTensors.push_back(chanParams[i][k]);
    }
  }
  for (size_t i = 0; i < L; ++i) {
    const Layer &l = model.layers[i];
    if (!l.hasWeights()) continue;
    if (l.tiedTo >= 0) {
      if (l.tiedTo >= static_cast<int>(L) || ownWeight[l.tiedTo] < 0) {
        error = "layer `" + l.name + "` is tied to a layer without its own weight";
        return false;
      }
      g.layerWeight[i] = ownWeight[l.tiedTo];
    } else {
      g.layerWeight[i] = ownWeight[i];
    }
  }

  auto addOp = [&](Op op) { g.ops.push_back(std::move(op)); };
  // The layer's activation on its pre-activation `z`; returns the output tensor.
  auto addActivation = [&](const Layer &l, int li, int z) {
    int y = g.addTensor(batched(l.name + ".out", l.out.dims, li));
    Op act{OpKind::Act};
    act.ins = {z};
    act.out = y;
    act.act = l.activation;
    act.layer = li;
    addOp(act);
    return y;
  };

  int cur = g.input;
  if (!inferenceOnly && model.noise != NoiseKind::None) {
    int noisy = g.addTensor(batched("x.noisy", model.input.dims, -1));
    Op op{OpKind::Noise};
    op.ins = {cur};
    op.out = noisy;
    op.noise = model.noise;
    op.amount = model.noiseAmount;
    op.trainOnly = true;
    addOp(op);
    cur = noisy;
  }

  for (size_t i = 0; i < L; ++i) {
    const Layer &l = model.layers[i];
    const int li = static_cast<int>(i);
    g.layerInput[i] = cur;
    int layerOut = -1; // if not `cur`: a variational code's output is its mean
    switch (l.kind) {
    case LayerKind::Dense: {
      if (l.variational) {
        // mean = the layer's own dense; logvar = the second head on the same
        // input; z = the sample (training) read by the decoder.
        const int in = cur;
        Op mm{OpKind::MatMul};
        mm.ins = {in, g.layerWeight[i]};
        mm.out = g.addTensor(batched(l.name + ".mm", {l.units}, li));
        mm.layer = li;
        addOp(mm);
        Op ba{OpKind::BiasAdd};
        ba.ins = {mm.out, g.layerBias[i]};
        ba.out = g.addTensor(batched(l.name + ".z", {l.units}, li));
        ba.layer = li;
        addOp(ba);
        const int mean = addActivation(l, li, ba.out);
        Op lm{OpKind::MatMul};
        lm.ins = {in, logvarW};
        lm.out = g.addTensor(batched(l.name + ".logvar.mm", {l.units}, li));
        lm.layer = li;
        addOp(lm);
        Op lb{OpKind::BiasAdd};
        lb.ins = {lm.out, logvarB};
        lb.out = g.addTensor(batched(l.name + ".logvar.z", {l.units}, li));
        lb.layer = li;
        addOp(lb);
        Op la{OpKind::Act};
        la.ins = {lb.out};
        la.out = g.addTensor(batched(l.name + ".logvar", {l.units}, li));
        la.layer = li;
        addOp(la);
        g.vaeLogvar = la.out;
        layerOut = mean;
        cur = mean;
        if (inferenceOnly) break;
        Op vs{OpKind::VaeSample};
        vs.ins = {mean, la.out};
        vs.out = g.addTensor(batched(l.name + ".sample", {l.units}, li));
        vs.setOut2(Out2::Eps, g.addTensor(batched(l.name + ".eps", {l.units}, -1)));
        g.vaeEps = vs.out2;
        vs.amount = model.klBeta;
        vs.trainOnly = true;
        vs.layer = li;
        addOp(vs);
        cur = vs.out;
        break;
      }
      int64_t out = l.units;
      int z = g.addTensor(batched(l.name + ".mm", {out}, li));
      Op mm{OpKind::MatMul};
      mm.ins = {cur, g.layerWeight[i]};
      mm.out = z;
      mm.transB = l.tiedTo >= 0;
      mm.layer = li;
      addOp(mm);
      int zb = g.addTensor(batched(l.name + ".z", {out}, li));
      Op ba{OpKind::BiasAdd};
      ba.ins = {z, g.layerBias[i]};
      ba.out = zb;
      ba.layer = li;
      addOp(ba);
      cur = addActivation(l, li, zb);
      break;
    }
    case LayerKind::Conv2D:
    case LayerKind::Conv1D: {
      // conv (+ bias) then the activation; fusion puts the activation into
      // the conv's epilogue. The kernel's scratch: ConvScratch.cpp.
      int z = g.addTensor(batched(l.name + ".z", l.out.dims, li));
      Op cv{OpKind::Conv};
      cv.ins = {cur, g.layerWeight[i], g.layerBias[i]};
      cv.out = z;
      cv.kernel = l.kernel;
      cv.stride = l.stride;
      cv.layer = li;
      cv.scratch = addConvScratch(g, cv, l.name + ".conv.scratch");
      addOp(cv);
      cur = addActivation(l, li, z);
      break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::Upsample: {
      int y = g.addTensor(batched(l.name + ".out", l.out.dims, li));
      Op op{OpKind::Pool};
      op.ins = {cur};
      op.out = y;
      op.factor = l.factor;
      op.pool = l.kind == LayerKind::MaxPool   ? PoolKind::Max
                : l.kind == LayerKind::AvgPool ? PoolKind::Avg
                                               : PoolKind::Upsample;
      op.layer = li;
      addOp(op);
      cur = y;
      break;
    }
    case LayerKind::BatchNorm:
    case LayerKind::LayerNorm: {
      // x and the row's per-channel tensors (gamma, beta[, running mean and
      // variance]); out2: the statistics the backward reads (mean, 1/std),
      // batch norm's per channel ([2C]), layer norm's per sample ([n, 2]).
      const bool perChannel = l.kind == LayerKind::BatchNorm;
      int y = g.addTensor(batched(l.name + ".out", l.out.dims, li));
      Tensor st = batched(l.name + ".stats", {2}, li);
      if (perChannel) {
        st = Tensor{};
        st.name = l.name + ".stats";
        st.buffer = Buffer::Workspace;
        st.dims = {2 * l.normFeatures()};
      }
      Op op{perChannel ? OpKind::BatchNorm : OpKind::LayerNorm};
      op.ins = {cur};
      for (int t : chanParams[i])
        if (t >= 0) op.ins.push_back(t);
      op.out = y;
      op.setOut2(Out2::NormStats, g.addTensor(st));
      op.layer = li;
      addOp(op);
      cur = y;
      break;
    }
    case LayerKind::Dropout: {
      // Inference-only: a view of its input (no code); otherwise training
      // draws the mask and the inference functions read the input instead.
      Tensor t = batched(l.name + ".out", l.out.dims, li);
      if (inferenceOnly) t.aliasOf = cur;
      int y = g.addTensor(t);
      Op op{inferenceOnly ? OpKind::Reshape : OpKind::Dropout};
      op.ins = {cur};
      op.out = y;
      op.amount = l.rate;
      op.trainOnly = true;
      op.layer = li;
      addOp(op);
      cur = y;
      break;
    }
    case LayerKind::Flatten:
    case LayerKind::Reshape: {
      Tensor t = batched(l.name + ".out", l.out.dims, li);
      t.aliasOf = cur;
      int y = g.addTensor(t);
      Op op{OpKind::Reshape};
      op.ins = {cur};
      op.out = y;
      op.layer = li;
      addOp(op);
      cur = y;
      break;
    }
    } // (no default: -Wswitch names a kind without its ops)
    if (layerOut < 0) layerOut = cur;
    g.tensors[layerOut].isLayerOutput = true;
    g.layerOutput[i] = layerOut;
  }

  if (!inferenceOnly) {
    g.lossValue = g.addTensor(scalar("loss"));
    Op loss{OpKind::Loss};
    // The loss is elementwise, so it reads the storage behind a trailing
    // reshape (same memory, same order) and fuses with that layer's act.
    loss.ins = {g.storageOf(cur), g.input};
    loss.out = g.lossValue;
    loss.loss = model.loss;
    loss.act = g.tensors[g.storageOf(cur)].layer >= 0
                   ? model.layers[g.tensors[g.storageOf(cur)].layer].activation
                   : Activation::Linear;
    loss.layer = static_cast<int>(L) - 1;
    Tensor rows = batched("loss.rows", {1}, -1);
    loss.scratch = g.addTensor(rows);
    addOp(loss);
    if (model.sparsity != SparsityKind::None && model.codeIndex >= 0) {
      g.sparsityValue = g.addTensor(scalar("sparsity"));
      Op sp{OpKind::Sparsity};
      sp.ins = {g.layerOutput[model.codeIndex]};
      sp.out = g.sparsityValue;
      sp.sparsity = model.sparsity;
      sp.amount = model.sparsityWeight;
      sp.target = model.sparsityTarget;
      sp.layer = model.codeIndex;
      if (model.sparsity == SparsityKind::KL) {
        Tensor scratch;
        scratch.name = "sparsity.scratch";
        scratch.buffer = Buffer::Workspace;
        scratch.dims = {g.tensors[sp.ins[0]].size()};
        sp.scratch = g.addTensor(scratch);
      }
      addOp(sp);
    }
  }
  return true;
}

} // namespace aec::ir
