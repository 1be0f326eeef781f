// How the kernels reach a model module (`--kernels`, KernelMode in Build.h;
// compiler/kernels/README.md):
//  * prebuilt: the module declares the kernels; the link adds
//    libaec_kernels_vw<W>.a of the target's width, whose symbols carry the
//    width (aec_gemm_vw16), so a model can only link the width it was built
//    for. Only the small glue module is optimized and compiled, plus (auto)
//    the calls that stay inlined (kernelCallInlined: conv, pool).
//  * inline: the kernel bitcode is linked in and every call is inlined into
//    its closure with constant shapes (kernelSharedPerModel ones excepted).
#pragma once

#include "compiler/codegen/Target.h"

#include <llvm/IR/Module.h>

#include <set>
#include <string>

namespace aec::codegen {

struct ModelKernels {
  bool prebuilt = false;
  // prebuilt: the calls whose constant shapes pay stay inlined (--kernels=auto)
  bool inlineWhereShapesPay = true;
  int vectorWidth = 4;         // of the bitcode variant / archive
  std::set<std::string> names; // the kernels' source names (aec_gemm, ...)
};

// Before the model's functions are generated: declares (prebuilt) or links
// (inline) the kernels of `kernels.vectorWidth` under their source names.
bool addKernels(llvm::Module &module, ModelKernels &kernels, std::string &error);

// After: prebuilt: the declarations the model calls are renamed to the
// archive's symbols and made hidden (a shared library calls them directly and
// exports none), unused ones dropped; the calls kernelCallInlined keeps (auto)
// get their definitions from the bitcode. Then every kernel defined in the
// module becomes internal and always inlined (shared ones: noinline), unused
// ones are dropped, and every function gets the target's CPU and features.
bool finishKernels(llvm::Module &module, const TargetInfo &target, ModelKernels &kernels,
                   std::string &error);

} // namespace aec::codegen
