// Pass 4: shapes. Infers every layer's input and output shape:
//   dense N        [n] -> [N]                 (a spatial input is an error: flatten first)
//   conv C KxK     [Cin, H, W] -> [C, ceil(H/S), ceil(W/S)]   (same padding, stride S)
//   conv C K       [Cin, L] -> [C, ceil(L/S)]
//   maxpool/avgpool S   H, W (or L) must be divisible by S; -> [C, H/S, W/S]
//   upsample S     [C, H*S, W*S]
//   flatten        [C, H, W] -> [C*H*W]
//   batchnorm, dropout P   keep the shape; they follow a dense or conv layer
//                  (possibly through other batchnorm/dropout layers)
// All products are checked against kMaxElements ("shape too large"). The
// first error stops the section (a poison shape): one mistake, one error.
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

namespace aec::sema {

bool checkedElements(const std::vector<int64_t> &dims, int64_t &result) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxElements) return false;
  }
  result = n;
  return true;
}

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

class Inferer {
public:
  Inferer(Section section, const std::vector<Shape> &targets, SemaContext &ctx,
          std::vector<BuiltLayer> &out)
      : section_(section), targets_(targets), ctx_(ctx), out_(out) {}

  bool layer(const LayerSpec &spec, Shape &cur) {
    BuiltLayer b;
    b.text = spec.text;
    b.calls = spec.calls;
    Layer &l = b.layer;
    l.kind = spec.kind;
    l.activation = spec.activation;
    l.section = section_;
    l.loc = spec.loc;
    if (!spec.calls.empty()) l.callSite = spec.calls.front().range;
    switch (info(spec.kind).shape) { // the row's `shape`
    case ShapeRule::Keeps: // batch norm, dropout
      if (!followsWeights(spec)) return false;
      l.rate = spec.rate;
      l.in = cur;
      l.out = cur;
      break;
    case ShapeRule::Units: {
      if (cur.rank() != 1) {
        Reported r = ctx_.report(DiagKind::DenseOnSpatial, spec.loc, spec.text, cur.str());
        ctx_.callNotes(r, spec.calls);
        return false;
      }
      int64_t weights = 0;
      if (!checkedElements({cur.dims[0], spec.size}, weights))
        return tooLarge(spec, fmt::format("`{}` on {} inputs needs more than {} weights",
                                          spec.text, cur.dims[0], kMaxElements));
      l.units = spec.size;
      l.in = cur;
      l.out = Shape{{spec.size}};
      break;
    }
    case ShapeRule::Conv: {
      int rank = spec.kind == LayerKind::Conv1D ? 2 : 3;
      maybeReshape(spec, cur, rank, rank);
      if (cur.rank() != rank)
        return wrongRank(spec, cur, rank == 3 ? "a [C, H, W]" : "a [C, L]");
      int64_t weights = 0;
      std::vector<int64_t> wdims = {spec.size, cur.dims[0], spec.kernel};
      if (rank == 3) wdims.push_back(spec.kernel);
      if (!checkedElements(wdims, weights))
        return tooLarge(spec, fmt::format("`{}` on {} channels needs more than {} weights",
                                          spec.text, cur.dims[0], kMaxElements));
      Shape o{{spec.size}};
      for (int i = 1; i < rank; ++i) o.dims.push_back(ceilDiv(cur.dims[i], spec.stride));
      if (!outputFits(spec, o))
        return false;
      l.channels = spec.size;
      l.kernel = spec.kernel;
      l.stride = spec.stride;
      l.in = cur;
      l.out = o;
      break;
    }
    case ShapeRule::Divides: {
      maybeReshape(spec, cur, 2, 3);
      if (cur.rank() != 2 && cur.rank() != 3)
        return wrongRank(spec, cur, "a [C, H, W] or [C, L]");
      static const char *const names3[] = {"channels", "height", "width"};
      static const char *const names2[] = {"channels", "length"};
      Shape o{{cur.dims[0]}};
      for (int i = 1; i < cur.rank(); ++i) {
        if (cur.dims[i] % spec.size != 0) {
          Reported r = ctx_.report(DiagKind::PoolDoesNotDivide, spec.loc, spec.text,
                                   cur.rank() == 3 ? names3[i] : names2[i], cur.dims[i]);
          ctx_.callNotes(r, spec.calls);
          return false;
        }
        o.dims.push_back(cur.dims[i] / spec.size);
      }
      l.factor = spec.size;
      l.in = cur;
      l.out = o;
      break;
    }
    case ShapeRule::Multiplies: {
      maybeReshape(spec, cur, 2, 3);
      if (cur.rank() != 2 && cur.rank() != 3)
        return wrongRank(spec, cur, "a [C, H, W] or [C, L]");
      Shape o{{cur.dims[0]}};
      for (int i = 1; i < cur.rank(); ++i) {
        int64_t d = 0;
        if (__builtin_mul_overflow(cur.dims[i], spec.size, &d)) d = kMaxElements + 1;
        o.dims.push_back(d);
      }
      if (!outputFits(spec, o))
        return false;
      l.factor = spec.size;
      l.in = cur;
      l.out = o;
      break;
    }
    case ShapeRule::Flattens: {
      int64_t n = 0;
      checkedElements(cur.dims, n); // cur is always within bounds
      l.kind = LayerKind::Flatten;
      l.in = cur;
      l.out = Shape{{n}};
      break;
    }
    }
    cur = l.out;
    out_.push_back(std::move(b));
    return true;
  }

private:
  // Batch norm and dropout follow a dense or conv layer of their section (in
  // a decoder the code counts as one), looking through each other.
  bool followsWeights(const LayerSpec &spec) {
    for (size_t i = out_.size(); i-- > 0;) {
      const BuiltLayer &prev = out_[i];
      if (prev.layer.isShapeKeeping()) continue;
      if (prev.layer.hasWeights()) return true;
      Reported r = ctx_.report(DiagKind::NormAfterNonWeightLayer, spec.loc, spec.text, prev.text);
      ctx_.callNotes(r, spec.calls);
      return false;
    }
    if (section_ != Section::Encoder) return true;
    Reported r = ctx_.report(DiagKind::NormBeforeAnyLayer, spec.loc, spec.text);
    ctx_.callNotes(r, spec.calls);
    return false;
  }

  // In a decoder, a flat tensor feeding a spatial layer is reshaped back to
  // the spatial shape the encoder flattened (there is no `reshape` statement;
  // `decoder mirror` builds the same reshape).
  void maybeReshape(const LayerSpec &spec, Shape &cur, int minRank, int maxRank) {
    if (section_ != Section::Decoder || cur.rank() != 1) return;
    for (size_t i = targets_.size(); i-- > 0;) {
      const Shape &t = targets_[i];
      int64_t n = 0;
      if (t.rank() < minRank || t.rank() > maxRank || !checkedElements(t.dims, n) ||
          n != cur.dims[0])
        continue;
      BuiltLayer b;
      b.implicit = true;
      b.layer.kind = LayerKind::Reshape;
      b.layer.section = section_;
      b.layer.in = cur;
      b.layer.out = t;
      b.layer.loc = spec.loc;
      b.text = "reshape";
      b.calls = spec.calls;
      out_.push_back(std::move(b));
      cur = t;
      return;
    }
  }

  bool wrongRank(const LayerSpec &spec, const Shape &cur, const char *need) {
    Reported r = ctx_.report(DiagKind::LayerInputRank, spec.loc, spec.text, need, cur.str());
    ctx_.callNotes(r, spec.calls);
    if (spec.kind == LayerKind::Conv1D && cur.rank() == 3)
      r.note(spec.loc, "a 1-d conv has a kernel `K`; for images write `KxK`");
    else if (spec.kind == LayerKind::Conv2D && cur.rank() == 2)
      r.note(spec.loc, "a 2-d conv has a kernel `KxK`; for [C, L] series write `K`");
    return false;
  }

  bool tooLarge(const LayerSpec &spec, const std::string &what) {
    Reported r = ctx_.report(DiagKind::ShapeTooLarge, spec.loc, what);
    ctx_.callNotes(r, spec.calls);
    return false;
  }

  // Reports (and returns false) when the output `o` has more than kMaxElements.
  bool outputFits(const LayerSpec &spec, const Shape &o) {
    int64_t n = 0;
    if (checkedElements(o.dims, n))
      return true;
    return tooLarge(spec, fmt::format("the output of `{}` has more than {} elements", spec.text,
                                      kMaxElements));
  }

  Section section_;
  const std::vector<Shape> &targets_;
  SemaContext &ctx_;
  std::vector<BuiltLayer> &out_;
};

} // namespace

bool inferShapes(const std::vector<LayerSpec> &specs, const Shape &in, Section section,
                 const std::vector<Shape> &reshapeTargets, SemaContext &ctx,
                 std::vector<BuiltLayer> &out) {
  Inferer inf(section, reshapeTargets, ctx, out);
  Shape cur = in;
  for (const LayerSpec &spec : specs) {
    if (!spec.ok) return false; // already reported: stop here (poison)
    if (!inf.layer(spec, cur)) return false;
  }
  return true;
}

} // namespace aec::sema
