// The front door of the front end: `.ae` text -> ast::File.
// Lexes and parses one file with the ANTLR-generated parser (grammar/AE.g4),
// rephrases syntax errors into plain diagnostics, and builds the AST exactly
// as written (no imports followed, no names resolved, blocks not expanded).
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/diag/SourceManager.h"

#include <memory>

namespace aec {

// Parses the file `file` (already loaded into `sources`). Syntax errors are
// reported to `diags` (several per run where recovery allows). Returns the
// tree, or nullptr if any syntax error was reported: callers must not check
// a tree that failed to parse. Never throws.
std::unique_ptr<ast::File> parseFile(FileId file, SourceManager &sources,
                                     DiagnosticEngine &diags);

} // namespace aec
