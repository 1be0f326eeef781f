// Diagnostics of a document, as `aec check` reports them: severity, the
// kind as `code`, exact UTF-16 ranges, notes as relatedInformation. A
// diagnostic placed in another file (inside an imported block) is shown at
// its first note in this document (the call), with the original place as
// related information.
#include "compiler/lsp/Handlers.h"

#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Uri.h"

namespace aec::lsp {

namespace {

std::string uriOf(const Document &doc, const Analysis &a, FileId file) {
  return file == a.root ? doc.uri : pathToUri(a.sources.path(file));
}

json related(const Document &doc, const Analysis &a, SourceRange r, const std::string &message) {
  return {{"location", {{"uri", uriOf(doc, a, r.file)}, {"range", lspRange(a.sources, r)}}},
          {"message", message}};
}

bool inFile(SourceRange r, const Analysis &a) {
  return r.valid() && r.file == a.root;
}

} // namespace

json publishDiagnostics(const Document &doc) {
  const Analysis &a = *doc.analysis;
  json list = json::array();
  for (const Diagnostic &d : a.diagnostics) {
    SourceRange at = d.range;
    json info = json::array();
    if (!inFile(at, a)) {
      for (const auto &[range, message] : d.notes)
        if (inFile(range, a)) {
          at = range;
          break;
        }
      if (d.range.valid() && static_cast<size_t>(d.range.file) < a.sources.fileCount())
        info.push_back(related(doc, a, d.range, d.message));
    }
    for (const auto &[range, message] : d.notes)
      if (range.valid() && static_cast<size_t>(range.file) < a.sources.fileCount())
        info.push_back(related(doc, a, range, message));
    int severity = d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3;
    json j = {{"range", inFile(at, a) ? lspRange(a.sources, at) : lspRange(a.sources, {})},
              {"severity", severity},
              {"code", diagKindInfo(d.kind).name},
              {"source", "aec"},
              {"message", d.message}};
    if (!info.empty()) j["relatedInformation"] = std::move(info);
    list.push_back(std::move(j));
  }
  return {{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", list}};
}

} // namespace aec::lsp
