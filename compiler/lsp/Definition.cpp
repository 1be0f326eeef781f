// Go to definition: a block call goes to its `block` (in this file or an
// imported one), an `import "path"` to the file it resolves to. Works on the
// text as typed: the word under the cursor is looked up in the latest
// analysis that parsed.
#include "compiler/lsp/Handlers.h"

#include "compiler/lsp/Lookup.h"
#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Uri.h"

namespace aec::lsp {

namespace {

// The string of an `import "..."` line around `off`, if the cursor is in it.
bool importAt(std::string_view text, size_t off, std::string &spelled) {
  size_t lineStart = text.rfind('\n', off == 0 ? 0 : off - 1);
  lineStart = lineStart == std::string_view::npos || off == 0 ? 0 : lineStart + 1;
  size_t lineEnd = text.find('\n', off);
  std::string_view line = text.substr(lineStart, (lineEnd == std::string_view::npos ? text.size() : lineEnd) - lineStart);
  size_t kw = line.find_first_not_of(" \t");
  if (kw == std::string_view::npos || line.compare(kw, 6, "import") != 0) return false;
  size_t q1 = line.find('"', kw), q2 = q1 == std::string_view::npos ? q1 : line.find('"', q1 + 1);
  if (q2 == std::string_view::npos) return false;
  size_t at = off - lineStart;
  if (at < kw || at > q2 + 1) return false;
  spelled = std::string(line.substr(q1 + 1, q2 - q1 - 1));
  return true;
}

json location(const std::string &uri, json range) { return {{"uri", uri}, {"range", range}}; }

} // namespace

json definition(const Document &doc, const json &params, const std::string &stdlibDir) {
  size_t off = LineIndex(doc.text).offset(member(params, "position"));
  std::string spelled;
  if (importAt(doc.text, off, spelled)) {
    std::string path = resolveImport(spelled, doc.path, stdlibDir);
    if (path.empty()) return nullptr;
    json start = {{"line", 0}, {"character", 0}};
    return location(pathToUri(path), {{"start", start}, {"end", start}});
  }
  std::string word = wordAt(doc.text, off);
  const Analysis *a = doc.analysis->ast() ? doc.analysis.get() : doc.lastParsed.get();
  if (word.empty() || !a) return nullptr;
  FileId file = kNoFile;
  const ast::BlockDecl *b = findBlock(*a, word, &file);
  if (!b) return nullptr;
  std::string uri = file == a->root ? doc.uri : pathToUri(a->sources.path(file));
  return location(uri, lspRange(a->sources, b->name.range));
}

} // namespace aec::lsp
