// Pass 6: an explicit `decoder { ... }` must mirror the encoder: the same
// layers as `decoder mirror` would build (count, kinds, widths, channels,
// pool<->upsample factors; kernels and activations are free). The two lists
// are aligned by edit distance, so a missing or extra layer is one error,
// not a mismatch at every later layer. Each error is at the decoder layer,
// with a note at the encoder layer it should mirror. (`decoder asymmetric`
// skips this pass; its output shape is still checked.) Batch norm and
// dropout are ignored on both sides.
#include "compiler/sema/SemaInternal.h"

#include <algorithm>

namespace aec::sema {

namespace {

bool sameLayer(const Layer &want, const Layer &got) {
  if (want.kind != got.kind) return false;
  switch (info(want.kind).text) { // the sizes its text shows (layer_kinds.def)
  case LayerText::Units: return want.units == got.units;
  case LayerText::Conv: return want.channels == got.channels;
  case LayerText::Factor: return want.factor == got.factor;
  case LayerText::Bare:
  case LayerText::Rate: return true;
  }
  return true;
}

enum class Op { Match, Substitute, Extra, Missing };

// Edit-distance alignment of `want` against `got` (each an index list).
// Quadratic, so bounded; past the bound a positional comparison is used.
std::vector<std::pair<Op, std::pair<size_t, size_t>>>
align(const std::vector<const BuiltLayer *> &want, const std::vector<BuiltLayer *> &got) {
  size_t n = want.size(), m = got.size();
  std::vector<std::pair<Op, std::pair<size_t, size_t>>> ops;
  if (n * m > 4000000) {
    size_t k = std::min(n, m);
    for (size_t i = 0; i < k; ++i)
      ops.push_back({sameLayer(want[i]->layer, got[i]->layer) ? Op::Match : Op::Substitute,
                     {i, i}});
    for (size_t i = k; i < n; ++i) ops.push_back({Op::Missing, {i, m}});
    for (size_t j = k; j < m; ++j) ops.push_back({Op::Extra, {n, j}});
    return ops;
  }
  std::vector<std::vector<uint32_t>> d(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<uint32_t>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<uint32_t>(j);
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      uint32_t sub = d[i - 1][j - 1] + (sameLayer(want[i - 1]->layer, got[j - 1]->layer) ? 0 : 1);
      d[i][j] = std::min({sub, d[i - 1][j] + 1, d[i][j - 1] + 1});
    }
  size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0) {
      bool same = sameLayer(want[i - 1]->layer, got[j - 1]->layer);
      if (d[i][j] == d[i - 1][j - 1] + (same ? 0 : 1)) {
        ops.push_back({same ? Op::Match : Op::Substitute, {i - 1, j - 1}});
        --i, --j;
        continue;
      }
    }
    if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      ops.push_back({Op::Missing, {i - 1, j}});
      --i;
    } else {
      ops.push_back({Op::Extra, {i, j - 1}});
      --j;
    }
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

} // namespace

bool checkSymmetry(const std::vector<BuiltLayer> &encoder, const std::vector<BuiltLayer> &mirror,
                   std::vector<BuiltLayer> &decoder, const ast::DecoderStmt &stmt,
                   SemaContext &ctx) {
  std::vector<const BuiltLayer *> want;
  for (const BuiltLayer &b : mirror)
    if (b.layer.kind != LayerKind::Reshape && !b.layer.isShapeKeeping()) want.push_back(&b);
  std::vector<BuiltLayer *> got;
  for (BuiltLayer &b : decoder)
    if (!b.implicit && !b.layer.isShapeKeeping()) got.push_back(&b);

  auto twinOf = [&](const BuiltLayer *w) -> const BuiltLayer * {
    int t = w->layer.mirrors;
    if (t < 0 || static_cast<size_t>(t) >= encoder.size()) return nullptr;
    return &encoder[static_cast<size_t>(t)];
  };
  auto noteTwin = [&](Reported &r, const BuiltLayer *twin) {
    if (!twin) return;
    r.note(twin->layer.loc, "should mirror this layer");
    ctx.callNotes(r, twin->calls);
  };

  bool ok = true;
  for (const auto &[op, ij] : align(want, got)) {
    auto [i, j] = ij;
    switch (op) {
    case Op::Match:
      got[j]->layer.mirrors = want[i]->layer.mirrors;
      break;
    case Op::Substitute: {
      const BuiltLayer *twin = twinOf(want[i]);
      Reported r = ctx.report(DiagKind::DecoderLayerMismatch, got[j]->layer.loc, got[j]->text,
                              twin ? twin->text : want[i]->text, want[i]->text);
      ctx.callNotes(r, got[j]->calls);
      noteTwin(r, twin);
      ok = false;
      break;
    }
    case Op::Extra: {
      Reported r = ctx.report(DiagKind::DecoderExtraLayer, got[j]->layer.loc, got[j]->text);
      ctx.callNotes(r, got[j]->calls);
      ok = false;
      break;
    }
    case Op::Missing: {
      const BuiltLayer *twin = twinOf(want[i]);
      SourceRange at = j < got.size() ? got[j]->layer.loc : stmt.range;
      Reported r = ctx.report(DiagKind::DecoderMissingLayer, at, want[i]->text,
                              twin ? twin->text : want[i]->text);
      noteTwin(r, twin);
      ok = false;
      break;
    }
    }
  }
  // Implicit reshapes mirror the flatten whose shape they restore.
  for (BuiltLayer &b : decoder) {
    if (!b.implicit) continue;
    for (size_t k = 0; k < encoder.size(); ++k)
      if (encoder[k].layer.kind == LayerKind::Flatten && encoder[k].layer.in == b.layer.out)
        b.layer.mirrors = static_cast<int>(k);
  }
  return ok;
}

} // namespace aec::sema
