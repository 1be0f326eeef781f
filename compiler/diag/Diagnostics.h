// The diagnostics engine: one registry of kinds (DiagnosticKinds.def), rendered
// with fmt as `file:line:col: error: message`, the source line, and a caret or
// an underline; `note:` lines point at other places.
#pragma once

#include "compiler/diag/SourceManager.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace aec {

enum class DiagKind {
#define DIAG(Name, Severity, Format) Name,
#include "compiler/diag/DiagnosticKinds.def"
#undef DIAG
};

enum class Severity { Error, Warning, Note };

struct DiagKindInfo {
  const char *name;
  Severity severity;
  const char *format;
};

// All registered kinds, in .def order (used by the registry test).
const std::vector<DiagKindInfo> &allDiagKinds();
const DiagKindInfo &diagKindInfo(DiagKind kind);

struct Diagnostic {
  DiagKind kind;
  Severity severity;
  SourceRange range;
  std::string message;
  std::vector<std::pair<SourceRange, std::string>> notes;
};

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceManager &sources) : sources_(sources) {}

  // Emits (renders to stderr, or buffers when capturing) a diagnostic of
  // `kind`; the message is the kind's format filled with `args`.
  template <typename... Args>
  Diagnostic &report(DiagKind kind, SourceRange range, Args &&...args) {
    const DiagKindInfo &info = diagKindInfo(kind);
    return add(Diagnostic{kind, info.severity, range,
                          fmt::format(fmt::runtime(info.format),
                                      std::forward<Args>(args)...),
                          {}});
  }
  // Adds a note to the most recently reported diagnostic.
  void note(SourceRange range, std::string message);

  // Renders all pending diagnostics to `out` (stderr by default) and clears them.
  void flush(std::FILE *out = stderr);
  // ANSI colours in rendered text (the driver decides: --color, NO_COLOR, a terminal).
  void setColor(bool on) { color_ = on; }

  // Hands the pending diagnostics to the caller (JSON output, the language
  // server) instead of rendering them; error counts are kept.
  std::vector<Diagnostic> take() { return std::exchange(pending_, {}); }

  unsigned errorCount() const { return errors_; }
  bool hasErrors() const { return errors_ != 0; }
  const SourceManager &sources() const { return sources_; }

  // Renders one diagnostic as text (used by flush and by tests).
  std::string render(const Diagnostic &d) const;

private:
  Diagnostic &add(Diagnostic d);
  const SourceManager &sources_;
  std::vector<Diagnostic> pending_;
  unsigned errors_ = 0;
  bool color_ = false;
};

} // namespace aec
