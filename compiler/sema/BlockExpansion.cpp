// Pass 2: blocks. `block down(c) { conv c 3x3 relu  maxpool 2 }` and a call
// `down(16)` becomes `conv 16 3x3 relu`, `maxpool 2`: each argument replaces
// its parameter wherever a number is expected. Block bodies are checked once
// at their definition (parameters, names, called blocks); expansion reports
// wrong calls in models, recursion between blocks (never a stack overflow:
// the call chain is tracked and its depth bounded) and runaway sizes.
#include "compiler/sema/SemaInternal.h"

#include <algorithm>
#include <functional>

namespace aec::sema {

namespace {

using Bindings = std::map<std::string, std::optional<ast::Value>>; // nullopt: poison

std::string argumentsText(size_t n) {
  return n == 1 ? "1 argument" : std::to_string(n) + " arguments";
}

std::string givenText(size_t n) {
  return n == 1 ? "1 was" : std::to_string(n) + " were";
}

std::vector<std::string> blockNames(const SemaContext &ctx) {
  std::vector<std::string> names;
  for (const auto &[name, decl] : ctx.program.blocks) names.push_back(name);
  return names;
}

// A name used as a value: a parameter of the enclosing block, or an error.
void reportUnknownName(const ast::Value &v, const ast::BlockDecl *block, SemaContext &ctx) {
  if (!block) {
    ctx.report(DiagKind::UnknownName, v.range, v.text,
               "; a name can only stand for a parameter inside a block");
    return;
  }
  std::vector<std::string> params;
  for (const ast::Ident &p : block->params) params.push_back(p.name);
  std::string hint = didYouMean(v.text, params);
  if (hint.empty()) hint = "; block `" + block->name.name + "` has no such parameter";
  ctx.report(DiagKind::UnknownName, v.range, v.text, hint);
}

bool checkCallShape(const ast::LayerStmt &call, SemaContext &ctx,
                    const ast::BlockDecl *&target) {
  auto it = ctx.program.blocks.find(call.kind.name);
  if (it == ctx.program.blocks.end()) {
    ctx.report(DiagKind::UnknownBlock, call.kind.range, call.kind.name,
               didYouMean(call.kind.name, blockNames(ctx)));
    return false;
  }
  target = it->second;
  if (call.args.size() != target->params.size()) {
    ctx.report(DiagKind::BlockArgCount, call.range, call.kind.name,
               argumentsText(target->params.size()), givenText(call.args.size()))
        .note(target->name.range, "`" + call.kind.name + "` is defined here");
    return false;
  }
  return true;
}

void forEachValue(const ast::LayerStmt &s, const std::function<void(const ast::Value &)> &f) {
  for (const ast::Value &a : s.args) f(a);
  if (s.size) f(*s.size);
  if (s.kernel) {
    f(s.kernel->h);
    if (s.kernel->w) f(*s.kernel->w);
  }
  if (s.stride) f(*s.stride);
}

class Expander {
public:
  Expander(SemaContext &ctx, const std::string &model, std::vector<ExpandedLayer> &out)
      : ctx_(ctx), model_(model), out_(out) {}

  bool run(const std::vector<ast::LayerStmt> &stmts) {
    expand(stmts, nullptr, nullptr);
    return ok_;
  }

private:
  std::optional<ast::Value> subst(const ast::Value &v, const Bindings *b,
                                  const ast::BlockDecl *block) {
    if (v.kind == ast::Value::Kind::Number) return v;
    if (b) {
      auto it = b->find(v.text);
      if (it != b->end()) return it->second;
    }
    reportUnknownName(v, block, ctx_);
    ok_ = false;
    return std::nullopt;
  }

  void expand(const std::vector<ast::LayerStmt> &stmts, const Bindings *b,
              const ast::BlockDecl *block) {
    for (const ast::LayerStmt &s : stmts) {
      if (tooMany_) return;
      if (out_.size() >= kMaxLayers) {
        ctx_.report(DiagKind::TooManyLayers, s.range, model_, kMaxLayers);
        tooMany_ = true;
        ok_ = false;
        return;
      }
      if (s.isCall) {
        call(s, b, block);
        continue;
      }
      ExpandedLayer e;
      e.stmt = &s;
      e.calls = calls_;
      auto take = [&](const ast::Value &v) {
        std::optional<ast::Value> r = subst(v, b, block);
        if (!r) e.poisoned = true;
        return r;
      };
      if (s.size) e.size = take(*s.size);
      if (s.stride) e.stride = take(*s.stride);
      if (s.kernel) {
        std::optional<ast::Value> h = take(s.kernel->h);
        std::optional<ast::Value> w;
        if (s.kernel->w) w = take(*s.kernel->w);
        if (h && (w || !s.kernel->w)) {
          ast::KernelSpec k = *s.kernel;
          k.h = *h;
          k.w = w;
          e.kernel = k;
        }
      }
      out_.push_back(std::move(e));
    }
  }

  void call(const ast::LayerStmt &s, const Bindings *b, const ast::BlockDecl *block) {
    const ast::BlockDecl *target = nullptr;
    if (!checkCallShape(s, ctx_, target)) {
      ok_ = false;
      return;
    }
    auto onStack = std::find(stack_.begin(), stack_.end(), target);
    if (onStack != stack_.end()) {
      std::string through;
      for (auto it = onStack + 1; it != stack_.end(); ++it)
        through += (through.empty() ? " through `" : "`, `") + (*it)->name.name;
      if (!through.empty()) through += "`";
      ctx_.report(DiagKind::BlockRecursion, s.range, target->name.name, through)
          .note(target->name.range, "`" + target->name.name + "` is defined here");
      ok_ = false;
      return;
    }
    if (stack_.size() >= static_cast<size_t>(kMaxBlockDepth)) {
      ctx_.report(DiagKind::BlockNestingTooDeep, s.range, kMaxBlockDepth);
      ok_ = false;
      return;
    }
    Bindings inner;
    for (size_t i = 0; i < target->params.size() && i < s.args.size(); ++i)
      inner[target->params[i].name] = subst(s.args[i], b, block);
    stack_.push_back(target);
    calls_.push_back({target->name.name, s.range});
    expand(target->body, &inner, target);
    calls_.pop_back();
    stack_.pop_back();
  }

  SemaContext &ctx_;
  const std::string &model_;
  std::vector<ExpandedLayer> &out_;
  std::vector<const ast::BlockDecl *> stack_;
  std::vector<CallFrame> calls_;
  bool ok_ = true;
  bool tooMany_ = false;
};

} // namespace

void checkBlockDefinitions(SemaContext &ctx) {
  for (const auto &file : ctx.program.files) {
    for (const ast::BlockDecl &block : file->blocks) {
      std::map<std::string, const ast::Ident *> seen;
      for (const ast::Ident &p : block.params) {
        auto [it, inserted] = seen.emplace(p.name, &p);
        if (!inserted)
          ctx.report(DiagKind::DuplicateBlockParam, p.range, p.name, block.name.name)
              .note(it->second->range, "first declared here");
      }
      for (const ast::LayerStmt &s : block.body) {
        forEachValue(s, [&](const ast::Value &v) {
          if (v.kind == ast::Value::Kind::Name && !seen.count(v.text))
            reportUnknownName(v, &block, ctx);
        });
        if (s.isCall) {
          const ast::BlockDecl *target = nullptr;
          checkCallShape(s, ctx, target);
        } else {
          checkLayerNames(s, ctx);
        }
      }
    }
  }
}

bool expandLayers(const std::vector<ast::LayerStmt> &stmts, const std::string &modelName,
                  SemaContext &ctx, std::vector<ExpandedLayer> &out) {
  Expander e(ctx, modelName, out);
  return e.run(stmts);
}

} // namespace aec::sema
