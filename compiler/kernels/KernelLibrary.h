// The aec kernel library: compute kernels (GEMM, activations, loss, noise,
// sparsity, optimizers; see aec_kernels.h for their exact semantics), built
// with aec in two forms (compiler/kernels/README.md):
//  * prebuilt: native archives per vector width, libaec_kernels_vw<W>.a, with
//    the entry points renamed prebuiltKernelSymbol(); a model module declares
//    the kernels (declareKernels) and the link adds the archive;
//  * inline (`--kernels=inline`, and the obj/asm/llvm outputs): LLVM bitcode
//    embedded in aec; the code generator links the module returned here into
//    each model module, marks the kernels internal + alwaysinline (but see
//    kernelSharedPerModel) and runs O3 with constant shapes.
#pragma once

#include <memory>
#include <set>
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
// with an empty feature string is handled): 16 if it has every feature of
// x86-64-v4, 8 for x86-64-v3, else 4 (the ISA levels the prebuilt archives
// are compiled for).
int kernelVectorWidthForTarget(const llvm::TargetMachine &target);
// Whether the target runs aec_gemm_int8_vnni at that width: AVX512-VNNI (16),
// AVX-VNNI (8).
bool kernelHasVnniForTarget(const llvm::TargetMachine &target);
std::unique_ptr<llvm::Module> loadKernelModuleForTarget(llvm::LLVMContext &context,
                                                        const llvm::TargetMachine &target,
                                                        std::string &error);

// Same, for an explicit vector width (4, 8 or 16). `lazy`: function bodies
// are read when first needed (a Linker with LinkOnlyNeeded reads only the
// kernels a model calls: conv models link a few of them, issue 13.6).
std::unique_ptr<llvm::Module> loadKernelModuleForWidth(llvm::LLVMContext &context,
                                                       int vectorWidth, std::string &error,
                                                       bool lazy = false);

// Adds to `module` a declaration (type and attributes, not the compile
// attributes) of every external function of the `vectorWidth` variant, under
// its source name (aec_gemm), and puts the names in `names`. Reads the
// bitcode lazily: no function body is parsed.
bool declareKernels(llvm::Module &module, int vectorWidth, std::set<std::string> &names,
                    std::string &error);

// The symbol of kernel `name` in the prebuilt archive of `vectorWidth`
// (aec_gemm -> aec_gemm_vw16), and that archive's file name
// (libaec_kernels_vw16.a, beside libaec_runtime.a).
std::string prebuiltKernelSymbol(const std::string &name, int vectorWidth);
std::string prebuiltKernelArchive(int vectorWidth);

// Names of the kernel entry points (all defined in every variant).
const std::vector<std::string> &kernelEntryPoints();

// Entry points kept out of line, one internal copy per model, instead of
// inlined at every call site: the constants their call sites pass fix none of
// their loop bounds (aec_colsum: the column range and the batch are runtime
// values), so a copy per site costs compile time and buys no speed.
bool kernelSharedPerModel(const std::string &name);

// Entry points inlined with their constant shapes even in a prebuilt-kernels
// build: the conv, upsample-conv and pool kernels, whose generic copies train
// the conv AE 1.59x slower (paired A/B, issue 13.6).
bool kernelInlinedWhenPrebuilt(const std::string &name);

} // namespace aec
