// Pass 7: constraints. Statement presence and duplicates, every number's
// range, the settings (loss, noise, sparsity, regularize, train), and the
// model-level rules of DESIGN section 2:
//  - the bottleneck rule: a code with as many elements as the input (or more)
//    is an error unless `sparsity` or `noise` keeps the model from learning
//    the identity;
//  - loss/range: `bce` needs inputs in [0, 1] and a sigmoid output; an output
//    activation whose range cannot reach the input range is an error.
// Value rules: sizes >= 1, rates in (0, 1) (mask/saltpepper noise, kl rho),
// gaussian noise stddev > 0, learning rate > 0, momentum and adam betas in
// [0, 1), eps > 0, batch and epochs >= 1, seed >= 0, l2 >= 0, sparsity
// weights > 0 (a zero weight would switch sparsity off yet still waive the
// bottleneck rule).
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

namespace aec::sema {

NumberRule openUnit(const char *what) {
  NumberRule r{what};
  r.loOpen = true;
  r.hasHi = true;
  r.hi = 1;
  r.hiOpen = true;
  return r;
}

namespace {

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

std::string condition(const NumberRule &r) {
  if (r.hasLo && r.hasHi)
    return fmt::format("in {}{}, {}{}", r.loOpen ? "(" : "[", num(r.lo), num(r.hi),
                       r.hiOpen ? ")" : "]");
  if (r.hasLo) return r.loOpen ? "greater than " + num(r.lo) : "at least " + num(r.lo);
  if (r.hasHi) return r.hiOpen ? "less than " + num(r.hi) : "at most " + num(r.hi);
  return "a number";
}

void duplicates(const char *keyword, const std::vector<SourceRange> &ranges, SemaContext &ctx) {
  for (size_t i = 1; i < ranges.size(); ++i)
    ctx.report(DiagKind::DuplicateStatement, ranges[i], keyword)
        .note(ranges[0], fmt::format("first `{}` is here", keyword));
}

template <typename T> std::vector<SourceRange> rangesOf(const std::vector<T> &v) {
  std::vector<SourceRange> r;
  for (const T &x : v) r.push_back(x.range);
  return r;
}

// A `key value` list: each key once, only known keys.
class Settings {
public:
  Settings(const std::vector<ast::Setting> &settings, const std::vector<std::string> &known,
           const std::string &where, SemaContext &ctx) {
    for (const ast::Setting &s : settings) {
      bool isKnown = false;
      for (const std::string &k : known) isKnown |= k == s.key.name;
      if (!isKnown) {
        ctx.report(DiagKind::UnknownSetting, s.key.range, s.key.name, where,
                   didYouMean(s.key.name, known));
        continue;
      }
      auto [it, inserted] = byKey_.emplace(s.key.name, &s);
      if (!inserted)
        ctx.report(DiagKind::DuplicateSetting, s.key.range, s.key.name)
            .note(it->second->key.range, "first set here");
    }
  }
  const ast::Value *get(const std::string &key) const {
    auto it = byKey_.find(key);
    return it == byKey_.end() ? nullptr : &it->second->value;
  }

private:
  std::map<std::string, const ast::Setting *> byKey_;
};

NumberRule positive(const char *what) {
  NumberRule r{what};
  r.loOpen = true;
  return r;
}
NumberRule halfOpenUnit(const char *what) {
  NumberRule r{what};
  r.hasHi = true;
  r.hi = 1;
  r.hiOpen = true;
  return r;
}
NumberRule nonNegative(const char *what) { return NumberRule{what}; }

void checkLoss(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.losses.empty()) return;
  const ast::Ident &n = decl.losses[0].name;
  if (auto k = lossByKeyword(n.name)) m.loss = *k;
  else ctx.report(DiagKind::UnknownLoss, n.range, n.name, didYouMean(n.name, lossKeywords()));
}

void checkNoise(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.noises.empty()) return;
  const ast::NoiseStmt &s = decl.noises[0];
  std::optional<NoiseKind> kind = noiseByKeyword(s.kind.name);
  if (!kind) {
    ctx.report(DiagKind::UnknownNoise, s.kind.range, s.kind.name,
               didYouMean(s.kind.name, noiseKeywords()));
    return;
  }
  m.noise = *kind;
  std::optional<double> v =
      *kind == NoiseKind::Gaussian
          ? checkNumber(s.amount, positive("the noise standard deviation"), ctx)
          : checkNumber(s.amount, openUnit("the noise rate"), ctx);
  if (v) m.noiseAmount = *v;
}

void checkSparsity(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.sparsities.empty()) return;
  const ast::SparsityStmt &s = decl.sparsities[0];
  std::optional<SparsityKind> kind = sparsityByKeyword(s.kind.name);
  if (kind == SparsityKind::L1) {
    m.sparsity = SparsityKind::L1;
    Settings opts(s.options, {}, "for `sparsity l1`", ctx);
    if (auto v = checkNumber(s.amount, positive("the sparsity weight"), ctx))
      m.sparsityWeight = *v;
  } else if (kind == SparsityKind::KL) {
    m.sparsity = SparsityKind::KL;
    Settings opts(s.options, {"weight"}, "for `sparsity kl`", ctx);
    if (auto v = checkNumber(s.amount, openUnit("the kl target rate"), ctx))
      m.sparsityTarget = *v;
    m.sparsityWeight = 1.0;
    if (const ast::Value *w = opts.get("weight"))
      if (auto v = checkNumber(*w, positive("the kl weight"), ctx)) m.sparsityWeight = *v;
  } else {
    ctx.report(DiagKind::UnknownSparsity, s.kind.range, s.kind.name,
               didYouMean(s.kind.name, sparsityKeywords()));
  }
}

void checkRegularize(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.regularizers.empty()) return;
  const ast::RegularizeStmt &s = decl.regularizers[0];
  if (s.kind.name != "l2") {
    ctx.report(DiagKind::UnknownRegularizer, s.kind.range, s.kind.name,
               didYouMean(s.kind.name, {"l2"}));
    return;
  }
  if (auto v = checkNumber(s.amount, nonNegative("the l2 weight"), ctx)) m.l2 = *v;
}

void checkTrain(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.trains.empty()) return;
  const ast::TrainStmt &t = decl.trains[0];
  duplicates("optimizer", rangesOf(t.optimizers), ctx);
  if (!t.optimizers.empty()) {
    const ast::OptimizerStmt &o = t.optimizers[0];
    if (std::optional<OptimizerKind> kind = optimizerByKeyword(o.name.name)) {
      bool adam = *kind == OptimizerKind::Adam;
      m.train.optimizer = *kind;
      std::vector<std::string> known = adam ? std::vector<std::string>{"lr", "beta1", "beta2", "eps"}
                                            : std::vector<std::string>{"lr", "momentum"};
      Settings opts(o.options, known, "for `optimizer " + o.name.name + "`", ctx);
      if (const ast::Value *v = opts.get("lr"))
        if (auto x = checkNumber(*v, positive("the learning rate"), ctx)) m.train.lr = *x;
      if (const ast::Value *v = opts.get("momentum"))
        if (auto x = checkNumber(*v, halfOpenUnit("the momentum"), ctx)) m.train.momentum = *x;
      if (const ast::Value *v = opts.get("beta1"))
        if (auto x = checkNumber(*v, halfOpenUnit("beta1"), ctx)) m.train.beta1 = *x;
      if (const ast::Value *v = opts.get("beta2"))
        if (auto x = checkNumber(*v, halfOpenUnit("beta2"), ctx)) m.train.beta2 = *x;
      if (const ast::Value *v = opts.get("eps"))
        if (auto x = checkNumber(*v, positive("eps"), ctx)) m.train.eps = *x;
    } else {
      ctx.report(DiagKind::UnknownOptimizer, o.name.range, o.name.name,
                 didYouMean(o.name.name, optimizerKeywords()));
    }
  }
  Settings s(t.settings, {"batch", "epochs", "seed", "warmup", "validation", "early_stop"},
             "in `train`", ctx);
  checkSchedule(t, ctx, m.train);
  checkWorkflowSettings(s.get("warmup"), s.get("validation"), s.get("early_stop"), ctx, m.train);
  if (const ast::Value *v = s.get("batch"))
    if (auto x = checkSize(*v, "the batch size", ctx, false)) m.train.batch = *x;
  if (const ast::Value *v = s.get("epochs"))
    if (auto x = checkSize(*v, "the number of epochs", ctx, false)) m.train.epochs = *x;
  if (const ast::Value *v = s.get("seed")) {
    NumberRule r{"the seed"};
    r.integer = true;
    r.hasHi = true;
    r.hi = 9007199254740992.0; // 2^53: every integer up to here is exact in a double
    if (auto x = checkNumber(*v, r, ctx)) m.train.seed = static_cast<uint64_t>(*x);
  }
}

// `kl [BETA] [warmup EPOCHS]`: β >= 0 (default 1), warm-up an integer >= 0.
void checkKl(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  if (decl.kls.empty()) return;
  const ast::KlStmt &k = decl.kls[0];
  if (decl.codes.empty() || !decl.codes[0].variational) {
    std::string size = decl.codes.empty() || decl.codes[0].shape.empty()
                           ? std::string("16")
                           : decl.codes[0].shape[0].text;
    Reported r = ctx.report(DiagKind::KlWithoutVariational, k.keyword.range, size);
    if (!decl.codes.empty()) r.note(decl.codes[0].range, "the code is declared here");
    return;
  }
  size_t i = 0;
  if (i < k.args.size() && k.args[i].kind == ast::Value::Kind::Number) {
    if (auto v = checkNumber(k.args[i], nonNegative("the kl weight"), ctx)) m.klBeta = *v;
    ++i;
  }
  if (i < k.args.size() && k.args[i].kind == ast::Value::Kind::Name && k.args[i].text == "warmup") {
    if (i + 1 >= k.args.size()) {
      ctx.report(DiagKind::StatementNeeds, k.args[i].range, "warmup",
                 "a number of epochs: `warmup 5`");
      return;
    }
    NumberRule r{"the kl warm-up (epochs)"};
    r.integer = true;
    r.hasHi = true;
    r.hi = 2147483647.0;
    if (auto v = checkNumber(k.args[i + 1], r, ctx)) m.klWarmup = static_cast<int64_t>(*v);
    i += 2;
  }
  if (i < k.args.size()) ctx.report(DiagKind::KlUnexpected, k.args[i].range, k.args[i].text);
}

} // namespace

std::optional<double> checkNumber(const ast::Value &v, const NumberRule &rule, SemaContext &ctx) {
  if (v.kind == ast::Value::Kind::Name) {
    ctx.report(DiagKind::UnknownName, v.range, v.text,
               "; a name can only stand for a parameter inside a block");
    return std::nullopt;
  }
  if (v.overflow || !std::isfinite(v.number)) {
    ctx.report(DiagKind::NumberOutOfRange, v.range, v.text);
    return std::nullopt;
  }
  double n = v.number;
  if (rule.integer && n != std::floor(n)) {
    ctx.report(DiagKind::NotInteger, v.range, rule.what, v.text);
    return std::nullopt;
  }
  bool low = rule.hasLo && (rule.loOpen ? n <= rule.lo : n < rule.lo);
  bool high = rule.hasHi && (rule.hiOpen ? n >= rule.hi : n > rule.hi);
  if (low || high) {
    ctx.report(DiagKind::InvalidValue, v.range, rule.what, condition(rule), v.text);
    return std::nullopt;
  }
  return n;
}

std::optional<int64_t> checkSize(const ast::Value &v, const char *what, SemaContext &ctx,
                                 bool isShape) {
  NumberRule r{what};
  r.integer = true;
  r.lo = 1;
  std::optional<double> n = checkNumber(v, r, ctx);
  if (!n) return std::nullopt;
  if (*n > static_cast<double>(kMaxElements) && !isShape) {
    ctx.report(DiagKind::InvalidValue, v.range, what, fmt::format("at most {}", kMaxElements),
               v.text);
    return std::nullopt;
  }
  if (*n > static_cast<double>(kMaxElements)) {
    ctx.report(DiagKind::ShapeTooLarge, v.range,
               fmt::format("{} `{}` is larger than {}", what, v.text, kMaxElements));
    return std::nullopt;
  }
  return static_cast<int64_t>(*n);
}

bool checkStatements(const ast::ModelDecl &decl, SemaContext &ctx) {
  duplicates("input", rangesOf(decl.inputs), ctx);
  duplicates("encoder", rangesOf(decl.encoders), ctx);
  duplicates("code", rangesOf(decl.codes), ctx);
  duplicates("decoder", rangesOf(decl.decoders), ctx);
  duplicates("loss", rangesOf(decl.losses), ctx);
  duplicates("noise", rangesOf(decl.noises), ctx);
  duplicates("sparsity", rangesOf(decl.sparsities), ctx);
  duplicates("regularize", rangesOf(decl.regularizers), ctx);
  duplicates("train", rangesOf(decl.trains), ctx);
  duplicates("kl", rangesOf(decl.kls), ctx);
  bool ok = true;
  auto need = [&](bool present, const char *kw) {
    if (present) return;
    ctx.report(DiagKind::MissingStatement, decl.name.range, decl.name.name, kw);
    ok = false;
  };
  need(!decl.inputs.empty(), "input");
  need(!decl.encoders.empty(), "encoder");
  need(!decl.codes.empty(), "code");
  need(!decl.decoders.empty(), "decoder");
  return ok;
}

void checkSettings(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  checkLoss(decl, ctx, m);
  checkNoise(decl, ctx, m);
  checkSparsity(decl, ctx, m);
  checkRegularize(decl, ctx, m);
  checkTrain(decl, ctx, m);
  checkKl(decl, ctx, m);
  checkBudgets(decl, ctx, m);
}

bool checkInput(const ast::InputStmt &in, SemaContext &ctx, CheckedModel &m) {
  bool ok = true;
  if (in.shape.empty() || in.shape.size() > 3) {
    ctx.report(DiagKind::ShapeRank, in.range, "the input shape", in.shape.size());
    ok = false;
  } else {
    for (const ast::Value &v : in.shape) {
      std::optional<int64_t> d = checkSize(v, "an input dimension", ctx);
      if (!d) ok = false;
      else m.input.dims.push_back(*d);
    }
    int64_t n = 0;
    if (ok && !checkedElements(m.input.dims, n)) {
      ctx.report(DiagKind::ShapeTooLarge, in.range,
                 fmt::format("the input has more than {} elements", kMaxElements));
      ok = false;
    }
  }
  if (in.valueRange) {
    std::optional<double> lo = checkNumber(in.valueRange->lo, NumberRule{"the range", false, 0, false, false}, ctx);
    std::optional<double> hi = checkNumber(in.valueRange->hi, NumberRule{"the range", false, 0, false, false}, ctx);
    if (lo && hi) {
      if (*lo >= *hi) {
        ctx.report(DiagKind::EmptyRange, in.valueRange->range, in.valueRange->lo.text,
                   in.valueRange->hi.text);
      } else {
        m.hasRange = true;
        m.rangeLo = *lo;
        m.rangeHi = *hi;
      }
    }
  }
  checkNormalize(in, ctx, m);
  return ok;
}

void checkModelConstraints(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m) {
  checkBudgetsFit(decl, ctx, m);
  // The bottleneck rule.
  if (m.codeIndex >= 0 && static_cast<size_t>(m.codeIndex) < m.layers.size()) {
    int64_t code = 0, input = 0;
    checkedElements(m.codeShape().dims, code);
    checkedElements(m.input.dims, input);
    if (code >= input && m.noise == NoiseKind::None && m.sparsity == SparsityKind::None) {
      SourceRange at = decl.codes.empty() ? decl.name.range : decl.codes[0].range;
      Reported r = ctx.report(DiagKind::CodeNotSmaller, at, code, input);
      if (!decl.inputs.empty()) r.note(decl.inputs[0].range, "the input is declared here");
    }
  }

  // Loss and range. The output activation is the last one applied (a final
  // upsample or reshape does not change the value range).
  // The network sees normalized inputs: minmax ones lie in [0, 1] (on the
  // training data), standard ones have no range.
  bool hasRange = m.hasRange;
  double rangeLo = m.rangeLo, rangeHi = m.rangeHi;
  if (m.normalize != NormalizeKind::None) {
    hasRange = m.normalize == NormalizeKind::MinMax;
    rangeLo = 0, rangeHi = 1;
  }
  bool explicitLoss = !decl.losses.empty();
  if (!explicitLoss) // normalized models default to mse (bce only when asked for)
    m.loss = (m.normalize == NormalizeKind::None && hasRange && rangeLo >= 0 && rangeHi <= 1)
                 ? LossKind::BCE
                 : LossKind::MSE;
  const Layer *out = nullptr;
  for (size_t i = m.layers.size(); i-- > 0 && !out;)
    if (m.layers[i].hasWeights()) out = &m.layers[i];
  Activation act = out ? out->activation : Activation::Linear;
  SourceRange outLoc = out ? out->loc : decl.name.range;
  std::string outText = out ? layerText(*out) : "input";

  if (m.loss == LossKind::BCE) {
    SourceRange lossAt = explicitLoss ? decl.losses[0].range : decl.name.range;
    if (!hasRange) {
      ctx.report(DiagKind::BceNeedsUnitRange, lossAt,
                 m.normalize == NormalizeKind::Standard
                     ? "inputs normalized with `standard` have no range"
                     : "the input has no range");
      return;
    }
    if (rangeLo < 0 || rangeHi > 1) {
      ctx.report(DiagKind::BceNeedsUnitRange, lossAt,
                 fmt::format("the input range is [{}, {}]", num(rangeLo), num(rangeHi)));
      return;
    }
    if (act != Activation::Sigmoid) {
      Reported r = ctx.report(DiagKind::BceNeedsSigmoid, outLoc,
                              explicitLoss ? "loss `bce`"
                                           : "the default loss `bce` (for range [0, 1])",
                              outText, activationName(act));
      if (explicitLoss) r.note(lossAt, "the loss is chosen here");
      else r.note(outLoc, "write `loss mse`, or end the decoder with a sigmoid");
      return;
    }
  }
  if (hasRange) {
    const double lo = info(act).lo, hi = info(act).hi;
    if (rangeLo < lo || rangeHi > hi)
      ctx.report(DiagKind::OutputCannotReachRange, outLoc, activationName(act), num(rangeLo),
                 num(rangeHi),
                 fmt::format("{}{}, {}{}", std::isinf(lo) ? "(" : "[", num(lo), num(hi),
                             std::isinf(hi) ? ")" : "]"));
  }
}

} // namespace aec::sema
