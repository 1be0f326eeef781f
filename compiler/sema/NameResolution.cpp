// Pass 3: names. Layer kinds, activations and the arguments each layer kind
// takes; unknown names get a "did you mean". Turns an expanded layer into a
// LayerSpec with checked numbers (ShapeInference consumes it).
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

namespace aec::sema {

namespace {

// "a number of units, as in `dense 128 relu`"
std::string sizeNeeded(LayerKind k) {
  return std::string(info(k).need) + ", as in `" + info(k).example + "`";
}

} // namespace

bool checkLayerNames(const ast::LayerStmt &s, SemaContext &ctx) {
  std::optional<LayerKind> kind = layerKindByKeyword(s.kind.name);
  if (!kind) {
    std::string hint;
    if (ctx.program.blocks.count(s.kind.name))
      hint = "; `" + s.kind.name + "` is a block: call it as `" + s.kind.name + "(...)`";
    else
      hint = didYouMean(s.kind.name, layerKindKeywords());
    ctx.report(DiagKind::UnknownLayerKind, s.kind.range, s.kind.name, hint);
    return false;
  }
  bool ok = true;
  const std::string &k = s.kind.name;
  if (s.activation) {
    if (!info(*kind).activation) {
      ctx.report(DiagKind::LayerArgUnexpected, s.activation->range, k, "an activation");
      ok = false;
    } else if (!activationByKeyword(s.activation->name)) {
      ctx.report(DiagKind::UnknownActivation, s.activation->range, s.activation->name,
                 didYouMean(s.activation->name, activationKeywords()));
      ok = false;
    }
  }
  if (info(*kind).args == LayerArgs::None) {
    if (s.size) {
      ctx.report(DiagKind::LayerArgUnexpected, s.size->range, k, "a size");
      ok = false;
    }
  } else if (!s.size) {
    ctx.report(DiagKind::LayerArgMissing, s.range, k, sizeNeeded(*kind));
    ok = false;
  }
  if (info(*kind).args == LayerArgs::SizeKernel) {
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
  spec.kind = *layerKindByKeyword(s.kind.name);
  if (s.activation) spec.activation = *activationByKeyword(s.activation->name);
  if (e.size && info(spec.kind).text == LayerText::Rate) { // a rate in (0, 1): dropout
    NumberRule r{info(spec.kind).sizeWhat};
    r.loOpen = r.hasHi = r.hiOpen = true;
    r.hi = 1;
    if (std::optional<double> p = checkNumber(*e.size, r, ctx)) spec.rate = *p;
    else spec.ok = false;
  } else if (e.size) {
    std::optional<int64_t> v = checkSize(*e.size, info(spec.kind).sizeWhat, ctx);
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
    spec.text = layerSpecText(spec.kind, spec.conv2d, spec.size, spec.kernel, spec.stride, spec.rate);
  return spec;
}

} // namespace aec::sema
