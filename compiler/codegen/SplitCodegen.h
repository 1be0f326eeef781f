// Optimization and code generation of an executable or library in two parts
// on two threads (issue 13.6). The closures (the functions aec_rt_parallel_for
// runs: nearly all the code, the kernels inlined into them) are dealt into two
// modules of about equal size; the second part is moved to its own LLVM
// context and target machine and compiled on a thread while the first is
// compiled on the caller's. A closure is optimized as it would be in one
// module: it calls only kernels (each part has its own internal copies) and is
// reached only through its address, so splitting changes no closure's code.
#pragma once

#include "compiler/codegen/Target.h"

#include <llvm/IR/Module.h>

#include <set>
#include <string>
#include <vector>

namespace aec::codegen {

struct SplitRequest {
  int optLevel = 3;
  const std::set<std::string> *kernels = nullptr; // names of the kernel functions
  std::string objectStem; // the objects are objectStem + ".o", objectStem + ".1.o"
};

// Drops the kernel functions nothing calls (before optimizing: the early
// function passes would simplify every one of them).
void eraseUnusedKernels(llvm::Module &module, const std::set<std::string> &kernels);

// Optimizes `module` (consumed: part of it is moved out) and writes the
// objects; `objects` receives their paths (one when there is nothing to
// split). Returns false with `error` set if an object cannot be written.
bool optimizeAndEmitSplit(llvm::Module &module, TargetInfo &target, const SplitRequest &request,
                          std::vector<std::string> &objects, std::string &error);

} // namespace aec::codegen
