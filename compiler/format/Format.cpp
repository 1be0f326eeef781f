// formatFile: parse (diagnostics as `aec check`), lay out, then re-parse the
// result and compare it with the input: the same significant tokens in the
// same statements, and the same comments. A formatter bug is an internal
// error, never a silently changed model.
#include "compiler/format/Format.h"

#include "compiler/format/Layout.h"
#include "compiler/parse/Parser.h"

#include <algorithm>
#include <stdexcept>

namespace aec {

namespace {

using format::Node;
using format::SyntaxTree;

// What must survive formatting: each line's significant tokens, the nesting,
// and the comments (in any order: a comment inside a statement moves).
struct Meaning {
  std::vector<std::string> code;
  std::vector<std::string> comments;
  bool operator==(const Meaning &o) const { return code == o.code && comments == o.comments; }
};

void describe(const SyntaxTree &t, const std::vector<Node> &nodes, int depth, Meaning &m) {
  const auto &toks = t.tokens();
  auto words = [&](size_t first, size_t last) {
    std::string s = std::to_string(depth) + ":";
    for (size_t i = first; i <= last; ++i)
      if (toks[i]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) s += " " + toks[i]->getText();
    return s;
  };
  for (const Node &n : nodes) {
    m.code.push_back(words(n.first, n.last));
    if (!n.hasBody) continue;
    describe(t, n.body, depth + 1, m);
    m.code.push_back(words(n.close, n.close));
  }
}

Meaning meaningOf(const SyntaxTree &t) {
  Meaning m;
  describe(t, format::statementsOf(t), 0, m);
  for (const antlr4::Token *tok : t.tokens()) {
    int type = tok->getType();
    if (type != aecgen::AEParser::LINE_COMMENT && type != aecgen::AEParser::BLOCK_COMMENT) continue;
    std::string c = tok->getText();
    while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.pop_back();
    m.comments.push_back(c);
  }
  std::sort(m.comments.begin(), m.comments.end());
  return m;
}

} // namespace

std::optional<std::string> formatFile(FileId file, SourceManager &sources,
                                      DiagnosticEngine &diags) {
  if (!parseFile(file, sources, diags)) return std::nullopt;
  std::string_view text = sources.text(file);
  std::unique_ptr<SyntaxTree> tree = SyntaxTree::parse(text);
  if (!tree) throw std::runtime_error("the formatter cannot parse what the front end accepted");
  std::string out = format::layout(*tree, format::statementsOf(*tree), text);
  std::unique_ptr<SyntaxTree> again = SyntaxTree::parse(out);
  if (!again || !(meaningOf(*tree) == meaningOf(*again)))
    throw std::runtime_error("formatting would change the meaning of `" + sources.path(file) +
                             "`; please report this file");
  return out;
}

} // namespace aec
