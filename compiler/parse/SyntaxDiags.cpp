// Buffering, de-duplication and ordering of syntax diagnostics.
#include "compiler/parse/SyntaxDiags.h"

#include <algorithm>

namespace aec {

SyntaxDiag *SyntaxDiags::add(DiagKind kind, SourceRange range, std::vector<std::string> args) {
  if (full()) {
    truncated_ = true;
    return nullptr;
  }
  uint32_t line = sources_.lineCol(range.file, range.begin).line;
  if (std::find(lines_.begin(), lines_.end(), line) != lines_.end())
    return nullptr;
  lines_.push_back(line);
  diags_.push_back(SyntaxDiag{kind, range, std::move(args), {}});
  return &diags_.back();
}

void SyntaxDiags::emit(DiagnosticEngine &diags) {
  std::stable_sort(diags_.begin(), diags_.end(), [](const SyntaxDiag &a, const SyntaxDiag &b) {
    return a.range.begin < b.range.begin;
  });
  for (const SyntaxDiag &d : diags_) {
    const auto &a = d.args;
    switch (a.size()) {
    case 0: diags.report(d.kind, d.range); break;
    case 1: diags.report(d.kind, d.range, a[0]); break;
    case 2: diags.report(d.kind, d.range, a[0], a[1]); break;
    case 3: diags.report(d.kind, d.range, a[0], a[1], a[2]); break;
    default: diags.report(d.kind, d.range, a[0], a[1], a[2], a[3]); break;
    }
    for (const auto &[range, text] : d.notes)
      diags.note(range, text);
  }
  if (truncated_ && !diags_.empty())
    diags.report(DiagKind::TooManyErrors, SourceRange{});
  diags_.clear();
  lines_.clear();
  truncated_ = false;
}

} // namespace aec
