// `--format=json` for `aec check` and `aec show` (docs/json.md): one JSON
// document on stdout, for tools and CI.
#pragma once

#include "compiler/diag/Diagnostics.h"
#include "compiler/sema/Model.h"

#include <cstdio>
#include <vector>

namespace aec {

// {"diagnostics": [...], "errors": N, "warnings": N}
void printDiagnosticsJson(const std::vector<Diagnostic> &diags, const SourceManager &sources,
                          std::FILE *out);
// The `aec show` table: {"model": ..., "layers": [...], "total": {...}}, plus
// "diagnostics" (warnings).
void printShowJson(const CheckedModel &model, const std::vector<Diagnostic> &diags,
                   const SourceManager &sources, std::FILE *out);

} // namespace aec
