// Semantic analysis: from a parsed file to checked models. Resolves imports
// (relative to the importing file, then the stdlib folder), expands blocks,
// resolves names, infers shapes, builds/checks the decoder and checks every
// constraint of DESIGN section 2. Errors go to the DiagnosticEngine.
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/sema/Model.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aec {

struct SemaOptions {
  std::string stdlibDir;  // where `std/...` imports resolve; driver sets it
  std::string modelName;  // --model NAME; empty: the file's only model
  // When set, the checked file's text (an editor's unsaved buffer) instead of
  // what is on disk at `path`; imports are still read from disk.
  const std::string *rootText = nullptr;
  // Where the driver looked for a stdlib when it found none (named in a note
  // when an import is then not found).
  std::vector<std::string> stdlibSearched;
};

struct SemaResult {
  std::vector<CheckedModel> models; // the checked model(s); empty on error
  // The parsed files: [0] the checked file, then its imports (for editor
  // tools: symbols, definitions). Empty if the checked file did not parse.
  std::vector<std::unique_ptr<ast::File>> files;
};

// Parses `path` and everything it imports, then checks the selected model
// (every model when modelName is empty and there are several; `aec build` and
// `aec show` then require --model, which the driver reports).
SemaResult checkFile(const std::string &path, const SemaOptions &options,
                     SourceManager &sources, DiagnosticEngine &diags);

// `--emit=sema`: the resolved model, mirror expanded, shapes annotated.
void dumpCheckedModel(const CheckedModel &model, std::FILE *out);

} // namespace aec
