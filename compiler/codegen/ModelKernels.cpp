// The kernels of a model module, declared or inlined (see ModelKernels.h).
#include "compiler/codegen/ModelKernels.h"

#include "compiler/codegen/SplitCodegen.h"
#include "compiler/kernels/KernelLibrary.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/Linker/Linker.h>

#include <map>
#include <vector>

namespace aec::codegen {

namespace {

// Links the definitions of the kernels the module still declares under their
// source names (and what they call) from the bitcode of its width.
bool linkNeededKernels(llvm::Module &module, ModelKernels &kernels, std::string &error) {
  // Lazily where only the needed kernels are linked.
  std::unique_ptr<llvm::Module> library = loadKernelModuleForWidth(
      module.getContext(), kernels.vectorWidth, error, /*lazy=*/kernels.prebuilt);
  if (!library) return false;
  library->setTargetTriple(module.getTargetTriple());
  library->setDataLayout(module.getDataLayout());
  for (llvm::Function &f : *library)
    if (!f.isDeclaration()) kernels.names.insert(f.getName().str());
  const unsigned flags = kernels.prebuilt ? llvm::Linker::Flags::LinkOnlyNeeded
                                          : llvm::Linker::Flags::None;
  if (llvm::Linker::linkModules(module, std::move(library), flags)) {
    error = "cannot link the kernel library into the model module";
    return false;
  }
  return true;
}

// Whether a call of a prebuilt-kernels build keeps the inlined kernel.
bool kernelCallInlined(const llvm::CallBase &call) {
  const llvm::Function *callee = call.getCalledFunction();
  if (!callee) return false;
  // (Not tiny GEMMs: the archive's small-shape paths are as fast, aec_gemm.c.)
  return kernelInlinedWhenPrebuilt(callee->getName().str());
}

} // namespace

bool addKernels(llvm::Module &module, ModelKernels &kernels, std::string &error) {
  if (kernels.prebuilt) return declareKernels(module, kernels.vectorWidth, kernels.names, error);
  return linkNeededKernels(module, kernels, error);
}

bool finishKernels(llvm::Module &module, const TargetInfo &target, ModelKernels &kernels,
                   std::string &error) {
  if (kernels.prebuilt) {
    // Declarations: renamed to the archive's symbols, or (auto, kernelCallInlined)
    // kept under the source name for the bitcode's definition.
    // (The declarations' attributes include the call sites' promises, e.g.
    // noalias, ModuleGen.cpp: they go onto the linked definitions.)
    std::map<std::string, llvm::AttributeList> inlined;
    for (llvm::Function &f : llvm::make_early_inc_range(module)) {
      if (!f.isDeclaration() || !kernels.names.count(f.getName().str())) continue;
      const std::string name = f.getName().str();
      // The calls that stay inlined keep the source name; the others call
      // the archive's symbol.
      std::vector<llvm::CallBase *> prebuiltCalls;
      for (llvm::User *u : f.users())
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(u);
            call && !(kernels.inlineWhereShapesPay && kernelCallInlined(*call)))
          prebuiltCalls.push_back(call);
      if (!prebuiltCalls.empty()) {
        llvm::Function *archived = llvm::Function::Create(
            f.getFunctionType(), llvm::GlobalValue::ExternalLinkage,
            prebuiltKernelSymbol(name, kernels.vectorWidth), module);
        archived->setAttributes(f.getAttributes());
        archived->setVisibility(llvm::GlobalValue::HiddenVisibility);
        archived->setDSOLocal(true);
        for (llvm::CallBase *call : prebuiltCalls) call->setCalledFunction(archived);
      }
      if (f.use_empty()) f.eraseFromParent();
      else inlined[name] = f.getAttributes();
    }
    if (!inlined.empty() && !linkNeededKernels(module, kernels, error)) return false;
    for (const auto &[name, attrs] : inlined)
      if (llvm::Function *f = module.getFunction(name)) f->setAttributes(attrs);
  }
  for (llvm::Function &f : module) {
    if (f.isDeclaration()) continue;
    if (kernels.names.count(f.getName().str())) {
      // Inlining into the closures lets the constant shapes specialize them.
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.removeFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(kernelSharedPerModel(f.getName().str()) ? llvm::Attribute::NoInline
                                                          : llvm::Attribute::AlwaysInline);
    }
    // The target's CPU and features on every function: inlining is legal and
    // the vectorizer sees the real vector width.
    f.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty()) f.addFnAttr("target-features", target.features);
    // An unwind table entry for every function (as C compilers give by
    // default on x86-64), so that -g adds no CFI: without it, -g gave the
    // nounwind model functions call frame information that went to .eh_frame
    // in an object where main or a C API wrapper (not nounwind) had some,
    // which grew the loaded image and moved .data/.got by a page: every
    // PC-relative operand in .text changed (test/lit/codegen/debug-info.test).
    f.setUWTableKind(llvm::UWTableKind::Async);
  }
  eraseUnusedKernels(module, kernels.names);
  return true;
}

} // namespace aec::codegen
