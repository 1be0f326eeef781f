// `train --profile` (issue 13.5): brackets each op of the training functions
// with the runtime's hooks (runtime/include/aec/profile.h). Off, a hook is a
// load of `aec_rt_profiling` and a branch.
#pragma once

#include <string>

#include <llvm/IR/IRBuilder.h>

#include "compiler/ir/IR.h"

namespace aec::codegen {

// The LLVM type of `aec_profile_op` (test/unit/abi_test.cpp checks it
// against the C struct's offsets).
llvm::StructType *profileOpType(llvm::LLVMContext &C);

// Floating-point operations per batch row of `op` (2 per multiply-add; 0 for
// ops that only move data or are elementwise).
double opFlopsPerRow(const ir::Graph &g, const ir::Op &op);

class ProfileHooks {
public:
  ProfileHooks(llvm::Module &M, std::string prefix);

  // Emits `t0 = aec_rt_profiling ? aec_rt_profile_begin() : 0`; returns t0.
  llvm::Value *begin(llvm::IRBuilder<> &b);
  // Emits `if (aec_rt_profiling) aec_rt_profile_end(&record, t0, rows)` with
  // a new constant record for this op.
  void end(llvm::IRBuilder<> &b, llvm::Value *t0, llvm::Value *rows, const std::string &layer,
           const ir::Op &op, double flopsPerRow);

private:
  llvm::Value *enabled(llvm::IRBuilder<> &b);
  llvm::FunctionCallee weakHook(const char *name, llvm::FunctionType *ty);

  llvm::Module &M;
  std::string prefix_;
  llvm::GlobalVariable *flag_;
  int next_ = 0;
};

} // namespace aec::codegen
