// The diagnostics engine: kind registry, buffering and rendering.
#include "compiler/diag/Diagnostics.h"

#include "compiler/diag/SourceSnippet.h"

#include <fmt/format.h>

namespace aec {

const std::vector<DiagKindInfo> &allDiagKinds() {
  static const std::vector<DiagKindInfo> kinds = {
#define DIAG(Name, Sev, Format) {#Name, Severity::Sev, Format},
#include "compiler/diag/DiagnosticKinds.def"
#undef DIAG
  };
  return kinds;
}

const DiagKindInfo &diagKindInfo(DiagKind kind) {
  return allDiagKinds().at(static_cast<size_t>(kind));
}

Diagnostic &DiagnosticEngine::add(Diagnostic d) {
  if (d.severity == Severity::Error)
    ++errors_;
  pending_.push_back(std::move(d));
  return pending_.back();
}

void DiagnosticEngine::note(SourceRange range, std::string message) {
  // A note belongs to the diagnostic just reported; without one (already
  // flushed, or none yet) it stands on its own.
  if (pending_.empty()) {
    pending_.push_back(Diagnostic{DiagKind::NoteGeneric, Severity::Note, range,
                                  std::move(message), {}});
    return;
  }
  pending_.back().notes.emplace_back(range, std::move(message));
}

void DiagnosticEngine::flush(std::FILE *out) {
  for (const Diagnostic &d : pending_) {
    std::string text = render(d);
    std::fwrite(text.data(), 1, text.size(), out);
  }
  std::fflush(out);
  pending_.clear();
}

namespace {

const char *severityName(Severity s) {
  switch (s) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

// Clang's colours: bold location and message, the severity in red, magenta or cyan.
struct Palette {
  const char *bold = "", *sev = "", *reset = "";
  Palette(bool on, Severity s) {
    if (!on) return;
    bold = "\033[1m";
    reset = "\033[0m";
    sev = s == Severity::Error ? "\033[1;31m" : s == Severity::Warning ? "\033[1;35m" : "\033[1;36m";
  }
};

std::string renderOne(const SourceManager &sm, Severity sev, SourceRange range,
                      const std::string &message, bool color) {
  Palette c(color, sev);
  if (!range.valid() || static_cast<size_t>(range.file) >= sm.fileCount())
    return fmt::format("{}aec: {}{}: {}{}{}\n", c.bold, c.sev, severityName(sev), c.reset, message,
                       c.reset);
  LineCol lc = sm.lineCol(range.file, range.begin);
  std::string out = fmt::format("{}{}:{}:{}: {}{}: {}{}{}{}\n", c.bold, sm.path(range.file), lc.line,
                                lc.col, c.sev, severityName(sev), c.reset, c.bold, message, c.reset);
  std::string_view line = sm.lineText(range.file, lc.line);
  uint32_t lineStart = range.begin - (lc.col - 1);
  uint32_t end = range.end > range.begin ? range.end : range.begin;
  out += renderSnippet(line, lc.col - 1, end - lineStart);
  return out;
}

} // namespace

std::string DiagnosticEngine::render(const Diagnostic &d) const {
  std::string out = renderOne(sources_, d.severity, d.range, d.message, color_);
  for (const auto &[range, message] : d.notes)
    out += renderOne(sources_, Severity::Note, range, message, color_);
  return out;
}

} // namespace aec
