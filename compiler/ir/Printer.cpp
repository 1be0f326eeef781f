// Text form of the IR (`aec build --emit=ir`), stable for lit tests:
//
//   ir fashion_dense max_batch=256 params=... workspace=...
//   tensor %enc1.weight : param [784, 512] trainable @0
//   forward:
//     %enc1.out = dense %x.noisy, %enc1.weight, %enc1.bias act=relu
//   backward:
//     %enc1.weight.grad += weight_grad %x.noisy, %enc1.z.grad
//   update:
//     adam params[0, 535232) lr=0.001 ...
#include "compiler/ir/IR.h"

#include <fmt/format.h>

namespace aec::ir {

const char *opKindName(OpKind k) {
  switch (k) {
  case OpKind::Noise: return "noise";
  case OpKind::Dropout: return "dropout";
  case OpKind::BatchNorm: return "batch_norm";
  case OpKind::VaeSample: return "vae_sample";
  case OpKind::VaeGrad: return "vae_grad";
  case OpKind::BatchNormGrad: return "batch_norm_grad";
  case OpKind::DropoutGrad: return "dropout_grad";
  case OpKind::MatMul: return "matmul";
  case OpKind::BiasAdd: return "bias_add";
  case OpKind::Act: return "act";
  case OpKind::Reshape: return "reshape";
  case OpKind::Loss: return "loss";
  case OpKind::Sparsity: return "sparsity";
  case OpKind::Dense: return "dense";
  case OpKind::Conv: return "conv";
  case OpKind::Pool: return "pool";
  case OpKind::ConvInputGrad: return "conv_input_grad";
  case OpKind::ConvWeightGrad: return "conv_weight_grad";
  case OpKind::PoolGrad: return "pool_grad";
  case OpKind::LossGrad: return "loss_grad";
  case OpKind::ActGrad: return "act_grad";
  case OpKind::SparsityGrad: return "sparsity_grad";
  case OpKind::WeightGrad: return "weight_grad";
  case OpKind::BiasGrad: return "bias_grad";
  case OpKind::InputGrad: return "input_grad";
  case OpKind::LossActGrad: return "loss_act_grad";
  case OpKind::Adam: return "adam";
  case OpKind::SGD: return "sgd";
  }
  return "?";
}

const char *poolKindName(PoolKind k) {
  static const char *const names[] = {"max", "avg", "upsample"}; // PoolKind order
  return names[static_cast<int>(k)];
}

namespace {

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

} // namespace

std::string print(const Graph &g) {
  std::string s = fmt::format("ir {} max_batch={} params={} workspace={} opt_slots={}{}\n",
                              g.modelName, g.maxBatch, g.paramCount, g.workspaceSize,
                              g.optSlots, g.inferenceOnly ? " inference-only" : "");
  for (const Tensor &t : g.tensors) {
    s += fmt::format("tensor %{} : {} {}", t.name, bufferName(t.buffer), shapeStr(t));
    if (t.buffer == Buffer::Param) s += t.trainable ? " trainable" : " frozen";
    if (t.isLayerOutput) s += " layer_output";
    if (t.aliasOf >= 0) s += fmt::format(" view(%{})", g.tensors[t.aliasOf].name);
    else if (t.offset >= 0) s += fmt::format(" @{}", t.offset);
    s += "\n";
  }
  Phase phase = Phase::Update;
  bool firstOp = true;
  for (const Op &op : g.ops) {
    if (firstOp || op.phase != phase) {
      phase = op.phase;
      s += phase == Phase::Forward ? "forward:\n" : phase == Phase::Backward ? "backward:\n"
                                                                             : "update:\n";
      firstOp = false;
    }
    s += "  ";
    if (op.kind == OpKind::Adam || op.kind == OpKind::SGD) {
      s += fmt::format("{} params[{}, {})", opKindName(op.kind), op.begin, op.begin + op.count);
      if (op.kind == OpKind::Adam)
        s += fmt::format(" beta1={} beta2={} eps={}", op.beta1, op.beta2, op.eps);
      else
        s += fmt::format(" momentum={}", op.momentum);
      if (op.l2 != 0) s += fmt::format(" l2={}", op.l2);
      s += "\n";
      continue;
    }
    if (op.out2 >= 0) s += fmt::format("%{}, ", g.tensors[op.out2].name);
    if (op.out >= 0)
      s += fmt::format("%{} {} ", g.tensors[op.out].name, op.accumulate ? "+=" : "=");
    s += opKindName(op.kind);
    for (size_t i = 0; i < op.ins.size(); ++i)
      s += fmt::format("{}%{}", i ? ", " : " ", g.tensors[op.ins[i]].name);
    switch (op.kind) {
    case OpKind::Noise:
      s += fmt::format(" kind={} amount={} train_only", noiseName(op.noise), op.amount);
      break;
    case OpKind::Dropout:
    case OpKind::DropoutGrad:
      s += fmt::format(" p={}{}", op.amount, op.kind == OpKind::Dropout ? " train_only" : "");
      break;
    case OpKind::MatMul:
    case OpKind::Dense:
      if (op.transB) s += " transB";
      if (op.kind == OpKind::Dense) s += fmt::format(" act={}", activationName(op.act));
      if (op.noiseFrom >= 0)
        s += fmt::format(" noise={}({}) from %{} train_only", noiseName(op.noise), op.amount,
                         g.tensors[op.noiseFrom].name);
      break;
    case OpKind::Act:
    case OpKind::ActGrad:
      s += fmt::format(" act={}", activationName(op.act));
      break;
    case OpKind::Loss:
    case OpKind::LossGrad:
      s += fmt::format(" loss={}", lossName(op.loss));
      break;
    case OpKind::LossActGrad:
      s += fmt::format(" loss={} act={}", lossName(op.loss), activationName(op.act));
      break;
    case OpKind::Sparsity:
    case OpKind::SparsityGrad:
      s += fmt::format(" kind={} weight={}", sparsityName(op.sparsity), op.amount);
      if (op.sparsity == SparsityKind::KL) s += fmt::format(" rho={}", op.target);
      break;
    case OpKind::InputGrad:
      if (op.transB) s += " transB";
      if (op.hasDeriv) s += fmt::format(" deriv={}", activationName(op.derivAct));
      if (op.foldsSparsity)
        s += fmt::format(" sparsity={} weight={}", sparsityName(op.sparsity), op.amount);
      break;
    case OpKind::Conv:
    case OpKind::ConvInputGrad:
    case OpKind::ConvWeightGrad: {
      bool twoD = !op.ins.empty() && g.tensors[op.ins[op.kind == OpKind::ConvWeightGrad ? 0 : 1]]
                                             .dims.size() == (op.kind == OpKind::ConvWeightGrad ? 3u : 4u);
      s += twoD ? fmt::format(" kernel={}x{}", op.kernel, op.kernel)
                : fmt::format(" kernel={}", op.kernel);
      if (op.stride != 1) s += fmt::format(" stride={}", op.stride);
      if (op.factor > 1) s += fmt::format(" upsample={}", op.factor);
      if (op.kind == OpKind::Conv) s += fmt::format(" act={}", activationName(op.act));
      if (op.hasDeriv) s += fmt::format(" deriv={}", activationName(op.derivAct));
      if (op.scratch >= 0) s += fmt::format(" scratch=%{}", g.tensors[op.scratch].name);
      break;
    }
    case OpKind::Pool:
    case OpKind::PoolGrad:
      s += fmt::format(" {} factor={}", poolKindName(op.pool), op.factor);
      if (op.hasDeriv) s += fmt::format(" deriv={}", activationName(op.derivAct));
      break;
    default:
      break;
    }
    s += "\n";
  }
  return s;
}

} // namespace aec::ir
