// Completion from the text before the cursor, so it works while the file
// does not parse: the enclosing `{ }` (found by a scan that skips comments
// and strings) says which statements fit, the words already on the line say
// which values fit. Block names come with their parameters.
#include "compiler/lsp/Handlers.h"

#include "compiler/lsp/Lookup.h"
#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Vocabulary.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace aec::lsp {

namespace {

enum class Scope { Top, Model, Layers, Train };

// LSP CompletionItemKind values.
constexpr int kKeyword = 14, kFunction = 3, kValue = 12, kProperty = 10;

// The scope at `end` and the text of the current statement's line before it.
Scope scopeAt(std::string_view text, size_t end, std::string &linePrefix) {
  std::vector<Scope> stack;
  std::string lineSoFar; // code on the current line, comments and strings dropped
  for (size_t i = 0; i < end; ++i) {
    char c = text[i];
    if (c == '/' && i + 1 < end && text[i + 1] == '/') {
      while (i < end && text[i] != '\n') ++i;
      if (i == end) break;
      c = '\n';
    } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      size_t close = text.find("*/", i + 2);
      if (close == std::string_view::npos || close + 2 > end) {
        linePrefix = "/*"; // inside a comment: nothing to offer
        return Scope::Top;
      }
      i = close + 1;
      continue;
    }
    if (c == '"') {
      size_t close = text.find_first_of("\"\n", i + 1);
      if (close == std::string_view::npos || close >= end) {
        linePrefix = lineSoFar + std::string(text.substr(i, end - i)); // inside a string
        return stack.empty() ? Scope::Top : stack.back();
      }
      size_t stop = text[close] == '"' ? close : close - 1; // unterminated: to the line end
      lineSoFar += std::string(text.substr(i, stop - i + 1));
      i = stop;
      continue;
    }
    if (c == '\n') {
      lineSoFar.clear();
    } else if (c == '{') {
      std::istringstream words(lineSoFar);
      std::string first;
      words >> first;
      Scope s = first == "model" ? Scope::Model
                : first == "train" ? Scope::Train
                : (first == "encoder" || first == "decoder" || first == "block") ? Scope::Layers
                                                                                 : Scope::Top;
      stack.push_back(s);
      lineSoFar.clear();
    } else if (c == '}') {
      if (!stack.empty()) stack.pop_back();
      lineSoFar.clear();
    } else {
      lineSoFar += c;
    }
  }
  linePrefix = lineSoFar;
  return stack.empty() ? Scope::Top : stack.back();
}

json item(const std::string &label, int kind, const std::string &detail = "") {
  json j = {{"label", label}, {"kind", kind}};
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

void words(json &out, const std::vector<std::string> &list, int kind, const std::string &detail) {
  for (const std::string &w : list) out.push_back(item(w, kind, detail));
}

bool isNumber(const std::string &w) {
  return !w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '-' || w[0] == '[');
}

void blocks(json &out, const Document &doc, bool snippets) {
  const Analysis *a = doc.analysis->ast() ? doc.analysis.get() : doc.lastParsed.get();
  if (!a) return;
  for (const auto &f : a->result.files)
    for (const ast::BlockDecl &b : f->blocks) {
      json j = item(b.name.name, kFunction, blockSignature(b));
      std::string args, plain;
      for (size_t i = 0; i < b.params.size(); ++i) {
        args += (i ? ", " : "") + std::string("${") + std::to_string(i + 1) + ":" +
                b.params[i].name + "}";
        plain += (i ? ", " : "") + b.params[i].name;
      }
      j["insertText"] = b.name.name + "(" + (snippets ? args : plain) + ")";
      if (snippets) j["insertTextFormat"] = 2;
      out.push_back(std::move(j));
    }
}

} // namespace

json completion(const Document &doc, const json &params, bool snippets) {
  const Vocabulary &v = vocabulary();
  size_t off = LineIndex(doc.text).offset(member(params, "position"));
  std::string prefix;
  Scope scope = scopeAt(doc.text, off, prefix);
  json out = json::array();
  if (prefix == "/*" || std::count(prefix.begin(), prefix.end(), '"') % 2 == 1)
    return {{"isIncomplete", false}, {"items", out}};
  // The words before the one being typed.
  std::vector<std::string> before;
  {
    std::istringstream in(prefix);
    for (std::string w; in >> w;) before.push_back(w);
    if (!prefix.empty() && !std::isspace(static_cast<unsigned char>(prefix.back())) &&
        !before.empty())
      before.pop_back();
  }
  auto after = [&](const std::string &w) { return !before.empty() && before[0] == w; };
  auto valuesAfter = [&](const std::string &w) -> const std::vector<std::string> * {
    for (const auto &[key, list] : v.valuesAfter)
      if (key == w) return &list;
    return nullptr;
  };
  switch (scope) {
  case Scope::Top:
    if (before.empty()) words(out, v.topLevel, kKeyword, "");
    break;
  case Scope::Model:
    if (before.empty()) {
      words(out, v.modelStatements, kKeyword, "statement");
    } else if (before.size() == 1 && valuesAfter(before[0])) {
      words(out, *valuesAfter(before[0]), kValue, before[0]);
    } else if (after("code") && before.size() >= 2 && isNumber(before[1])) {
      words(out, v.activations, kValue, "activation");
    } else if (after("decoder") && before.size() == 2 && before[1] == "mirror") {
      out.push_back(item("tied", kKeyword, "tie dense weights to the encoder's"));
    } else if (after("input") && before.size() >= 2) {
      out.push_back(item("range", kKeyword, "range [lo, hi]"));
    } else if (after("sparsity") && before.size() >= 3 && before[1] == "kl") {
      out.push_back(item("weight", kProperty, "weight W"));
    }
    break;
  case Scope::Layers:
    if (before.empty()) {
      words(out, v.layerKinds, kKeyword, "layer");
      blocks(out, doc, snippets);
    } else if ((before[0] == "dense" || before[0] == "conv") && before.size() >= 2) {
      words(out, v.activations, kValue, "activation");
      if (before[0] == "conv") out.push_back(item("stride", kProperty, "stride S"));
    }
    break;
  case Scope::Train:
    if (before.empty()) {
      for (const Word &w : v.trainSettings) out.push_back(item(w.name, kProperty, w.detail));
    } else if (before.size() == 1 && before[0] == "optimizer") {
      words(out, *valuesAfter("optimizer"), kValue, "optimizer");
    } else if (before[0] == "optimizer" && before.size() >= 2) {
      words(out, v.optimizerOptions, kProperty, "optimizer option");
    }
    break;
  }
  return {{"isIncomplete", false}, {"items", out}};
}

} // namespace aec::lsp
