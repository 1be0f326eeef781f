// Pass 5: `decoder mirror`. The encoder (code layer included) in reverse,
// each layer replaced by its inverse:
//   dense A->B            dense B->A
//   conv Cin->Cout K      conv Cout->Cin K (stride 1)
//   conv ... stride S     upsample S, then conv Cout->Cin (S must divide H, W or L)
//   maxpool/avgpool S     upsample S
//   flatten               reshape back to the spatial shape
// so every tensor shape of the encoder reappears in the decoder. A decoder
// layer takes the activation of the encoder layer that produced the shape it
// rebuilds (a pool's or flatten's output counts as its input's); the layer
// that rebuilds the input takes the output activation of the input range.
// Batch norm and dropout (shape-keeping) go after the decoder layer that
// rebuilds the shape of the encoder layer they follow, in encoder order; so
// never after the output layer.
#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

namespace aec::sema {

// sigmoid for ranges inside [0, 1], tanh inside [-1, 1], else linear.
Activation outputActivationFor(const CheckedModel &m) {
  if (!m.hasRange) return Activation::Linear;
  if (m.rangeLo >= 0 && m.rangeHi <= 1) return Activation::Sigmoid;
  if (m.rangeLo >= -1 && m.rangeHi <= 1) return Activation::Tanh;
  return Activation::Linear;
}

namespace {

// The activation of whatever produced encoder layer i's input.
Activation producerActivation(const std::vector<BuiltLayer> &enc, size_t i, Activation output) {
  for (size_t j = i; j-- > 0;)
    if (enc[j].layer.hasWeights()) return enc[j].layer.activation;
  return output;
}

BuiltLayer decoderLayer(LayerKind kind, const Shape &in, const Shape &out, int mirrors,
                        SourceRange loc) {
  BuiltLayer b;
  b.layer.kind = kind;
  b.layer.section = Section::Decoder;
  b.layer.in = in;
  b.layer.out = out;
  b.layer.mirrors = mirrors;
  b.layer.loc = loc;
  return b;
}

} // namespace

bool buildMirror(const std::vector<BuiltLayer> &enc, const CheckedModel &m, bool tied,
                 SourceRange decoderLoc, SemaContext &ctx, std::vector<BuiltLayer> &out) {
  Activation output = outputActivationFor(m);
  bool ok = true;
  for (size_t i = enc.size(); i-- > 0;) {
    const Layer &e = enc[i].layer;
    if (e.isShapeKeeping()) continue; // placed after the mirror of the layer they precede
    int twin = static_cast<int>(i);
    Activation act = producerActivation(enc, i, output);
    auto unsupported = [&](const std::string &why) {
      Reported r = ctx.report(DiagKind::MirrorUnsupported, e.loc, enc[i].text, why);
      ctx.callNotes(r, enc[i].calls);
      ok = false;
    };
    switch (info(e.kind).mirror) { // the row's `mirror`
    case MirrorRule::Follows: break; // (skipped above)
    case MirrorRule::Twin: {
      BuiltLayer d = decoderLayer(e.kind, e.out, e.in, twin, decoderLoc);
      d.layer.units = e.in.dims.empty() ? 0 : e.in.dims[0];
      d.layer.activation = act;
      if (tied) d.layer.tiedTo = twin;
      out.push_back(std::move(d));
      break;
    }
    case MirrorRule::ConvTwin: {
      Shape cur = e.out;
      if (e.stride != 1) {
        static const char *const names3[] = {"channels", "height", "width"};
        static const char *const names2[] = {"channels", "length"};
        bool divides = true;
        for (int d = 1; d < e.in.rank() && divides; ++d) {
          if (e.in.dims[d] % e.stride != 0) {
            unsupported(fmt::format("stride {} does not divide the input {} {}, so no "
                                    "upsample can restore it",
                                    e.stride, e.in.rank() == 3 ? names3[d] : names2[d],
                                    e.in.dims[d]));
            divides = false;
          }
        }
        if (!divides) break;
        Shape up = e.in;
        up.dims[0] = e.out.dims[0];
        BuiltLayer u = decoderLayer(LayerKind::Upsample, cur, up, twin, decoderLoc);
        u.layer.factor = e.stride;
        out.push_back(std::move(u));
        cur = up;
      }
      BuiltLayer c = decoderLayer(e.kind, cur, e.in, twin, decoderLoc);
      c.layer.channels = e.in.dims[0];
      c.layer.kernel = e.kernel;
      c.layer.stride = 1;
      c.layer.activation = act;
      out.push_back(std::move(c));
      break;
    }
    case MirrorRule::Upsample: {
      BuiltLayer u = decoderLayer(LayerKind::Upsample, e.out, e.in, twin, decoderLoc);
      u.layer.factor = e.factor;
      out.push_back(std::move(u));
      break;
    }
    case MirrorRule::Reshape:
      out.push_back(decoderLayer(LayerKind::Reshape, e.out, e.in, twin, decoderLoc));
      break;
    case MirrorRule::NoInverse:
      unsupported("an encoder `upsample` has no inverse; write `decoder asymmetric { ... }`");
      break;
    case MirrorRule::None:
      unsupported(fmt::format("`{}` has no mirror; write `decoder asymmetric {{ ... }}`",
                              layerKindName(e.kind)));
      break;
    }
    size_t run = i;
    while (run > 0 && enc[run - 1].layer.isShapeKeeping()) --run;
    for (size_t j = run; j < i; ++j) {
      const Layer &k = enc[j].layer;
      BuiltLayer d = decoderLayer(k.kind, k.in, k.out, static_cast<int>(j), decoderLoc);
      d.layer.rate = k.rate;
      out.push_back(std::move(d));
    }
  }
  for (BuiltLayer &b : out) b.text = layerText(b.layer);
  return ok;
}

} // namespace aec::sema
