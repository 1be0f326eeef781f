#include "compiler/codegen/ProfileHooks.h"
#include "compiler/codegen/ModelAbi.h"

#include <llvm/IR/Module.h>

#include "runtime/include/aec/profile.h"

using namespace llvm;

namespace aec::codegen {

StructType *profileOpType(LLVMContext &C) {
  Type *ptr = PointerType::getUnqual(C), *i32 = Type::getInt32Ty(C);
  // layer, what, index, phase, flops_per_row
  return StructType::get(C, {ptr, ptr, i32, i32, Type::getDoubleTy(C)});
}

double opFlopsPerRow(const ir::Graph &g, const ir::Op &op) {
  using ir::OpKind;
  auto size = [&](int t) { return static_cast<double>(g.tensors[t].size()); };
  auto channels = [&](int t) { return static_cast<double>(g.tensors[t].dims.at(0)); };
  const double pooled = op.maxpool > 1 ? op.maxpool * op.maxpool : 1; // out / dY pooled
  switch (op.kind) {
  case OpKind::MatMul:
  case OpKind::Dense:
  case OpKind::InputGrad: // [K]·[K×N] per row, or its transpose
    return 2 * size(op.ins[0]) * size(op.out);
  case OpKind::WeightGrad: // out [K×N] += xᵀ·dZ: K·N multiply-adds per row
    return 2 * size(op.out);
  case OpKind::Conv: // every output position: C_in·k(·k) multiply-adds per output channel
    return 2 * size(op.ins[1]) * size(op.out) / channels(op.out) * pooled;
  case OpKind::ConvInputGrad:
    return 2 * size(op.ins[1]) * size(op.ins[0]) / channels(op.ins[0]);
  case OpKind::ConvWeightGrad:
    return 2 * size(op.out) * size(op.ins[1]) / channels(op.ins[1]) * pooled;
  default:
    return 0;
  }
}

ProfileHooks::ProfileHooks(Module &m, std::string prefix) : M(m), prefix_(std::move(prefix)) {
  // Objects must link without the runtime's profiler (the gradient checks
  // link a bare object): a weak zero flag, overridden by the runtime's when
  // it is linked, and weak hooks, only called once the runtime set the flag.
  flag_ = M.getGlobalVariable("aec_rt_profiling");
  if (!flag_)
    flag_ = new GlobalVariable(M, Type::getInt32Ty(M.getContext()), false,
                               GlobalValue::WeakAnyLinkage,
                               ConstantInt::get(Type::getInt32Ty(M.getContext()), 0),
                               "aec_rt_profiling");
}

FunctionCallee ProfileHooks::weakHook(const char *name, FunctionType *ty) {
  FunctionCallee f = M.getOrInsertFunction(name, ty);
  cast<Function>(f.getCallee())->setLinkage(GlobalValue::ExternalWeakLinkage);
  return f;
}

Value *ProfileHooks::enabled(IRBuilder<> &b) {
  return b.CreateICmpNE(b.CreateLoad(b.getInt32Ty(), flag_), b.getInt32(0));
}

Value *ProfileHooks::begin(IRBuilder<> &b) {
  Function *f = b.GetInsertBlock()->getParent();
  BasicBlock *from = b.GetInsertBlock();
  BasicBlock *hook = BasicBlock::Create(M.getContext(), "profile.begin", f);
  BasicBlock *op = BasicBlock::Create(M.getContext(), "op", f);
  b.CreateCondBr(enabled(b), hook, op);
  b.SetInsertPoint(hook);
  FunctionCallee fn = weakHook("aec_rt_profile_begin", FunctionType::get(b.getInt64Ty(), false));
  Value *t = b.CreateCall(fn);
  b.CreateBr(op);
  b.SetInsertPoint(op);
  PHINode *t0 = b.CreatePHI(b.getInt64Ty(), 2, "t0");
  t0->addIncoming(b.getInt64(0), from);
  t0->addIncoming(t, hook);
  return t0;
}

void ProfileHooks::end(IRBuilder<> &b, Value *t0, Value *rows, const std::string &layer,
                       const ir::Op &op, double flopsPerRow) {
  LLVMContext &C = M.getContext();
  int phase = op.phase == ir::Phase::Forward    ? AEC_PROFILE_FORWARD
              : op.phase == ir::Phase::Backward ? AEC_PROFILE_BACKWARD
                                                : AEC_PROFILE_UPDATE;
  StructType *ty = profileOpType(C);
  auto *record = new GlobalVariable(
      M, ty, true, GlobalValue::PrivateLinkage,
      ConstantStruct::get(ty, {abiString(M, layer, prefix_ + ".profile.str"),
                               abiString(M, ir::opKindName(op.kind), prefix_ + ".profile.str"), b.getInt32(next_++),
                               b.getInt32(phase), ConstantFP::get(b.getDoubleTy(), flopsPerRow)}),
      prefix_ + ".profile.op");
  Function *f = b.GetInsertBlock()->getParent();
  BasicBlock *hook = BasicBlock::Create(C, "profile.end", f);
  BasicBlock *next = BasicBlock::Create(C, "next", f);
  b.CreateCondBr(enabled(b), hook, next);
  b.SetInsertPoint(hook);
  Type *ptr = PointerType::getUnqual(C);
  FunctionCallee fn = weakHook("aec_rt_profile_end", FunctionType::get(b.getVoidTy(),
                                                                  {ptr, b.getInt64Ty(), b.getInt64Ty()}, false));
  b.CreateCall(fn, {record, t0, rows});
  b.CreateBr(next);
  b.SetInsertPoint(next);
}

} // namespace aec::codegen
