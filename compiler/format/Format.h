// `aec fmt` and the language server's formatting: the canonical layout of a
// `.ae` file (see Layout.h for the rules). Idempotent; never drops a comment.
#pragma once

#include "compiler/diag/Diagnostics.h"

#include <optional>
#include <string>

namespace aec {

// The formatted text of `file` (loaded in `sources`), or nullopt when the
// file has syntax errors (reported to `diags`). Throws std::runtime_error if
// the result would not mean the same as the input (a formatter bug).
std::optional<std::string> formatFile(FileId file, SourceManager &sources,
                                      DiagnosticEngine &diags);

} // namespace aec
