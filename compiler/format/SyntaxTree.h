// The ANTLR token stream and parse tree of a file that parses cleanly: what
// the formatter works on (it needs every token, comments included, and the
// statement structure, which the AST does not keep).
#pragma once

#include "AELexer.h"
#include "AEParser.h"
#include "compiler/parse/ByteStream.h"

#include <memory>
#include <string_view>
#include <vector>

namespace aec::format {

class SyntaxTree {
public:
  // Lexes and parses `text`; returns null if it does not parse (callers run
  // parseFile first, which reports why).
  static std::unique_ptr<SyntaxTree> parse(std::string_view text);

  aecgen::AEParser::FileContext *root() const { return root_; }
  // Every token in order, hidden ones (spaces, comments) included; ends with EOF.
  const std::vector<antlr4::Token *> &tokens() const { return all_; }

private:
  explicit SyntaxTree(std::string_view text);
  ByteStream input_;
  aecgen::AELexer lexer_;
  antlr4::CommonTokenStream stream_;
  aecgen::AEParser parser_;
  aecgen::AEParser::FileContext *root_ = nullptr;
  std::vector<antlr4::Token *> all_;
};

} // namespace aec::format
