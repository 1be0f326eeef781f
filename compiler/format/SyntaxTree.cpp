// SyntaxTree: a second, silent parse of text that parseFile accepted.
#include "compiler/format/SyntaxTree.h"

namespace aec::format {

SyntaxTree::SyntaxTree(std::string_view text)
    : input_(text, "<format>"), lexer_(&input_), stream_(&lexer_), parser_(&stream_) {}

std::unique_ptr<SyntaxTree> SyntaxTree::parse(std::string_view text) {
  std::unique_ptr<SyntaxTree> t(new SyntaxTree(text));
  t->lexer_.removeErrorListeners();
  t->parser_.removeErrorListeners();
  // Same prediction mode as the front end (compiler/parse/Parser.cpp), so the
  // same-line predicates settle the same choices; any error means "not ours".
  t->parser_.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  t->parser_.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    t->root_ = t->parser_.file();
  } catch (...) {
    return nullptr;
  }
  if (t->parser_.getNumberOfSyntaxErrors() != 0) return nullptr;
  t->stream_.fill();
  t->all_ = t->stream_.getTokens();
  return t;
}

} // namespace aec::format
