// The document store (see Documents.h).
#include "compiler/lsp/Documents.h"

#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Uri.h"

#include <algorithm>

namespace aec::lsp {

namespace {

std::string pathFor(const std::string &uri) {
  std::string p = uriToPath(uri);
  if (!p.empty()) return p;
  // `untitled:Untitled-1`: imports resolve from the working directory.
  std::string name = uri.substr(uri.find_last_of(":/") + 1);
  return name.empty() ? "untitled.ae" : name;
}

} // namespace

Document &DocumentStore::open(const std::string &uri, std::string text, int64_t version) {
  Document &d = docs_[uri];
  d.uri = uri;
  d.path = pathFor(uri);
  d.text = std::move(text);
  d.version = version;
  reanalyze(d);
  return d;
}

Document &DocumentStore::change(const std::string &uri, const json &changes, int64_t version) {
  Document &d = get(uri);
  if (!changes.is_array()) throw BadParams("`contentChanges` must be an array");
  for (const json &c : changes) {
    std::string text = stringMember(c, "text");
    if (!c.is_object() || !c.contains("range")) {
      d.text = std::move(text);
      continue;
    }
    LineIndex index(d.text);
    const json &r = member(c, "range");
    size_t b = index.offset(member(r, "start")), e = index.offset(member(r, "end"));
    if (e < b) std::swap(b, e);
    if (d.text.size() - (e - b) + text.size() > (size_t(256) << 20))
      throw BadParams("document too large");
    d.text.replace(b, e - b, text);
  }
  d.version = version;
  reanalyze(d);
  return d;
}

Document *DocumentStore::find(const std::string &uri) {
  auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : &it->second;
}

Document &DocumentStore::get(const std::string &uri) {
  Document *d = find(uri);
  if (!d) throw BadParams("document `" + uri + "` is not open");
  return *d;
}

void DocumentStore::reanalyze(Document &d) {
  d.analysis = analyze(d.path, d.text, stdlibDir_);
  if (d.analysis->ast()) d.lastParsed = d.analysis;
}

} // namespace aec::lsp
