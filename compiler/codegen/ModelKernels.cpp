// The kernels of a model module, declared or inlined (see ModelKernels.h).
#include "compiler/codegen/ModelKernels.h"

#include "compiler/codegen/SplitCodegen.h"
#include "compiler/kernels/KernelLibrary.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/Linker/Linker.h>

namespace aec::codegen {

bool addKernels(llvm::Module &module, ModelKernels &kernels, std::string &error) {
  if (kernels.prebuilt) return declareKernels(module, kernels.vectorWidth, kernels.names, error);
  std::unique_ptr<llvm::Module> library =
      loadKernelModuleForWidth(module.getContext(), kernels.vectorWidth, error);
  if (!library) return false;
  library->setTargetTriple(module.getTargetTriple());
  library->setDataLayout(module.getDataLayout());
  for (llvm::Function &f : *library)
    if (!f.isDeclaration()) kernels.names.insert(f.getName().str());
  if (llvm::Linker::linkModules(module, std::move(library))) {
    error = "cannot link the kernel library into the model module";
    return false;
  }
  return true;
}

void finishKernels(llvm::Module &module, const TargetInfo &target, const ModelKernels &kernels) {
  for (llvm::Function &f : llvm::make_early_inc_range(module)) {
    const bool kernel = kernels.names.count(f.getName().str()) != 0;
    if (kernel && kernels.prebuilt) {
      if (f.use_empty()) {
        f.eraseFromParent();
        continue;
      }
      f.setName(prebuiltKernelSymbol(f.getName().str(), kernels.vectorWidth));
      f.setVisibility(llvm::GlobalValue::HiddenVisibility);
      f.setDSOLocal(true);
      continue;
    }
    if (f.isDeclaration()) continue;
    if (kernel) {
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
  }
  if (!kernels.prebuilt) eraseUnusedKernels(module, kernels.names);
}

} // namespace aec::codegen
