// IR -> LLVM IR. Each IR op becomes one kernel call (compiler/kernels/
// aec_kernels.h) inside a small closure `void(ctx, begin, end)` that the
// runtime's aec_rt_parallel_for splits over threads. Only pointers, the batch
// row count and runtime scalars travel through the ctx struct; every shape,
// stride and activation is a literal in the closure, so after the kernels are
// inlined, O3 specializes their loops for this model.
#include "compiler/codegen/Gen.h"
#include "compiler/kernels/aec_tiles.h"

#include <cctype>
#include <set>

namespace aec::codegen {

std::string symbolPrefix(const std::string &modelName) {
  std::string s;
  for (char c : modelName)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "m_" + s;
  return s;
}


// The op's family (compiler/ir/Ops.def) names its emitter.
bool Gen::emitOp(Env &e, const Op &op) {
  using Family = ir::OpInfo::Family;
  switch (ir::opInfo(op.kind).family) {
  case Family::View: return true;
  case Family::Dense: return emitDense(e, op);
  case Family::Conv: return emitConv(e, op);
  case Family::Norm: return emitNorm(e, op);
  case Family::Elementwise: return emitElementwise(e, op);
  case Family::Update: return emitUpdate(e, op);
  case Family::Unfused: break;
  }
  return fail(std::string("internal error: unfused `") + ir::opKindName(op.kind) +
              "` reached code generation");
}

bool Gen::emitOps(Env &e, const std::vector<int> &ops, bool timed) {
  for (int i : ops)
    if (!emitStep(e, g_.ops[static_cast<size_t>(i)], timed)) return false;
  return true;
}

bool Gen::emitStep(Env &e, const Op &op, bool timed) {
  curLayer_ = op.layer;
  if (di_) di_->setLocation(*e.b, lineOf(op.layer));
  if (!timed || !profile_ || op.kind == OpKind::Reshape) return emitOp(e, op);
  Value *t0 = profile_->begin(*e.b);
  if (!emitOp(e, op)) return false;
  std::string layer = op.layer >= 0 ? model_.layers[op.layer].name : "model";
  profile_->end(*e.b, t0, op.phase == Phase::Update ? cI64(1) : e.n, layer, op,
                opFlopsPerRow(g_, op));
  return true;
}

Function *Gen::defineFunction(const std::string &name, FunctionType *ft) {
  Function *f = Function::Create(ft, GlobalValue::InternalLinkage, opts_.prefix + "." + name, M);
  f->addFnAttr(Attribute::NoUnwind);
  return f;
}

Gen::Env Gen::bindArgs(Function *f, IRBuilder<> &b, std::initializer_list<Value *Env::*> args) {
  Env e;
  e.b = &b;
  unsigned a = 0;
  for (Value *Env::*member : args) e.*member = f->getArg(a++);
  e.ctx = b.CreateAlloca(ctxTy, nullptr, "ctx");
  return e;
}

// forward(params, ws, x, n) / decode(params, ws, code, n); the packed
// variants take the packed weight copy after params.
Function *Gen::genForward(bool decodeOnly, bool packed) {
  std::vector<Type *> args = {ptr, ptr, ptr, i64};
  if (packed) args.insert(args.begin() + 1, ptr);
  FunctionType *ft = FunctionType::get(voidTy, args, false);
  std::string name = std::string(decodeOnly ? "decode" : "forward") + (packed ? "_packed" : "");
  Function *f = defineFunction(name, ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e = packed ? bindArgs(f, b, {&Env::params, &Env::packed, &Env::ws, &Env::x, &Env::n})
               : bindArgs(f, b, {&Env::params, &Env::ws, &Env::x, &Env::n});
  e.inference = true;
  for (const auto &[from, to] : g_.functions.inferenceReads) e.subst[from] = to;
  if (decodeOnly) {
    int code = g_.storageOf(g_.layerOutput[model_.codeIndex]);
    Value *dst = ptrOf(e, code);
    b.CreateMemMove(dst, MaybeAlign(4), e.x, MaybeAlign(4),
                   b.CreateMul(e.n, cI64(size(code) * 4)));
    e.x = nullptr;
  }
  if (!emitOps(e, decodeOnly ? g_.functions.decode : g_.functions.forward, false))
    return nullptr;
  b.CreateRetVoid();
  return f;
}

// --weight-format bf16|int8: every dense weight an inference function
// multiplies untransposed (a tied decoder's transposed reads stay f32) gets
// its copy; int8 only up to AEC_INT8_MAX_K rows (its kernel's stack).
std::vector<int> packedWeightOps(const ir::Graph &g, WeightFormat f) {
  std::vector<int> ops;
  std::set<int> weights;
  for (const std::vector<int> *list : {&g.functions.forward, &g.functions.decode})
    for (int i : *list) {
      const ir::Op &op = g.ops[static_cast<size_t>(i)];
      if (op.kind == ir::OpKind::Dense && !op.transB &&
          g.tensors[op.ins[1]].buffer == ir::Buffer::Param &&
          (f != WeightFormat::Int8 || g.tensors[op.ins[0]].size() <= AEC_INT8_MAX_K) &&
          weights.insert(op.ins[1]).second)
        ops.push_back(i);
    }
  return ops;
}

void Gen::planPacked() {
  for (int i : packedWeightOps(g_, opts_.weightFormat)) {
    const Op &op = g_.ops[static_cast<size_t>(i)];
    const int64_t K = size(op.ins[0]), N = size(op.out);
    packed_[op.ins[1]] = {packedWords_, K, N};
    packedWords_ += packedWords(opts_.weightFormat, K, N);
  }
}

// weight_pack(params, packed): aec_<format>_pack of every planned weight.
Function *Gen::genWeightPack() {
  Function *f = defineFunction("weight_pack", FunctionType::get(voidTy, {ptr, ptr}, false));
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e;
  e.b = &b;
  e.params = f->getArg(0);
  const std::string kernel = std::string("aec_") + info(opts_.weightFormat).keyword + "_pack";
  for (const auto &[t, w] : packed_)
    call(b, kernel.c_str(), {cI64(w.K), cI64(w.N), ptrOf(e, t),
                             b.CreateConstInBoundsGEP1_64(i32, f->getArg(1), w.offset)});
  b.CreateRetVoid();
  return f;
}

// accumulate(params, grads, ws, x, n, scale, noise_seed) -> Σ objective.
Function *Gen::genAccumulate() {
  FunctionType *ft = FunctionType::get(f32, {ptr, ptr, ptr, ptr, i64, f32, i64}, false);
  Function *f = defineFunction("accumulate", ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e = bindArgs(f, b, {&Env::params, &Env::grads, &Env::ws, &Env::x, &Env::n, &Env::scale,
                          &Env::seed});
  e.total = b.CreateAlloca(f64, nullptr, "total");
  b.CreateStore(ConstantFP::get(f64, 0.0), e.total);
  if (!emitOps(e, g_.functions.accumulate, true)) return nullptr;
  b.CreateRet(b.CreateFPTrunc(b.CreateLoad(f64, e.total), f32));
  return f;
}

// update(params, grads, opt_state, lr, step).
Function *Gen::genUpdate() {
  FunctionType *ft = FunctionType::get(voidTy, {ptr, ptr, ptr, f32, i64}, false);
  Function *f = defineFunction("update", ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  // (opt_state travels in the x slot)
  Env e = bindArgs(f, b, {&Env::params, &Env::grads, &Env::x, &Env::scale, &Env::seed});
  if (!emitOps(e, g_.functions.update, true)) return nullptr;
  b.CreateRetVoid();
  return f;
}

bool Gen::run(std::string &error) {
  if (!g_.functions.listed) {
    error = "internal error: the graph has no function lists (lower::listFunctions)";
    return false;
  }
  // The kernels' pointer arguments never alias in the calls generated here
  // (outputs are distinct workspace/grad regions); saying so lets O3 keep
  // values in registers across the inlined loops.
  for (const char *name : {"aec_gemm", "aec_gemm_bf16", "aec_gemm_int8", "aec_gemm_int8_vnni",
                           "aec_gemm_tn", "aec_colsum", "aec_noise",
                           "aec_loss", "aec_adam", "aec_sgd", "aec_conv_forward",
                           "aec_conv_backward_data", "aec_conv_backward_filter", "aec_pool_forward",
                           "aec_pool_backward", "aec_conv_maxpool_forward",
                           "aec_conv_maxpool_backward_filter", "aec_upconv_forward",
                           "aec_upconv_backward_data", "aec_upconv_backward_filter"})
    if (Function *f = M.getFunction(name))
      for (Argument &a : f->args())
        if (a.getType()->isPointerTy()) a.addAttr(Attribute::NoAlias);

  if (opts_.debugInfo) di_ = std::make_unique<DebugInfo>(M, opts_.modelLine);
  if (!g_.inferenceOnly) profile_ = std::make_unique<ProfileHooks>(M, opts_.prefix);
  klWeight_ = new GlobalVariable(
      M, f32, false, GlobalValue::InternalLinkage,
      ConstantFP::get(f32, model_.klWarmup > 0 ? 0.0 : model_.klBeta), opts_.prefix + ".kl_weight");
  Function *fwd = genForward(false);
  Function *dec = fwd ? genForward(true) : nullptr;
  if (dec && opts_.weightFormat != WeightFormat::F32) {
    planPacked();
    weightPack_ = genWeightPack();
    fwdPacked_ = genForward(false, true);
    decPacked_ = fwdPacked_ ? genForward(true, true) : nullptr;
    if (!decPacked_) dec = nullptr;
  }
  Function *acc = nullptr, *upd = nullptr;
  if (dec && !g_.inferenceOnly) {
    acc = genAccumulate();
    upd = acc ? genUpdate() : nullptr;
  }
  if (!error_.empty() || !fwd || !dec || (!g_.inferenceOnly && (!acc || !upd))) {
    error = error_.empty() ? "code generation failed" : error_;
    return false;
  }
  genModelConstant(fwd, dec, acc, upd);
  if (opts_.withMain) genMain(modelVar_);
  if (opts_.withCApi) genCApi(modelVar_);
  if (di_) di_->finish();
  return true;
}


bool generateModule(const CheckedModel &model, const Graph &g, const ModuleOptions &options,
                    Module &module, std::string &error) {
  Gen gen(model, g, options, module);
  return gen.run(error);
}

} // namespace aec::codegen
