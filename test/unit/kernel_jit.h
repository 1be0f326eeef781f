// The kernel library outside the code generator, compiled the way a model's
// module is: the bitcode with its entry points internal + alwaysinline, the
// host's target-cpu/features on every function, then O3. Shared by the
// kernel unit tests (kernels_test.cpp) and the GEMM benchmark
// (bench/gemm/jit_bench.cpp), which JIT the result.
#pragma once

#include "compiler/kernels/KernelLibrary.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <memory>
#include <string>

namespace aec::kernel_jit {

// The kernel module of vector width `width` with every entry point internal
// and alwaysinline, as the code generator links it; null (and `error`) on failure.
inline std::unique_ptr<llvm::Module> loadInlinableKernels(llvm::LLVMContext &context, int width,
                                                          std::string &error) {
  std::unique_ptr<llvm::Module> module = loadKernelModuleForWidth(context, width, error);
  if (!module)
    return nullptr;
  for (const std::string &name : kernelEntryPoints()) {
    llvm::Function *fn = module->getFunction(name);
    fn->setLinkage(llvm::GlobalValue::InternalLinkage);
    fn->addFnAttr(llvm::Attribute::AlwaysInline);
  }
  return module;
}

// The host's features as a target-features string ("+avx2,-avx512f,...").
inline std::string hostFeatures() {
  std::string features;
  for (auto &f : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  return features;
}

// Gives every defined function the target-cpu/target-features attributes.
inline void setTarget(llvm::Module &module, llvm::StringRef cpu, llvm::StringRef features) {
  for (llvm::Function &fn : module)
    if (!fn.isDeclaration()) {
      fn.addFnAttr("target-cpu", cpu);
      fn.addFnAttr("target-features", features);
    }
}

// LLVM's default O3 pipeline for `tm`.
inline void runO3(llvm::Module &module, llvm::TargetMachine *tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, mam);
}

} // namespace aec::kernel_jit
