// Small helpers shared by the sema passes.
#include "compiler/sema/SemaInternal.h"

#include "compiler/diag/Suggest.h"

namespace aec::sema {

Reported &Reported::note(SourceRange range, std::string message) {
  if (live_) ctx_->diags.note(range, std::move(message));
  return *this;
}

void SemaContext::callNotes(Reported &r, const std::vector<CallFrame> &calls) {
  for (size_t i = calls.size(); i-- > 0;)
    r.note(calls[i].range, "in block `" + calls[i].block + "` called here");
}

std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates) {
  std::optional<std::string> best = closestName(name, candidates);
  if (!best || *best == name) return "";
  return "; did you mean `" + *best + "`?";
}

} // namespace aec::sema
