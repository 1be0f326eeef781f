// textDocument/formatting: the whole document through `aec fmt`'s formatter,
// as one edit; no edit when it is already formatted or does not parse.
#include "compiler/lsp/Handlers.h"

#include "compiler/format/Format.h"
#include "compiler/lsp/Analysis.h"
#include "compiler/lsp/Positions.h"

namespace aec::lsp {

json formatting(const Document &doc) {
  if (doc.text.size() > kMaxAnalyzedBytes) return json::array(); // as for diagnostics
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FileId id = sources.add(doc.path, doc.text);
  std::optional<std::string> out = formatFile(id, sources, diags);
  diags.take(); // syntax errors are already shown as diagnostics
  json edits = json::array();
  if (!out || *out == doc.text) return edits;
  edits.push_back({{"range", LineIndex(doc.text).range(0, doc.text.size())}, {"newText", *out}});
  return edits;
}

} // namespace aec::lsp
