// Budgets (DESIGN section 7, issue 7): `budget memory X KiB|MiB|GiB` bounds
// the training memory at the model's batch (CheckedModel::trainMemory, the
// estimate `aec show` prints); `budget params N` bounds the trainable
// parameters. Each kind at most once; exceeding one is an error at the budget
// statement with the breakdown in a note.
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

#include <cmath>

namespace aec::sema {

namespace {

struct Unit {
  const char *name;
  double bytes;
};
const Unit kUnits[] = {{"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024}};

const ast::BudgetStmt *find(const ast::ModelDecl &decl, const char *kind) {
  for (const ast::BudgetStmt &b : decl.budgets)
    if (!b.args.empty() && b.args[0].text == kind) return &b;
  return nullptr;
}

// `budget memory 256 MiB` -> bytes, or 0 (reported).
int64_t memoryBytes(const ast::BudgetStmt &b, SemaContext &ctx) {
  const char *need = "a size with a unit, as in `budget memory 256 MiB` (KiB, MiB or GiB)";
  if (b.args.size() < 3 || b.args[1].kind != ast::Value::Kind::Number) {
    SourceRange at = b.args.size() > 1 ? b.args[1].range : b.args[0].range;
    ctx.report(DiagKind::BudgetNeedsValue, at, "memory", need);
    return 0;
  }
  NumberRule r{"the memory budget"};
  r.loOpen = true;
  std::optional<double> v = checkNumber(b.args[1], r, ctx);
  const ast::Value &unit = b.args[2];
  const Unit *u = nullptr;
  for (const Unit &k : kUnits)
    if (unit.kind == ast::Value::Kind::Name && unit.text == k.name) u = &k;
  if (!u) {
    ctx.report(DiagKind::BudgetNeedsValue, unit.range, "memory", need);
    return 0;
  }
  if (b.args.size() > 3) {
    ctx.report(DiagKind::BudgetNeedsValue, b.args[3].range, "memory", need);
    return 0;
  }
  if (!v) return 0;
  double bytes = std::ceil(*v * u->bytes);
  return bytes >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(bytes);
}

int64_t paramCount(const ast::BudgetStmt &b, SemaContext &ctx) {
  if (b.args.size() != 2 || b.args[1].kind != ast::Value::Kind::Number) {
    SourceRange at = b.args.size() > 1 ? b.args[1].range : b.args[0].range;
    ctx.report(DiagKind::BudgetNeedsValue, at, "params",
               "a number of parameters, as in `budget params 1000000`");
    return 0;
  }
  std::optional<int64_t> n = checkSize(b.args[1], "the parameter budget", ctx, false);
  return n ? *n : 0;
}

// "enc1 401920 + enc2 65664 + ... = 944176" (the largest layers if many).
std::string paramsBreakdown(const CheckedModel &m) {
  std::string s;
  int shown = 0, rest = 0;
  for (const Layer &l : m.layers) {
    if (l.frozen || l.paramCount() == 0) continue;
    if (shown == 12) {
      ++rest;
      continue;
    }
    s += fmt::format("{}{} {}", shown ? " + " : "", l.name, l.paramCount());
    ++shown;
  }
  if (rest) s += fmt::format(" + {} more layers", rest);
  return fmt::format("trainable params: {} = {}", s.empty() ? "0" : s, m.trainableParams());
}

} // namespace

void checkBudgets(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  std::map<std::string, const ast::BudgetStmt *> first;
  for (const ast::BudgetStmt &b : decl.budgets) {
    if (b.args.empty() || b.args[0].kind != ast::Value::Kind::Name ||
        (b.args[0].text != "memory" && b.args[0].text != "params")) {
      SourceRange at = b.args.empty() ? b.keyword.range : b.args[0].range;
      std::string hint = b.args.empty() ? "" : didYouMean(b.args[0].text, {"memory", "params"});
      if (hint.empty()) hint = "; write `budget memory 256 MiB` or `budget params 1000000`";
      ctx.report(DiagKind::UnknownBudget, at, b.args.empty() ? "" : b.args[0].text, hint);
      continue;
    }
    auto [it, inserted] = first.emplace(b.args[0].text, &b);
    if (!inserted) {
      ctx.report(DiagKind::DuplicateStatement, b.range, "budget " + b.args[0].text)
          .note(it->second->range, fmt::format("first `budget {}` is here", b.args[0].text));
      continue;
    }
    if (b.args[0].text == "memory") m.memoryBudget = memoryBytes(b, ctx);
    else m.paramsBudget = paramCount(b, ctx);
  }
}

void checkBudgetsFit(const ast::ModelDecl &decl, SemaContext &ctx, const CheckedModel &m) {
  if (m.memoryBudget > 0) {
    MemoryEstimate e = m.trainMemory();
    if (e.total > m.memoryBudget) {
      const ast::BudgetStmt *b = find(decl, "memory");
      ctx.report(DiagKind::BudgetExceeded, b ? b->range : decl.name.range, m.name,
                 fmt::format("needs {} bytes ({}) of training memory at batch {}", e.total,
                             humanBytes(e.total), m.train.batch),
                 fmt::format("{} bytes ({})", m.memoryBudget, humanBytes(m.memoryBudget)))
          .note(decl.name.range, fmt::format("train memory (batch {}): {}", m.train.batch,
                                             memoryBreakdown(m)));
    }
  }
  if (m.paramsBudget > 0 && m.trainableParams() > m.paramsBudget) {
    const ast::BudgetStmt *b = find(decl, "params");
    ctx.report(DiagKind::BudgetExceeded, b ? b->range : decl.name.range, m.name,
               fmt::format("has {} trainable parameters", m.trainableParams()),
               std::to_string(m.paramsBudget))
        .note(decl.name.range, paramsBreakdown(m));
  }
}

} // namespace aec::sema
