// analyze: sema over an editor buffer (see Analysis.h).
#include "compiler/lsp/Analysis.h"

namespace aec::lsp {

std::shared_ptr<const Analysis> analyze(const std::string &path, const std::string &text,
                                        const std::string &stdlibDir) {
  auto a = std::make_shared<Analysis>();
  DiagnosticEngine diags(a->sources);
  SemaOptions options;
  options.stdlibDir = stdlibDir;
  options.rootText = &text;
  if (text.size() > kMaxAnalyzedBytes) {
    a->root = a->sources.add(path, "");
    diags.report(DiagKind::DocumentTooLarge, SourceRange{a->root, 0, 0}, text.size(),
                 kMaxAnalyzedBytes);
    a->diagnostics = diags.take();
    return a;
  }
  a->result = checkFile(path, options, a->sources, diags);
  a->diagnostics = diags.take();
  if (a->sources.fileCount() > 0) a->root = 0; // the root is loaded first
  return a;
}

} // namespace aec::lsp
