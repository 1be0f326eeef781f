// The request and notification handlers, one file each; the server
// (Server.cpp) parses the message, finds the document and calls them.
#pragma once

#include "compiler/lsp/Documents.h"
#include "compiler/lsp/Protocol.h"

namespace aec::lsp {

// textDocument/publishDiagnostics params for `doc` (PublishDiagnostics.cpp).
json publishDiagnostics(const Document &doc);
json hover(const Document &doc, const json &params);                  // Hover.cpp
json definition(const Document &doc, const json &params,              // Definition.cpp
                const std::string &stdlibDir);
json completion(const Document &doc, const json &params, bool snippets); // Completion.cpp
json documentSymbols(const Document &doc);                            // Symbols.cpp
json formatting(const Document &doc);                                 // Formatting.cpp

} // namespace aec::lsp
