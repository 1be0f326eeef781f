// Parse tree -> AST (see AstBuilder.h).
#include "compiler/parse/AstBuilder.h"

#include "compiler/diag/Suggest.h"
#include "compiler/parse/LayerShape.h"
#include "compiler/parse/Lexing.h"
#include "compiler/parse/Numbers.h"

#include <algorithm>

namespace aec {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::TerminalNode;
using P = aecgen::AEParser;

namespace {

// Settings inside `train { }` that belong to the optimizer statement before
// them; everything else (batch, epochs, seed, unknown keys) is a train setting.
const std::vector<std::string> kOptimizerKeys = {"lr", "momentum", "beta1", "beta2", "eps"};

const std::vector<std::string> kModelStatements = {
    "input", "encoder", "code", "decoder", "loss", "noise", "sparsity", "regularize", "train", "kl", "budget"};

class Builder {
public:
  Builder(FileId file, uint32_t fileSize, SyntaxDiags &diags)
      : file_(file), size_(fileSize), diags_(diags) {}

  std::unique_ptr<ast::File> file(P::FileContext *ctx) {
    auto out = std::make_unique<ast::File>();
    out->id = file_;
    if (!ctx)
      return out;
    for (P::TopItemContext *item : ctx->topItem()) {
      if (auto *imp = item->importStmt())
        importStmt(*out, imp);
      else if (auto *block = item->blockDecl())
        out->blocks.push_back(blockDecl(block));
      else if (auto *model = item->modelDecl())
        out->models.push_back(modelDecl(model));
    }
    return out;
  }

private:
  FileId file_;
  uint32_t size_;
  SyntaxDiags &diags_;

  // ---- ranges ----

  SourceRange range(const Token *t) const {
    // Tokens conjured by error recovery have no position.
    if (!t || t->getStartIndex() == INVALID_INDEX || t->getStartIndex() > size_)
      return {file_, size_, size_};
    SourceRange r = tokenRange(file_, t);
    r.end = std::min(r.end, size_);
    return r;
  }
  SourceRange range(TerminalNode *n) const { return range(n ? n->getSymbol() : nullptr); }
  SourceRange range(ParserRuleContext *ctx) const {
    if (!ctx || !ctx->start)
      return {file_, size_, size_};
    SourceRange r = range(ctx->start);
    if (ctx->stop && ctx->stop->getStartIndex() != INVALID_INDEX &&
        ctx->stop->getTokenIndex() >= ctx->start->getTokenIndex())
      r.end = std::max(r.end, range(ctx->stop).end);
    return r;
  }
  static SourceRange join(SourceRange a, SourceRange b) {
    return {a.file, std::min(a.begin, b.begin), std::max(a.end, b.end)};
  }

  // ---- leaves ----

  ast::Ident ident(TerminalNode *n) const {
    if (!n)
      return {};
    return {n->getText(), range(n)};
  }
  ast::Ident ident(const Token *t) const {
    if (!t || t->getStartIndex() == INVALID_INDEX)
      return {};
    return {t->getText(), range(t)};
  }

  ast::StringLit string(TerminalNode *n) const {
    ast::StringLit s;
    if (!n)
      return s;
    s.range = range(n);
    std::string raw = n->getText();
    size_t end = raw.size();
    if (end >= 2 && raw.back() == '"')
      --end;
    for (size_t i = 1; i < end; ++i) {
      if (raw[i] == '\\' && i + 1 < end)
        ++i;
      s.value += raw[i];
    }
    return s;
  }

  ast::Value number(P::NumberContext *ctx) const {
    TerminalNode *lit = ctx->INT() ? ctx->INT() : ctx->FLOAT();
    if (!lit)
      return ast::Value{ast::Value::Kind::Number, 0, true, false, "0", range(ctx)};
    return makeNumber(lit->getText(), ctx->INT() != nullptr, ctx->MINUS() != nullptr, range(ctx));
  }

  std::optional<ast::Value> value(P::ValueContext *ctx) const {
    if (!ctx)
      return std::nullopt;
    if (auto *n = ctx->number())
      return number(n);
    if (TerminalNode *id = ctx->IDENT()) {
      ast::Value v;
      v.kind = ast::Value::Kind::Name;
      v.text = id->getText();
      v.range = range(id);
      return v;
    }
    return std::nullopt;
  }
  ast::Value valueOrZero(P::ValueContext *ctx) const {
    if (auto v = value(ctx))
      return *v;
    ast::Value v;
    v.text = "0";
    v.range = range(ctx);
    return v;
  }

  // `3x3` -> h=3, w=3, each with its own range.
  ast::KernelSpec kernel(TerminalNode *n) const {
    ast::KernelSpec k;
    k.range = range(n);
    std::string text = n->getText();
    size_t x = text.find_first_of("xX");
    if (x == std::string::npos)
      x = text.size();
    auto part = [&](size_t b, size_t e) {
      std::string digits = e > b ? text.substr(b, e - b) : "0";
      SourceRange r{file_, k.range.begin + static_cast<uint32_t>(b),
                    k.range.begin + static_cast<uint32_t>(std::max(b, e))};
      return makeNumber(digits, true, false, r);
    };
    k.h = part(0, x);
    if (x < text.size())
      k.w = part(x + 1, text.size());
    return k;
  }

  // ---- layers ----

  std::vector<ast::LayerStmt> layerBody(P::LayerBodyContext *ctx,
                                        const std::vector<std::string> &params) {
    std::vector<ast::LayerStmt> layers;
    if (!ctx)
      return layers;
    for (P::LayerContext *l : ctx->layer())
      if (auto layer = layerStmt(l, params))
        layers.push_back(std::move(*layer));
    return layers;
  }

  std::optional<ast::LayerStmt> layerStmt(P::LayerContext *ctx, const std::vector<std::string> &params) {
    ast::LayerStmt layer;
    layer.range = range(ctx);
    if (auto *call = dynamic_cast<P::CallLayerContext *>(ctx)) {
      layer.isCall = true;
      layer.kind = ident(call->IDENT());
      for (P::ValueContext *v : call->value())
        if (auto val = value(v))
          layer.args.push_back(*val);
      return layer;
    }
    auto *plain = dynamic_cast<P::PlainLayerContext *>(ctx);
    if (!plain || !plain->layerWord() || !plain->layerWord()->start)
      return std::nullopt;
    layer.kind = ident(plain->layerWord()->start);
    std::vector<LayerArg> args;
    for (P::LayerArgContext *a : plain->layerArg()) {
      LayerArg arg;
      arg.range = range(a);
      arg.text = a->getText();
      if (auto *n = a->number()) {
        arg.value = number(n);
      } else if (a->KERNEL()) {
        arg.kind = LayerArg::Kind::Kernel;
        arg.kernel = kernel(a->KERNEL());
      } else if (a->STRIDE()) {
        arg.kind = LayerArg::Kind::Stride;
        arg.text = "stride";
        arg.value = valueOrZero(a->value());
      } else if (a->IDENT()) {
        arg.value.kind = ast::Value::Kind::Name;
        arg.value.text = a->IDENT()->getText();
        arg.value.range = arg.range;
      } else {
        continue; // an error node; already reported
      }
      args.push_back(std::move(arg));
    }
    shapeLayer(layer, args, params, diags_);
    return layer;
  }

  // ---- top level ----

  void importStmt(ast::File &out, P::ImportStmtContext *ctx) {
    if (!ctx->STRING())
      return;
    out.imports.push_back(ast::ImportStmt{range(ctx), string(ctx->STRING())});
  }

  ast::BlockDecl blockDecl(P::BlockDeclContext *ctx) {
    ast::BlockDecl b;
    b.range = range(ctx);
    b.name = ident(ctx->name ? ctx->name->start : nullptr);
    std::vector<std::string> params;
    for (TerminalNode *p : ctx->IDENT()) {
      b.params.push_back(ident(p));
      params.push_back(p->getText());
    }
    b.body = layerBody(ctx->layerBody(), params);
    return b;
  }

  ast::ModelDecl modelDecl(P::ModelDeclContext *ctx) {
    ast::ModelDecl m;
    m.range = range(ctx);
    m.name = ident(ctx->name ? ctx->name->start : nullptr);
    for (P::ModelStmtContext *s : ctx->modelStmt())
      modelStmt(m, s);
    return m;
  }

  std::vector<ast::Value> shape(P::ShapeContext *ctx, bool &bracketed) {
    std::vector<ast::Value> dims;
    bracketed = false;
    if (!ctx)
      return dims;
    bracketed = ctx->LBRACKET() != nullptr;
    for (P::ValueContext *v : ctx->value())
      if (auto val = value(v))
        dims.push_back(*val);
    return dims;
  }

  void modelStmt(ast::ModelDecl &m, P::ModelStmtContext *ctx) {
    SourceRange r = range(ctx);
    if (auto *s = dynamic_cast<P::InputStmtContext *>(ctx)) {
      ast::InputStmt in;
      in.range = r;
      in.shape = shape(s->shape(), in.bracketed);
      if (auto *rs = s->rangeSpec())
        in.valueRange = ast::RangeSpec{valueOrZero(rs->lo), valueOrZero(rs->hi), range(rs)};
      if (auto *ns = s->normalizeSpec()) {
        in.normalize = range(ns->IDENT(0));
        if (ns->IDENT().size() > 1)
          in.normalizeKind = ident(ns->IDENT(1));
      }
      m.inputs.push_back(std::move(in));
    } else if (auto *s = dynamic_cast<P::EncoderStmtContext *>(ctx)) {
      ast::EncoderStmt e;
      e.range = r;
      if (s->FROM())
        e.from = string(s->STRING());
      if (s->FREEZE()) {
        e.freeze = true;
        e.freezeRange = range(s->FREEZE());
      }
      e.layers = layerBody(s->layerBody(), {});
      m.encoders.push_back(std::move(e));
    } else if (auto *s = dynamic_cast<P::CodeStmtContext *>(ctx)) {
      ast::CodeStmt c;
      c.range = r;
      c.shape = shape(s->shape(), c.bracketed);
      if (s->IDENT() && s->IDENT()->getText() == "variational")
        c.variational = ident(s->IDENT());
      else if (s->IDENT())
        c.activation = ident(s->IDENT());
      m.codes.push_back(std::move(c));
    } else if (auto *s = dynamic_cast<P::DecoderMirrorStmtContext *>(ctx)) {
      ast::DecoderStmt d;
      d.range = r;
      d.form = ast::DecoderForm::Mirror;
      if (s->TIED()) {
        d.tied = true;
        d.tiedRange = range(s->TIED());
      }
      m.decoders.push_back(std::move(d));
    } else if (auto *s = dynamic_cast<P::DecoderBodyStmtContext *>(ctx)) {
      ast::DecoderStmt d;
      d.range = r;
      d.form = s->ASYMMETRIC() ? ast::DecoderForm::Asymmetric : ast::DecoderForm::Explicit;
      d.layers = layerBody(s->layerBody(), {});
      m.decoders.push_back(std::move(d));
    } else if (auto *s = dynamic_cast<P::LossStmtContext *>(ctx)) {
      m.losses.push_back(ast::LossStmt{r, ident(s->IDENT())});
    } else if (auto *s = dynamic_cast<P::NoiseStmtContext *>(ctx)) {
      m.noises.push_back(ast::NoiseStmt{r, ident(s->IDENT()), valueOrZero(s->value())});
    } else if (auto *s = dynamic_cast<P::SparsityStmtContext *>(ctx)) {
      ast::SparsityStmt sp{r, ident(s->IDENT()), valueOrZero(s->value()), {}};
      for (P::SettingContext *set : s->setting())
        sp.options.push_back(setting(set));
      m.sparsities.push_back(std::move(sp));
    } else if (auto *s = dynamic_cast<P::RegularizeStmtContext *>(ctx)) {
      m.regularizers.push_back(ast::RegularizeStmt{r, ident(s->IDENT()), valueOrZero(s->value())});
    } else if (auto *s = dynamic_cast<P::TrainStmtContext *>(ctx)) {
      m.trains.push_back(trainStmt(s));
    } else if (auto *s = dynamic_cast<P::KlStmtContext *>(ctx)) {
      m.kls.push_back(ast::KlStmt{r, ident(s->IDENT()), values(s->value())});
    } else if (auto *s = dynamic_cast<P::BudgetStmtContext *>(ctx)) {
      m.budgets.push_back(ast::BudgetStmt{r, ident(s->IDENT()), values(s->value())});
    } else if (auto *s = dynamic_cast<P::UnknownStmtContext *>(ctx)) {
      unknownStmt(s);
    }
  }

  std::vector<ast::Value> values(const std::vector<P::ValueContext *> &ctxs) const {
    std::vector<ast::Value> out;
    for (P::ValueContext *v : ctxs)
      if (auto val = value(v))
        out.push_back(*val);
    return out;
  }

  ast::Setting setting(P::SettingContext *ctx) {
    ast::Setting s{ident(ctx->IDENT()), valueOrZero(ctx->value()), range(ctx)};
    if (!ctx->value() && ctx->IDENT()) {
      const std::string &key = s.key.name;
      std::string example = key == "lr" ? "1e-3" : key == "momentum" ? "0.9" : key == "batch" ? "64"
                            : key == "seed" ? "42" : key == "weight" ? "3" : "10";
      diags_.add(DiagKind::StatementNeeds, {file_, s.key.range.end, s.key.range.end},
                 {key, "a value: `" + key + " " + example + "`"});
    }
    return s;
  }

  ast::TrainStmt trainStmt(P::TrainStmtContext *ctx) {
    ast::TrainStmt t;
    t.range = range(ctx);
    for (P::TrainItemContext *item : ctx->trainItem()) {
      if (auto *opt = dynamic_cast<P::OptimizerItemContext *>(item)) {
        t.optimizers.push_back(ast::OptimizerStmt{range(opt), ident(opt->IDENT()), {}});
      } else if (auto *sch = dynamic_cast<P::ScheduleItemContext *>(item)) {
        ast::ScheduleStmt st{range(sch), {}};
        for (P::ValueContext *v : sch->value())
          if (auto val = value(v))
            st.words.push_back(*val);
        t.schedules.push_back(std::move(st));
      } else if (auto *si = dynamic_cast<P::SettingItemContext *>(item)) {
        if (!si->setting())
          continue;
        ast::Setting s = setting(si->setting());
        bool forOptimizer = std::find(kOptimizerKeys.begin(), kOptimizerKeys.end(), s.key.name) !=
                            kOptimizerKeys.end();
        if (forOptimizer && !t.optimizers.empty()) {
          ast::OptimizerStmt &o = t.optimizers.back();
          o.range = join(o.range, s.range);
          o.options.push_back(std::move(s));
        } else {
          t.settings.push_back(std::move(s));
        }
      }
    }
    return t;
  }

  void unknownStmt(P::UnknownStmtContext *ctx) {
    ast::Ident word = ident(ctx->IDENT());
    std::string suggestion;
    if (auto best = closestName(word.name, kModelStatements))
      suggestion = "; did you mean `" + *best + "`?";
    diags_.add(DiagKind::UnknownStatement, word.range, {word.name, suggestion});
  }
};

} // namespace

std::unique_ptr<ast::File> buildAst(P::FileContext *tree, FileId file, uint32_t fileSize,
                                    SyntaxDiags &diags) {
  return Builder(file, fileSize, diags).file(tree);
}

const std::vector<std::string> &optimizerOptionKeys() { return kOptimizerKeys; }
const std::vector<std::string> &modelStatementWords() { return kModelStatements; }

} // namespace aec
