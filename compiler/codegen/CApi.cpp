// The executable's main() and the C API wrappers of --emit=lib/shared.
#include "compiler/codegen/CApiTable.h"
#include "compiler/codegen/Gen.h"

namespace aec::codegen {

void Gen::genMain(GlobalVariable *model) {
  FunctionCallee rtMain =
      M.getOrInsertFunction("aec_rt_main", FunctionType::get(i32, {i32, ptr, ptr}, false));
  Function *f = Function::Create(FunctionType::get(i32, {i32, ptr}, false),
                                 GlobalValue::ExternalLinkage, "main", M);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  b.CreateRet(b.CreateCall(rtMain, {f->getArg(0), f->getArg(1), model}));
}

// The wrappers of the C API table (CApiTable.cpp): <prefix>_create() =
// aec_rt_create(&<prefix>_model); the others forward their arguments to the
// generic runtime API unchanged.
void Gen::genCApi(GlobalVariable *model) {
  auto llvmType = [&](const std::string &t) -> Type * {
    if (t == "void") return voidTy;
    if (t.back() == '*') return ptr;
    if (t == "int" || t == "int32_t") return i32;
    if (t == "int64_t" || t == "uint64_t") return i64;
    if (t == "float") return f32;
    fail("C API table: unknown type `" + t + "`");
    return i32;
  };
  for (const CApiFunction &w : cApiFunctions()) {
    if (w.training && g_.inferenceOnly) continue;
    std::vector<Type *> params;
    for (const CApiParam &p : w.params) params.push_back(llvmType(p.type));
    FunctionType *ft = FunctionType::get(llvmType(w.ret), params, false);
    std::vector<Type *> targetParams = params;
    if (w.model) targetParams.insert(targetParams.begin(), ptr);
    FunctionCallee target = M.getOrInsertFunction(
        std::string("aec_rt_") + w.name, FunctionType::get(ft->getReturnType(), targetParams, false));
    Function *f = Function::Create(ft, GlobalValue::ExternalLinkage,
                                   opts_.prefix + "_" + w.name, M);
    IRBuilder<> b(BasicBlock::Create(C, "entry", f));
    std::vector<Value *> args;
    if (w.model) args.push_back(model);
    for (Argument &a : f->args()) args.push_back(&a);
    CallInst *ci = b.CreateCall(target, args);
    if (!w.model) ci->setTailCall(true);
    if (ft->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(ci);
  }
}

} // namespace aec::codegen
