// The model tables: aec_tensor_info / aec_layer_info rows, the aec_model
// constant (struct types from ModelAbi.cpp), the weight initialisation kinds
// and the summary text `info` prints.
#include "compiler/codegen/Gen.h"
#include "compiler/codegen/ModelAbi.h"
#include "runtime/include/aec/model_abi.h"


namespace aec::codegen {

std::string modelSummary(const CheckedModel &model, const Graph &g) {
  std::string s = fmt::format("model {}: input {}", model.name, model.input.str());
  if (model.hasRange) s += fmt::format(" range [{}, {}]", model.rangeLo, model.rangeHi);
  s += fmt::format(", code {}, loss {}{}\n", model.codeShape().str(),
                   lossName(model.loss),
                   g.inferenceOnly ? ", inference-only" : "");
  s += fmt::format("  {:<8} {:<8} {:<10} {:<14} {:<14} {:>10}\n", "layer", "kind", "act", "in",
                   "out", "params");
  for (const Layer &l : model.layers) {
    std::string extra;
    if (l.tiedTo >= 0) extra = " tied to " + model.layers[l.tiedTo].name;
    if (l.frozen) extra += " frozen";
    s += fmt::format("  {:<8} {:<8} {:<10} {:<14} {:<14} {:>10}{}\n", l.name,
                     layerKindName(l.kind), activationName(l.activation), l.in.str(), l.out.str(),
                     l.paramCount(), extra);
  }
  s += fmt::format("  total: params={} frozen={}\n", model.trainableParams(),
                   model.frozenParams());
  return s;
}

Constant *Gen::cstr(const std::string &s, const std::string &name) {
  return abiString(M, s, opts_.prefix + ".str." + name);
}

void Gen::genModelConstant(Function *fwd, Function *dec, Function *acc, Function *upd) {
  ArrayType *dims4 = ArrayType::get(i64, 4);
  auto dimsConst = [&](const std::vector<int64_t> &d) {
    std::vector<Constant *> v(4, ConstantInt::get(i64, 0));
    for (size_t i = 0; i < d.size() && i < 4; ++i) v[i] = ConstantInt::get(i64, d[i]);
    return ConstantArray::get(dims4, v);
  };
  auto I32 = [&](int64_t v) { return ConstantInt::get(i32, v); };
  auto I64 = [&](int64_t v) { return ConstantInt::get(i64, v); };
  auto F32 = [&](double v) { return ConstantFP::get(f32, v); };

  const ModelAbiTypes abi = modelAbiTypes(C);
  StructType *tensorTy = abi.tensorInfo;
  std::vector<Constant *> tensors;
  for (int p : g_.paramTensors) {
    const ir::Tensor &t = g_.tensors[p];
    const Layer &l = model_.layers[t.layer];
    const bool isWeight = t.dims.size() >= 2; // dense [in][out], conv [out_c][in_c][k..]
    const bool conv = l.kind == LayerKind::Conv2D || l.kind == LayerKind::Conv1D;
    int init = isWeight ? info(l.activation).init : AEC_INIT_ZERO; // biases: zero
    for (const ChannelTensor &c : info(l.kind).chan) // the row's per-channel tensors
      if (c.suffix && t.name == l.name + c.suffix) init = c.init;
    int64_t fanIn = isWeight ? t.dims[0] : l.in.elements();
    int64_t fanOut = isWeight ? t.dims[1] : t.dims[0];
    if (conv && isWeight) { // receptive field: in_c·k(·k) inputs, out_c·k(·k) outputs
      int64_t taps = 1;
      for (size_t d = 2; d < t.dims.size(); ++d) taps *= t.dims[d];
      fanIn = t.dims[1] * taps;
      fanOut = t.dims[0] * taps;
    }
    tensors.push_back(ConstantStruct::get(
        tensorTy, {cstr(t.name, t.name), I32(t.layer), I32(static_cast<int>(t.dims.size())),
                   dimsConst(t.dims), I64(t.offset), I64(t.size()), I32(t.trainable ? 1 : 0),
                   I32(l.pretrained ? 1 : 0), I32(init), I64(fanIn), I64(fanOut)}));
  }
  ArrayType *tensorArr = ArrayType::get(tensorTy, tensors.size());
  auto *tensorGV = new GlobalVariable(M, tensorArr, true, GlobalValue::PrivateLinkage,
                                      ConstantArray::get(tensorArr, tensors),
                                      opts_.prefix + ".tensors");

  // aec_layer_info
  StructType *layerTy = abi.layerInfo;
  std::vector<Constant *> layers;
  for (size_t i = 0; i < model_.layers.size(); ++i) {
    const Layer &l = model_.layers[i];
    int s = g_.storageOf(g_.layerOutput[i]);
    layers.push_back(ConstantStruct::get(
        layerTy, {cstr(l.name, l.name), I32(info(l.kind).cValue), I32(info(l.activation).cValue),
                   I32(static_cast<int>(l.section)),
                  I32(l.out.rank()), dimsConst(l.out.dims), I64(l.out.elements()),
                  I64(g_.tensors[s].offset)}));
  }
  ArrayType *layerArr = ArrayType::get(layerTy, layers.size());
  auto *layerGV = new GlobalVariable(M, layerArr, true, GlobalValue::PrivateLinkage,
                                     ConstantArray::get(layerArr, layers),
                                     opts_.prefix + ".layers");

  StructType *modelTy = abi.model;
  const TrainConfig &tc = model_.train;
  Constant *nullp = ConstantPointerNull::get(cast<PointerType>(ptr));
  Constant *init = ConstantStruct::get(
      modelTy,
      {I32(AEC_ABI_VERSION), cstr(model_.name, "name"),
       I64(static_cast<int64_t>(model_.architectureHash())),
       cstr(modelSummary(model_, g_), "summary"), I32(model_.input.rank()),
       dimsConst(model_.input.dims), I64(model_.input.elements()), I32(model_.hasRange ? 1 : 0),
       F32(model_.rangeLo), F32(model_.rangeHi), I32(model_.codeIndex),
       I64(model_.codeShape().elements()), I64(g_.maxBatch), I64(g_.paramCount),
       I64(g_.optSlots), I64(g_.workspaceSize), I32(static_cast<int>(layers.size())), layerGV,
       I32(static_cast<int>(tensors.size())), tensorGV,
       model_.pretrainedPath.empty() ? nullp : cstr(model_.pretrainedPath, "pretrained"),
       I32(info(model_.loss).cValue), I32(info(tc.optimizer).cValue), F32(tc.lr), F32(tc.momentum),
       F32(tc.beta1), F32(tc.beta2), F32(tc.eps), I64(tc.batch), I64(tc.epochs),
       I64(static_cast<int64_t>(tc.seed)), I32(g_.inferenceOnly ? 1 : 0), fwd, dec,
       acc ? static_cast<Constant *>(acc) : nullp, upd ? static_cast<Constant *>(upd) : nullp,
       model_.variational ? static_cast<Constant *>(klWeight_) : nullp, F32(model_.klBeta),
       I64(model_.klWarmup), I64(g_.vaeLogvar >= 0 ? g_.tensors[g_.vaeLogvar].offset : -1),
       I32(static_cast<int>(tc.schedule)), F32(tc.scheduleFactor), I64(tc.scheduleEvery),
       I64(tc.warmup), F32(tc.validation), I64(tc.earlyStop),
       I32(static_cast<int>(model_.normalize)),
       I32(weightPack_ ? info(opts_.weightFormat).cValue : AEC_WEIGHTS_F32), I64(packedWords_),
       weightPack_ ? static_cast<Constant *>(weightPack_) : nullp,
       fwdPacked_ ? static_cast<Constant *>(fwdPacked_) : nullp,
       decPacked_ ? static_cast<Constant *>(decPacked_) : nullp});
  modelVar_ = new GlobalVariable(M, modelTy, true, GlobalValue::ExternalLinkage, init,
                                 opts_.prefix + "_model");
  modelVar_->setAlignment(Align(8));
}

} // namespace aec::codegen
