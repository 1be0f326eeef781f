// Document symbols: models (with their encoder, code, decoder and train
// statements, and the encoder's and decoder's layers) and blocks (with their
// layers). From the latest text that parsed, so the outline survives typing.
#include "compiler/lsp/Handlers.h"

#include "compiler/lsp/Lookup.h"
#include "compiler/lsp/Positions.h"

namespace aec::lsp {

namespace {

// LSP SymbolKind values.
constexpr int kModule = 2, kNamespace = 3, kFunction = 12, kField = 8, kProperty = 7;

json symbol(const Analysis &a, const std::string &name, int kind, SourceRange range,
            SourceRange selection, const std::string &detail = "") {
  json j = {{"name", name.empty() ? "?" : name},
            {"kind", kind},
            {"range", lspRange(a.sources, range)},
            {"selectionRange", lspRange(a.sources, selection.valid() ? selection : range)}};
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

json layers(const Analysis &a, const std::vector<ast::LayerStmt> &list) {
  json out = json::array();
  for (const ast::LayerStmt &l : list) {
    std::string text;
    for (char c : a.sources.text(a.root).substr(l.range.begin, l.range.end - l.range.begin)) {
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (!space) text += c;
      else if (!text.empty() && text.back() != ' ') text += ' ';
    }
    out.push_back(symbol(a, text, l.isCall ? kFunction : kField, l.range, l.kind.range));
  }
  return out;
}

json modelSymbol(const Analysis &a, const ast::ModelDecl &m) {
  json j = symbol(a, m.name.name, kModule, m.range, m.name.range, "model");
  json children = json::array();
  for (const ast::InputStmt &s : m.inputs) children.push_back(symbol(a, "input", kProperty, s.range, s.range));
  for (const ast::EncoderStmt &s : m.encoders) {
    json e = symbol(a, "encoder", kNamespace, s.range, s.range);
    e["children"] = layers(a, s.layers);
    children.push_back(std::move(e));
  }
  for (const ast::CodeStmt &s : m.codes) children.push_back(symbol(a, "code", kProperty, s.range, s.range));
  for (const ast::DecoderStmt &s : m.decoders) {
    json d = symbol(a, "decoder", kNamespace, s.range, s.range);
    d["children"] = layers(a, s.layers);
    children.push_back(std::move(d));
  }
  for (const ast::TrainStmt &s : m.trains) children.push_back(symbol(a, "train", kNamespace, s.range, s.range));
  j["children"] = std::move(children);
  return j;
}

} // namespace

json documentSymbols(const Document &doc) {
  const Analysis *a = doc.analysis->ast() ? doc.analysis.get() : doc.lastParsed.get();
  json out = json::array();
  if (!a || !a->ast()) return out;
  for (const ast::BlockDecl &b : a->ast()->blocks) {
    json j = symbol(*a, b.name.name, kFunction, b.range, b.name.range, blockSignature(b));
    j["children"] = layers(*a, b.body);
    out.push_back(std::move(j));
  }
  for (const ast::ModelDecl &m : a->ast()->models) out.push_back(modelSymbol(*a, m));
  return out;
}

} // namespace aec::lsp
