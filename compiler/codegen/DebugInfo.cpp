#include "compiler/codegen/DebugInfo.h"

#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Module.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

using namespace llvm;

namespace aec::codegen {

DebugInfo::DebugInfo(Module &m, const SourceLine &model) : M(m), di_(m), model_(model) {
  if (!model_.line) model_.line = 1;
  M.addModuleFlag(Module::Warning, "Dwarf Version", 5);
  M.addModuleFlag(Module::Warning, "Debug Info Version", DEBUG_METADATA_VERSION);
  // No DWARF language code for `.ae`: C is what debuggers handle best.
  cu_ = di_.createCompileUnit(dwarf::DW_LANG_C11, file(model_.path), "aec", /*isOptimized=*/true,
                              "", 0);
}

DIFile *DebugInfo::file(const std::string &path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  SmallString<256> abs(path);
  sys::fs::make_absolute(abs);
  DIFile *f = di_.createFile(sys::path::filename(abs), sys::path::parent_path(abs));
  files_[path] = f;
  return f;
}

void DebugInfo::attach(Function *f, const SourceLine &at) {
  if (f->getSubprogram()) return;
  const SourceLine &l = orModel(at);
  DIFile *df = file(l.path);
  DISubroutineType *ty = di_.createSubroutineType(di_.getOrCreateTypeArray({}));
  DISubprogram *sp = di_.createFunction(
      df, f->getName(), f->getName(), df, l.line, ty, l.line, DINode::FlagArtificial,
      DISubprogram::SPFlagDefinition | DISubprogram::SPFlagOptimized |
          (f->hasLocalLinkage() ? DISubprogram::SPFlagLocalToUnit : DISubprogram::SPFlagZero));
  f->setSubprogram(sp);
}

void DebugInfo::setLocation(IRBuilder<> &b, const SourceLine &at) {
  Function *f = b.GetInsertBlock()->getParent();
  attach(f, at);
  DISubprogram *sp = f->getSubprogram();
  const SourceLine &l = orModel(at);
  DIScope *scope = sp;
  if (file(l.path) != sp->getFile()) scope = di_.createLexicalBlockFile(sp, file(l.path));
  b.SetCurrentDebugLocation(DILocation::get(M.getContext(), l.line, 0, scope));
}

void DebugInfo::finish() {
  for (Function &f : M) {
    DISubprogram *sp = f.getSubprogram();
    if (!sp) continue;
    DILocation *at = DILocation::get(M.getContext(), sp->getLine(), 0, sp);
    for (BasicBlock &bb : f)
      for (Instruction &i : bb)
        if (!i.getDebugLoc()) i.setDebugLoc(at);
  }
  di_.finalize();
}

} // namespace aec::codegen
