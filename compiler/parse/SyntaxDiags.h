// Buffer for the syntax diagnostics of one file. The lexical pass, the ANTLR
// error strategy and the AST builder all report here; at the end the buffer
// keeps the first diagnostic of each line (later ones on the same line are
// almost always cascades of the first), sorts by position and hands them to
// the DiagnosticEngine. Past kMaxErrors it asks the parser to stop.
#pragma once

#include "compiler/diag/Diagnostics.h"

#include <string>
#include <utility>
#include <vector>

namespace aec {

struct SyntaxDiag {
  DiagKind kind;
  SourceRange range;
  std::vector<std::string> args; // fills the kind's format, in order (<= 4)
  std::vector<std::pair<SourceRange, std::string>> notes;
};

// Thrown (and caught in parseFile) to abandon a file with too many errors.
struct StopParsing {};

class SyntaxDiags {
public:
  static constexpr size_t kMaxErrors = 20;

  explicit SyntaxDiags(const SourceManager &sources) : sources_(sources) {}

  // Adds a diagnostic unless its line already has one; returns it (or null
  // when it was dropped), so the caller can attach notes.
  SyntaxDiag *add(DiagKind kind, SourceRange range, std::vector<std::string> args = {});

  bool empty() const { return diags_.empty(); }
  bool full() const { return diags_.size() >= kMaxErrors; }

  // Hands everything to `diags`, sorted by position; clears the buffer.
  void emit(DiagnosticEngine &diags);

private:
  const SourceManager &sources_;
  std::vector<SyntaxDiag> diags_;
  std::vector<uint32_t> lines_; // lines that already have a diagnostic
  bool truncated_ = false;
};

} // namespace aec
