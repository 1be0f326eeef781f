// Text form of the IR (`aec build --emit=ir`), stable for lit tests:
//
//   ir fashion_dense max_batch=256 params=... workspace=...
//   optimizer adam lr=0.001 beta1=0.9 ...          (training graphs)
//   tensor %enc1.weight : param [784, 512] trainable @0 layer=0
//   layer 0 in=%x out=%enc1.out weight=%enc1.weight bias=%enc1.bias
//   graph input=%x loss=%loss code_layer=1 ...
//   params %enc1.weight, %enc1.bias, ...
//   forward:
//     %enc1.out = dense %x.noisy, %enc1.weight, %enc1.bias act=relu
//   backward:
//     %enc1.weight.grad += weight_grad %x.noisy, %enc1.z.grad
//   update:
//     adam params[0, 535232) beta1=0.9 ... lr=0.001
//
// Everything the passes read is in the text, so Parser.cpp reads it back
// (print -> parse -> print is the identity; `aec opt` runs passes on it).
#include "compiler/ir/IR.h"

#include <fmt/format.h>

namespace aec::ir {

const char *poolKindName(PoolKind k) {
  switch (k) {
  case PoolKind::Max: return "max";
  case PoolKind::Avg: return "avg";
  case PoolKind::Upsample: return "upsample";
  }
  return "?"; // past the last kind (the IR reader looks names up in order)
}

const char *bufferName(Buffer b) {
  switch (b) {
  case Buffer::Input: return "input";
  case Buffer::Param: return "param";
  case Buffer::Grad: return "grad";
  case Buffer::Workspace: return "ws";
  case Buffer::Scalar: return "scalar";
  }
  return "?";
}

const char *phaseName(Phase p) {
  return p == Phase::Forward ? "forward" : p == Phase::Backward ? "backward" : "update";
}

namespace {

std::string shapeStr(const Tensor &t) {
  std::string s = "[";
  bool first = true;
  if (t.batched) {
    s += "n";
    first = false;
  }
  for (int64_t d : t.dims) {
    if (!first) s += ", ";
    s += std::to_string(d);
    first = false;
  }
  return s + "]";
}

// ` key=%name` for a tensor reference, nothing for none (-1).
std::string ref(const Graph &g, const char *key, int t) {
  return t >= 0 ? fmt::format(" {}=%{}", key, g.tensors[t].name) : std::string();
}

// The graph's bookkeeping: the layer table, the named tensors, the
// parameter order (aec_tensor_info), the trainable range once planned.
std::string printTables(const Graph &g) {
  auto at = [](const std::vector<int> &v, size_t l) { return l < v.size() ? v[l] : -1; };
  std::string s;
  for (size_t l = 0; l < g.layerOutput.size(); ++l)
    s += fmt::format("layer {}{}{}{}{}\n", l, ref(g, "in", at(g.layerInput, l)),
                     ref(g, "out", g.layerOutput[l]), ref(g, "weight", at(g.layerWeight, l)),
                     ref(g, "bias", at(g.layerBias, l)));
  s += "graph" + ref(g, "input", g.input) + ref(g, "loss", g.lossValue) +
       ref(g, "sparsity", g.sparsityValue) + ref(g, "vae_logvar", g.vaeLogvar) +
       ref(g, "vae_eps", g.vaeEps);
  if (g.codeLayer >= 0) s += fmt::format(" code_layer={}", g.codeLayer);
  if (g.trainableBegin != 0 || g.trainableCount != 0)
    s += fmt::format(" trainable=[{}, {})", g.trainableBegin, g.trainableBegin + g.trainableCount);
  s += "\nparams";
  for (size_t i = 0; i < g.paramTensors.size(); ++i)
    s += fmt::format("{}%{}", i ? ", " : " ", g.tensors[g.paramTensors[i]].name);
  return s + "\n";
}

// Graph::functions once listed: `function NAME i, j, ...` (op indices) per
// generated function, and the reads inference redirects.
std::string printFunctions(const Graph &g) {
  const Graph::Functions &f = g.functions;
  if (!f.listed) return "";
  std::string s;
  for (int k = 0; k < 4; ++k) {
    s += fmt::format("function {}", functionName(k));
    const std::vector<int> &list = f.list(k);
    for (size_t i = 0; i < list.size(); ++i) s += fmt::format("{}{}", i ? ", " : " ", list[i]);
    s += "\n";
  }
  s += "function inference_reads";
  for (size_t i = 0; i < f.inferenceReads.size(); ++i)
    s += fmt::format("{}%{}=%{}", i ? ", " : " ", g.tensors[f.inferenceReads[i].first].name,
                     g.tensors[f.inferenceReads[i].second].name);
  return s + "\n";
}

// One attribute of an op's row (Ops.def), with its leading space.
void printAttr(const Graph &g, const Op &op, attr::Attr a, std::string &s) {
  auto sparsity = [&](const char *key) {
    s += fmt::format(" {}={} weight={}", key, sparsityName(op.sparsity), op.amount);
    if (op.sparsity == SparsityKind::KL) s += fmt::format(" rho={}", op.target);
  };
  switch (a) {
  case attr::End: break;
  case attr::TransB:
    if (op.transB) s += " transB";
    break;
  case attr::Act: s += fmt::format(" act={}", activationName(op.act)); break;
  case attr::NoiseAmount:
    s += fmt::format(" kind={} amount={}", noiseName(op.noise), op.amount);
    break;
  case attr::FusedNoise:
    if (op.noiseFrom >= 0)
      s += fmt::format(" noise={}({}) from %{}", noiseName(op.noise), op.amount,
                       g.tensors[op.noiseFrom].name);
    break;
  case attr::P: s += fmt::format(" p={}", op.amount); break;
  case attr::Beta: s += fmt::format(" beta={}", op.amount); break;
  case attr::Loss: s += fmt::format(" loss={}", lossName(op.loss)); break;
  case attr::Sparsity: sparsity("kind"); break;
  case attr::FoldedSparsity:
    if (op.foldsSparsity) sparsity("sparsity");
    break;
  case attr::Deriv:
    if (op.hasDeriv) s += fmt::format(" deriv={}", activationName(op.derivAct));
    break;
  case attr::Kernel: { // 2-D when the weight (conv_weight_grad: its gradient) is 4-D
    const bool wg = op.kind == OpKind::ConvWeightGrad;
    const bool twoD = !op.ins.empty() && g.tensors[op.ins[wg ? 0 : 1]].dims.size() == (wg ? 3u : 4u);
    s += twoD ? fmt::format(" kernel={}x{}", op.kernel, op.kernel)
              : fmt::format(" kernel={}", op.kernel);
    if (op.stride != 1) s += fmt::format(" stride={}", op.stride);
    if (op.factor > 1) s += fmt::format(" upsample={}", op.factor);
    if (op.phases) s += " phases";
    break;
  }
  case attr::MaxPool:
    if (op.maxpool > 1) s += fmt::format(" maxpool={}", op.maxpool);
    break;
  case attr::Pool: s += fmt::format(" {} factor={}", poolKindName(op.pool), op.factor); break;
  case attr::Params: s += fmt::format(" params[{}, {})", op.begin, op.begin + op.count); break;
  case attr::AdamHyper:
    s += fmt::format(" beta1={} beta2={} eps={}", op.beta1, op.beta2, op.eps);
    break;
  case attr::Momentum: s += fmt::format(" momentum={}", op.momentum); break;
  case attr::L2:
    if (op.l2 != 0) s += fmt::format(" l2={}", op.l2);
    break;
  case attr::Lr: s += fmt::format(" lr={}", op.lr); break;
  }
}

} // namespace

std::string print(const Graph &g) {
  std::string s = fmt::format("ir {} max_batch={} params={} workspace={} opt_slots={}{}\n",
                              g.modelName, g.maxBatch, g.paramCount, g.workspaceSize,
                              g.optSlots, g.inferenceOnly ? " inference-only" : "");
  if (!g.inferenceOnly) {
    const TrainConfig &tc = g.train;
    const bool adam = tc.optimizer == OptimizerKind::Adam;
    s += fmt::format("optimizer {} lr={}", optimizerName(tc.optimizer), tc.lr);
    s += adam ? fmt::format(" beta1={} beta2={} eps={}", tc.beta1, tc.beta2, tc.eps)
              : fmt::format(" momentum={}", tc.momentum);
    s += fmt::format(" l2={}\n", g.l2);
  }
  for (const Tensor &t : g.tensors) {
    s += fmt::format("tensor %{} : {} {}", t.name, bufferName(t.buffer), shapeStr(t));
    if (t.buffer == Buffer::Param) s += t.trainable ? " trainable" : " frozen";
    if (t.isLayerOutput) s += " layer_output";
    if (t.aliasOf >= 0) s += fmt::format(" view(%{})", g.tensors[t.aliasOf].name);
    else if (t.offset >= 0) s += fmt::format(" @{}", t.offset);
    s += ref(g, "grad_of", t.gradOf);
    if (t.layer >= 0) s += fmt::format(" layer={}", t.layer);
    s += "\n";
  }
  s += printTables(g);
  Phase phase = Phase::Update;
  bool firstOp = true;
  for (const Op &op : g.ops) {
    if (firstOp || op.phase != phase) {
      phase = op.phase;
      s += fmt::format("{}:\n", phaseName(phase));
      firstOp = false;
    }
    s += "  ";
    if (op.out2 >= 0) s += fmt::format("%{}, ", g.tensors[op.out2].name);
    if (op.out >= 0 || op.out2 >= 0) // `_`: a second result only (batch_norm_grad without dx)
      s += fmt::format("{} {} ", op.out >= 0 ? "%" + g.tensors[op.out].name : "_",
                       op.accumulate ? "+=" : "=");
    s += opKindName(op.kind);
    for (size_t i = 0; i < op.ins.size(); ++i)
      s += fmt::format("{}%{}", i ? ", " : " ", g.tensors[op.ins[i]].name);
    for (attr::Attr a : opInfo(op.kind).attrs) {
      if (a == attr::End) break;
      printAttr(g, op, a, s);
    }
    if (op.trainOnly) s += " train_only";
    s += ref(g, "scratch", op.scratch);
    if (op.layer >= 0) s += fmt::format(" layer={}", op.layer);
    s += "\n";
  }
  return s + printFunctions(g);
}

const char *functionName(int k) {
  static const char *const names[] = {"forward", "decode", "accumulate", "update"};
  return k >= 0 && k < 4 ? names[k] : "?";
}

} // namespace aec::ir
