// What is at a place in a document: helpers shared by the request handlers.
#pragma once

#include "compiler/lsp/Analysis.h"

#include <string>
#include <string_view>

namespace aec::lsp {

// `offset` lies in `r` (its end included: the cursor may sit just after a word).
bool covers(SourceRange r, FileId file, size_t offset);

// The identifier around `offset` ("" if none), with its byte range.
std::string wordAt(std::string_view text, size_t offset, size_t *begin = nullptr,
                   size_t *end = nullptr);

// The block named `name` in the analysed file or its imports, and its file.
const ast::BlockDecl *findBlock(const Analysis &a, const std::string &name, FileId *file);

// Where `import "spelled"` in `fromPath` resolves, as sema does it (next to
// the file, then the stdlib folder); "" if nowhere.
std::string resolveImport(const std::string &spelled, const std::string &fromPath,
                          const std::string &stdlibDir);

// `block name(a, b)`
std::string blockSignature(const ast::BlockDecl &b);

} // namespace aec::lsp
