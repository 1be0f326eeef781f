// The aec kernel library: compute kernels (GEMM, activations, loss, noise,
// sparsity, optimizers; see aec_kernels.h for their exact semantics) compiled
// to LLVM bitcode when aec is built and embedded in the aec binary. The code
// generator links the module returned here into each generated model module,
// marks the kernels internal + alwaysinline (but see kernelSharedPerModel) and
// runs O3 with constant shapes.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace aec {

// Vector width (floats) of the bitcode variant suited to a target feature
// string such as "+avx2,+fma,..." (llvm::TargetMachine::getTargetFeatureString
// or the joined host features): 16 with +avx512f, 8 with +avx2, else 4
// (SSE2, any x86-64). Unknown or empty strings give 4.
int kernelVectorWidthForFeatures(const std::string &targetFeatures);

// Parses the embedded bitcode of the variant for `targetFeaturesHint` into
// `context`. The functions keep external linkage and carry no target-cpu /
// target-features / tune-cpu / min-legal-vector-width attributes (the code
// generator sets the target's on every function); module flags and the
// llvm.ident are dropped so linking never conflicts. Returns null and sets
// `error` on failure.
std::unique_ptr<llvm::Module> loadKernelModule(llvm::LLVMContext &context,
                                               const std::string &targetFeaturesHint,
                                               std::string &error);

// Preferred: the variant for a target machine, judged by its effective
// subtarget features (so a bare CPU name such as "znver3" or "skylake-avx512"
// with an empty feature string is handled).
int kernelVectorWidthForTarget(const llvm::TargetMachine &target);
std::unique_ptr<llvm::Module> loadKernelModuleForTarget(llvm::LLVMContext &context,
                                                        const llvm::TargetMachine &target,
                                                        std::string &error);

// Same, for an explicit vector width (4, 8 or 16).
std::unique_ptr<llvm::Module> loadKernelModuleForWidth(llvm::LLVMContext &context,
                                                       int vectorWidth, std::string &error);

// Names of the kernel entry points (all defined in every variant).
const std::vector<std::string> &kernelEntryPoints();

// Entry points kept out of line, one internal copy per model, instead of
// inlined at every call site: the constants their call sites pass fix none of
// their loop bounds (aec_colsum: the column range and the batch are runtime
// values), so a copy per site costs compile time and buys no speed.
bool kernelSharedPerModel(const std::string &name);

} // namespace aec
