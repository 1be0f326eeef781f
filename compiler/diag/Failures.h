// The three kinds of failure (Halide's user/internal split, plus the machine):
// a user error is a registered kind (DiagnosticKinds.def) reported through the
// engine, exit 1; an internal error is a bug in aec, exit 2; an environment
// error is the installation's or the machine's (no C compiler, a missing
// runtime library, a failed link, no temporary folder), exit 2. Each has its
// own prefix. Each returns the exit status.
#pragma once

#include "compiler/diag/Diagnostics.h"

#include <cstdio>
#include <string>
#include <utility>

namespace aec {

template <typename... Args>
int userError(DiagnosticEngine &diags, DiagKind kind, Args &&...args) {
  diags.report(kind, SourceRange{}, std::forward<Args>(args)...);
  diags.flush();
  return 1;
}

inline int internalError(std::string m) {
  const std::string prefix = "internal error: ";
  if (m.rfind(prefix, 0) == 0) m.erase(0, prefix.size());
  std::fprintf(stderr, "aec: internal error: %s\n", m.c_str());
  return 2;
}

inline int environmentError(const std::string &m) {
  std::fprintf(stderr, "aec: environment error: %s\n", m.c_str());
  return 2;
}

} // namespace aec
