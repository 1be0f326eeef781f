// Hover: on a layer, its shapes, parameters, MACs and its mirror twin; on a
// block call, the layers it expands to; on `decoder mirror`, the decoder it
// builds; on a model's name, its totals. Needs a model that checked cleanly
// (shapes are only known then); otherwise no hover.
#include "compiler/lsp/Handlers.h"

#include "compiler/lsp/Lookup.h"
#include "compiler/lsp/Positions.h"
#include "compiler/show/Show.h"

#include <fmt/format.h>

namespace aec::lsp {

namespace {

std::string oneLine(const CheckedModel &m, const Layer &l) {
  std::string s = fmt::format("- `{}` {}: {} → {}, params {}, MACs {}", l.name, layerKindText(l),
                              l.in.str(), l.out.str(), l.paramCount(), l.macsPerSample());
  if (l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size())
    s += fmt::format(", mirrors `{}`", m.layers[static_cast<size_t>(l.mirrors)].name);
  return s;
}

std::string details(const CheckedModel &m, size_t index) {
  const Layer &l = m.layers[index];
  std::string s = fmt::format("**{}** `{}` ({} of model `{}`)\n\n", l.name, layerKindText(l),
                              sectionName(l.section), m.name);
  s += fmt::format("in {} → out {}\n\n", l.in.str(), l.out.str());
  s += fmt::format("params {}{}{} · MACs/sample {}", l.paramCount(),
                   l.tiedTo >= 0 ? " (tied)" : "", l.frozen ? " (frozen)" : "", l.macsPerSample());
  if (l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size()) {
    const Layer &t = m.layers[static_cast<size_t>(l.mirrors)];
    s += fmt::format("\n\nmirrors `{}` ({})", t.name, layerKindText(t));
  }
  for (const Layer &d : m.layers)
    if (d.mirrors == static_cast<int>(index))
      s += fmt::format("\n\nmirrored by `{}` ({})", d.name, layerKindText(d));
  return s;
}

json answer(const Analysis &a, SourceRange r, const std::string &markdown) {
  return {{"contents", {{"kind", "markdown"}, {"value", markdown}}},
          {"range", lspRange(a.sources, r)}};
}

} // namespace

json hover(const Document &doc, const json &params) {
  const Analysis &a = *doc.analysis;
  size_t off = LineIndex(doc.text).offset(member(params, "position"));
  for (const CheckedModel &m : a.result.models) {
    std::vector<size_t> calls, direct;
    SourceRange callRange{}, directRange{};
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const Layer &l = m.layers[i];
      if (covers(l.callSite, a.root, off)) {
        calls.push_back(i);
        callRange = l.callSite;
      } else if (!l.callSite.valid() && covers(l.loc, a.root, off)) {
        direct.push_back(i);
        directRange = l.loc;
      }
    }
    if (!calls.empty()) {
      std::string s = fmt::format("`{}` expands to:\n\n",
                                  std::string(a.sources.text(a.root).substr(
                                      callRange.begin, callRange.end - callRange.begin)));
      for (size_t i : calls) s += oneLine(m, m.layers[i]) + "\n";
      return answer(a, callRange, s);
    }
    if (direct.size() == 1) return answer(a, directRange, details(m, direct[0]));
    if (!direct.empty()) {
      std::string s = fmt::format("builds {} layers:\n\n", direct.size());
      for (size_t i : direct) s += oneLine(m, m.layers[i]) + "\n";
      return answer(a, directRange, s);
    }
  }
  if (const ast::File *f = a.ast())
    for (const ast::ModelDecl &d : f->models) {
      if (!covers(d.name.range, a.root, off)) continue;
      for (const CheckedModel &m : a.result.models)
        if (m.name == d.name.name)
          return answer(a, d.name.range,
                        fmt::format("model `{}`: input {}, code {}, {} layers\n\n"
                                    "params {} trainable, {} frozen · train memory {} bytes",
                                    m.name, m.input.str(),
                                    m.codeIndex >= 0 ? m.codeShape().str() : "?", m.layers.size(),
                                    m.trainableParams(), m.frozenParams(), m.trainMemory().total));
    }
  return nullptr;
}

} // namespace aec::lsp
