// `aec build -g` (issue 13.5): DWARF line info that maps each generated
// function to the `.ae` line of the layer it runs, so `perf report`, `gdb`
// and `addr2line` show the model's source. The kernels carry no debug info
// of their own: inlined into a layer's closure they take the closure's line.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>

namespace aec::codegen {

struct SourceLine {
  std::string path; // as given on the command line (or the import's resolved path)
  unsigned line = 0;
};

class DebugInfo {
public:
  DebugInfo(llvm::Module &M, const SourceLine &model);

  // Gives `f` a subprogram at `at` (the model's line when `at` has none).
  void attach(llvm::Function *f, const SourceLine &at);
  // Sets the builder's location to `at` inside its function (attached first).
  void setLocation(llvm::IRBuilder<> &b, const SourceLine &at);
  // Every instruction still without a location gets its function's line
  // (calls inside a function with debug info must have one); finalizes.
  void finish();

private:
  llvm::DIFile *file(const std::string &path);
  const SourceLine &orModel(const SourceLine &at) const { return at.line ? at : model_; }

  llvm::Module &M;
  llvm::DIBuilder di_;
  SourceLine model_;
  llvm::DICompileUnit *cu_ = nullptr;
  std::map<std::string, llvm::DIFile *> files_;
};

} // namespace aec::codegen
