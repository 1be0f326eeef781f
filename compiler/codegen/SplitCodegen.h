// Optimization and code generation of an executable or library in parts on
// two threads (issue 13.6). The closures (the functions aec_rt_parallel_for
// runs: nearly all the code, the kernels inlined into them) are dealt into 2
// to 8 bins of about equal size, each moved to a module and an LLVM context
// of its own; the tables and entry points left in the module are the last
// part. Two threads (each with its own target machine) take the parts in
// turn. A closure is optimized as it would be in one module: it
// calls only kernels (each part has its own internal copies) and is reached
// only through its address, so splitting changes no closure's code. Each
// part's object may come from the object cache (ObjectCache.h).
#pragma once

#include "compiler/codegen/ObjectCache.h"
#include "compiler/codegen/Target.h"

#include <llvm/IR/Module.h>

#include <set>
#include <string>
#include <vector>

namespace aec::codegen {

struct SplitRequest {
  int optLevel = 3;
  const std::set<std::string> *kernels = nullptr; // names of the kernel functions
  std::string objectStem; // the objects are objectStem + ".o", ".1.o", ".2.o", ...
  const ObjectCache *cache = nullptr; // null or disabled: compile every part
};

struct SplitOutput {
  std::vector<std::string> objects;
  int fromCache = 0; // how many of them the cache had
};

// Drops the kernel functions nothing calls (before optimizing: the early
// function passes would simplify every one of them).
void eraseUnusedKernels(llvm::Module &module, const std::set<std::string> &kernels);

// Optimizes `module` (consumed: parts of it are moved out) and writes the
// objects (one with AEC_CODEGEN_PARTS=1). Returns false with `error` set if
// an object cannot be written.
bool optimizeAndEmitSplit(llvm::Module &module, TargetInfo &target, const SplitRequest &request,
                          SplitOutput &out, std::string &error);

} // namespace aec::codegen
