// The open documents: text kept in sync with the client (full or
// incremental changes), each with its latest analysis and the latest one
// whose text parsed (outline, completion and definitions fall back to it
// while the user is in the middle of typing).
#pragma once

#include "compiler/lsp/Analysis.h"
#include "compiler/lsp/Protocol.h"

#include <map>
#include <memory>
#include <string>

namespace aec::lsp {

struct Document {
  std::string uri;
  std::string path; // file path, or a stand-in for non-file URIs
  std::string text;
  int64_t version = 0;
  std::shared_ptr<const Analysis> analysis;
  std::shared_ptr<const Analysis> lastParsed;
};

class DocumentStore {
public:
  explicit DocumentStore(std::string stdlibDir) : stdlibDir_(std::move(stdlibDir)) {}

  Document &open(const std::string &uri, std::string text, int64_t version);
  // Applies `contentChanges` (LSP TextDocumentContentChangeEvent[]); throws BadParams.
  Document &change(const std::string &uri, const json &changes, int64_t version);
  void close(const std::string &uri) { docs_.erase(uri); }
  // null if not open
  Document *find(const std::string &uri);
  // The open document `uri`; throws BadParams if it is not open.
  Document &get(const std::string &uri);
  const std::string &stdlibDir() const { return stdlibDir_; }

private:
  void reanalyze(Document &d);
  std::map<std::string, Document> docs_;
  std::string stdlibDir_;
};

} // namespace aec::lsp
