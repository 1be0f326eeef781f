// The training workflow of issue 8 (DESIGN section 7): `schedule`, `warmup`,
// `validation`, `early_stop` in `train { }` and `normalize` on the input.
// Value rules: step/plateau factors in (0, 1); `every`, `patience` and
// `early_stop` integers >= 1; `warmup` an integer >= 0; `validation` a
// fraction in (0, 1). Whether plateau and early stopping have validation data
// (`validation F` or `--val`) is only known when training starts: the
// runtime checks it.
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

#include <algorithm>

namespace aec::sema {

namespace {

NumberRule count(const char *what, double lo) {
  NumberRule r{what};
  r.integer = true;
  r.lo = lo;
  return r;
}

const char *formOf(const std::string &kind) {
  if (kind == "step") return "schedule step F every N";
  if (kind == "plateau") return "schedule plateau F patience N";
  return "schedule cosine";
}

bool isWord(const ast::Value &v, const char *w) {
  return v.kind == ast::Value::Kind::Name && v.text == w;
}

void checkOneSchedule(const ast::ScheduleStmt &s, SemaContext &ctx, TrainConfig &tc) {
  const std::vector<ast::Value> &w = s.words;
  static const std::vector<std::string> kinds = {"cosine", "step", "plateau"};
  if (w.empty()) {
    ctx.report(DiagKind::StatementNeeds, s.range, "schedule",
               "a kind: `cosine`, `step F every N` or `plateau F patience N`");
    return;
  }
  const ast::Value &kind = w[0];
  if (kind.kind != ast::Value::Kind::Name ||
      std::find(kinds.begin(), kinds.end(), kind.text) == kinds.end()) {
    ctx.report(DiagKind::UnknownSchedule, kind.range, kind.text, didYouMean(kind.text, kinds));
    return;
  }
  if (kind.text == "cosine") {
    if (w.size() != 1) {
      ctx.report(DiagKind::ScheduleForm, w[1].range, formOf(kind.text));
      return;
    }
    tc.schedule = ScheduleKind::Cosine;
    return;
  }
  const char *word = kind.text == "step" ? "every" : "patience";
  if (w.size() != 4 || !isWord(w[2], word) || w[1].kind != ast::Value::Kind::Number) {
    SourceRange at = w.size() > 1 ? w.back().range : kind.range;
    for (size_t i = 1; i < w.size(); ++i)
      if ((i == 2) != (w[i].kind == ast::Value::Kind::Name) || (i == 2 && !isWord(w[i], word)) ||
          i > 3) {
        at = w[i].range;
        break;
      }
    ctx.report(DiagKind::ScheduleForm, at, formOf(kind.text));
    return;
  }
  std::optional<double> f = checkNumber(w[1], openUnit("the schedule factor"), ctx);
  std::optional<double> n =
      checkNumber(w[3], count(kind.text == "step" ? "the step interval" : "the patience", 1), ctx);
  if (!f || !n) return;
  tc.schedule = kind.text == "step" ? ScheduleKind::Step : ScheduleKind::Plateau;
  tc.scheduleFactor = *f;
  tc.scheduleEvery = static_cast<int64_t>(*n);
}

} // namespace

void checkSchedule(const ast::TrainStmt &t, SemaContext &ctx, TrainConfig &tc) {
  if (t.schedules.empty()) return;
  checkOneSchedule(t.schedules[0], ctx, tc);
  for (size_t i = 1; i < t.schedules.size(); ++i)
    ctx.report(DiagKind::DuplicateStatement, t.schedules[i].range, "schedule")
        .note(t.schedules[0].range, "first `schedule` is here");
}

void checkWorkflowSettings(const ast::Value *warmup, const ast::Value *validation,
                           const ast::Value *earlyStop, SemaContext &ctx, TrainConfig &tc) {
  if (warmup)
    if (auto x = checkNumber(*warmup, count("the number of warm-up epochs", 0), ctx)) tc.warmup = static_cast<int64_t>(*x);
  if (validation)
    if (auto x = checkNumber(*validation, openUnit("the validation fraction"), ctx)) tc.validation = *x;
  if (earlyStop)
    if (auto x = checkNumber(*earlyStop, count("the early-stopping patience", 1), ctx))
      tc.earlyStop = static_cast<int64_t>(*x);
}

void checkNormalize(const ast::InputStmt &in, SemaContext &ctx, CheckedModel &m) {
  if (!in.normalize) return;
  if (!in.normalizeKind) {
    ctx.report(DiagKind::StatementNeeds, *in.normalize, "normalize",
               "a kind: `normalize standard` or `normalize minmax`");
    return;
  }
  const ast::Ident &k = *in.normalizeKind;
  if (k.name == "standard") m.normalize = NormalizeKind::Standard;
  else if (k.name == "minmax") m.normalize = NormalizeKind::MinMax;
  else ctx.report(DiagKind::UnknownNormalization, k.range, k.name, didYouMean(k.name, {"standard", "minmax"}));
}

} // namespace aec::sema
