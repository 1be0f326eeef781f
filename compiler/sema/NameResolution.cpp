// Pass 3: names. Layer kinds, activations and the arguments each layer kind
// takes; unknown names get a "did you mean". Turns an expanded layer into a
// LayerSpec with checked numbers (ShapeInference consumes it).
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

namespace aec::sema {

namespace {

struct KindEntry {
  const char *name;
  LayerKind kind;
};
const KindEntry kKinds[] = {
    {"dense", LayerKind::Dense},     {"conv", LayerKind::Conv2D},
    {"maxpool", LayerKind::MaxPool}, {"avgpool", LayerKind::AvgPool},
    {"upsample", LayerKind::Upsample}, {"flatten", LayerKind::Flatten},
    {"batchnorm", LayerKind::BatchNorm}, {"dropout", LayerKind::Dropout}, // issue 7
};

struct ActEntry {
  const char *name;
  Activation act;
};
const ActEntry kActs[] = {
    {"relu", Activation::Relu},       {"leaky_relu", Activation::LeakyRelu},
    {"sigmoid", Activation::Sigmoid}, {"tanh", Activation::Tanh},
    {"elu", Activation::Elu},         {"linear", Activation::Linear},
};

std::optional<LayerKind> lookupKind(const std::string &name) {
  for (const KindEntry &k : kKinds)
    if (name == k.name) return k.kind;
  return std::nullopt;
}

bool takesActivation(LayerKind k) { return k == LayerKind::Dense || k == LayerKind::Conv2D; }

const char *sizeWhat(LayerKind k) {
  switch (k) {
  case LayerKind::Dense: return "the number of units";
  case LayerKind::Conv2D:
  case LayerKind::Conv1D: return "the number of channels";
  case LayerKind::Upsample: return "the upsample factor";
  default: return "the pool factor";
  }
}

const char *sizeNeeded(LayerKind k) {
  switch (k) {
  case LayerKind::Dense: return "a number of units, as in `dense 128 relu`";
  case LayerKind::Conv2D:
  case LayerKind::Conv1D: return "a number of output channels, as in `conv 16 3x3 relu`";
  case LayerKind::Upsample: return "a factor, as in `upsample 2`";
  case LayerKind::Dropout: return "a rate, as in `dropout 0.2`";
  default: return "a factor, as in `maxpool 2`";
  }
}

std::string specText(LayerKind kind, bool conv2d, int64_t size, int64_t kernel, int64_t stride,
                     double rate = 0) {
  std::string s = layerKindName(kind);
  switch (kind) {
  case LayerKind::Dropout: return fmt::format("{} {}", s, rate);
  case LayerKind::Dense:
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
  case LayerKind::Upsample: return s + " " + std::to_string(size);
  case LayerKind::Conv2D:
  case LayerKind::Conv1D:
    s += " " + std::to_string(size) + " " + std::to_string(kernel);
    if (conv2d) s += "x" + std::to_string(kernel);
    if (stride != 1) s += " stride " + std::to_string(stride);
    return s;
  default: return s;
  }
}

} // namespace

const std::vector<std::string> &layerKindNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const KindEntry &k : kKinds) v.push_back(k.name);
    return v;
  }();
  return names;
}

const std::vector<std::string> &activationNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const ActEntry &a : kActs) v.push_back(a.name);
    return v;
  }();
  return names;
}

std::optional<Activation> lookupActivation(const std::string &name) {
  for (const ActEntry &a : kActs)
    if (name == a.name) return a.act;
  return std::nullopt;
}

std::string layerText(const Layer &l) {
  if (l.kind == LayerKind::Reshape) return "reshape";
  int64_t size = l.kind == LayerKind::Dense ? l.units
                 : (l.kind == LayerKind::Conv2D || l.kind == LayerKind::Conv1D) ? l.channels
                                                                                : l.factor;
  return specText(l.kind, l.kind == LayerKind::Conv2D, size, l.kernel, l.stride, l.rate);
}

bool checkLayerNames(const ast::LayerStmt &s, SemaContext &ctx) {
  std::optional<LayerKind> kind = lookupKind(s.kind.name);
  if (!kind) {
    std::string hint;
    if (ctx.program.blocks.count(s.kind.name))
      hint = "; `" + s.kind.name + "` is a block: call it as `" + s.kind.name + "(...)`";
    else
      hint = didYouMean(s.kind.name, layerKindNames());
    ctx.report(DiagKind::UnknownLayerKind, s.kind.range, s.kind.name, hint);
    return false;
  }
  bool ok = true;
  const std::string &k = s.kind.name;
  if (s.activation) {
    if (!takesActivation(*kind)) {
      ctx.report(DiagKind::LayerArgUnexpected, s.activation->range, k, "an activation");
      ok = false;
    } else if (!lookupActivation(s.activation->name)) {
      ctx.report(DiagKind::UnknownActivation, s.activation->range, s.activation->name,
                 didYouMean(s.activation->name, activationNames()));
      ok = false;
    }
  }
  if (*kind == LayerKind::Flatten || *kind == LayerKind::BatchNorm) {
    if (s.size) {
      ctx.report(DiagKind::LayerArgUnexpected, s.size->range, k, "a size");
      ok = false;
    }
  } else if (!s.size) {
    ctx.report(DiagKind::LayerArgMissing, s.range, k, sizeNeeded(*kind));
    ok = false;
  }
  if (*kind == LayerKind::Conv2D) {
    if (!s.kernel) {
      ctx.report(DiagKind::LayerArgMissing, s.range, k,
                 "a kernel size, as in `conv 16 3x3 relu` (or `conv 16 3` on [C, L])");
      ok = false;
    }
  } else {
    if (s.kernel) {
      ctx.report(DiagKind::LayerArgUnexpected, s.kernel->range, k, "a kernel size");
      ok = false;
    }
    if (s.stride) {
      ctx.report(DiagKind::LayerArgUnexpected, s.stride->range, k, "a stride");
      ok = false;
    }
  }
  return ok;
}

LayerSpec resolveLayer(const ExpandedLayer &e, SemaContext &ctx) {
  LayerSpec spec;
  const ast::LayerStmt &s = *e.stmt;
  spec.loc = s.range;
  spec.calls = e.calls;
  if (!checkLayerNames(s, ctx) || e.poisoned) {
    spec.ok = false;
    return spec;
  }
  spec.kind = *lookupKind(s.kind.name);
  if (s.activation) spec.activation = *lookupActivation(s.activation->name);
  if (e.size && spec.kind == LayerKind::Dropout) {
    NumberRule r{"the dropout rate"};
    r.loOpen = r.hasHi = r.hiOpen = true;
    r.hi = 1;
    if (std::optional<double> p = checkNumber(*e.size, r, ctx)) spec.rate = *p;
    else spec.ok = false;
  } else if (e.size) {
    std::optional<int64_t> v = checkSize(*e.size, sizeWhat(spec.kind), ctx);
    if (!v) spec.ok = false;
    else spec.size = *v;
  }
  if (spec.kind == LayerKind::Conv2D && e.kernel) {
    const ast::KernelSpec &k = *e.kernel;
    spec.conv2d = k.w.has_value();
    if (!spec.conv2d) spec.kind = LayerKind::Conv1D;
    std::optional<int64_t> h = checkSize(k.h, "the kernel size", ctx);
    std::optional<int64_t> w = h;
    if (k.w) w = checkSize(*k.w, "the kernel size", ctx);
    if (!h || !w) {
      spec.ok = false;
    } else if (*h != *w) {
      ctx.report(DiagKind::KernelNotSquare, k.range, k.h.text + "x" + k.w->text);
      spec.ok = false;
    } else if (*h % 2 == 0) {
      ctx.report(DiagKind::KernelNotOdd, k.range, *h);
      spec.ok = false;
    } else {
      spec.kernel = *h;
    }
  }
  if (e.stride) {
    std::optional<int64_t> v = checkSize(*e.stride, "the stride", ctx);
    if (!v) spec.ok = false;
    else spec.stride = *v;
  }
  if (spec.ok)
    spec.text = specText(spec.kind, spec.conv2d, spec.size, spec.kernel, spec.stride, spec.rate);
  return spec;
}

} // namespace aec::sema
