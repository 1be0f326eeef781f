// One run of the front end over a document's current text, exactly as
// `aec check` runs it (imports from disk, the same diagnostics), kept for
// the requests that follow: the sources, diagnostics, ASTs and models.
#pragma once

#include "compiler/diag/Diagnostics.h"
#include "compiler/sema/Sema.h"

#include <memory>
#include <string>
#include <vector>

namespace aec::lsp {

struct Analysis {
  SourceManager sources;
  std::vector<Diagnostic> diagnostics;
  SemaResult result;     // files[0] is the document's AST (if it parsed)
  FileId root = kNoFile; // the document in `sources`

  const ast::File *ast() const { return result.files.empty() ? nullptr : result.files[0].get(); }
};

// Bigger documents are not analysed (one diagnostic says so): the front end
// is linear, but at a few seconds per MiB of garbage each keystroke would stall.
constexpr size_t kMaxAnalyzedBytes = 1u << 20;

// `path` names the document (imports resolve next to it); `text` is its content.
std::shared_ptr<const Analysis> analyze(const std::string &path, const std::string &text,
                                        const std::string &stdlibDir);

} // namespace aec::lsp
