// Rephrases ANTLR's syntax errors ("mismatched input X expecting {...}")
// into plain sentences: "`loss` needs a name: `loss mse` or `loss bce`",
// "unexpected `,`; expected a layer or `}`", "expected `model`, `block` or
// `import`, found `modle`; did you mean `model`?". Recovery itself stays
// ANTLR's (single-token insertion/deletion, then resync).
#pragma once

#include "compiler/parse/SyntaxDiags.h"

#include <antlr4-runtime.h>

namespace aec {

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  SyntaxErrorStrategy(FileId file, SyntaxDiags &diags, bool eofSwallowed)
      : file_(file), diags_(diags), eofSwallowed_(eofSwallowed) {}

protected:
  void reportNoViableAlternative(antlr4::Parser *p, const antlr4::NoViableAltException &e) override;
  void reportInputMismatch(antlr4::Parser *p, const antlr4::InputMismatchException &e) override;
  void reportFailedPredicate(antlr4::Parser *p, const antlr4::FailedPredicateException &e) override;
  void reportUnwantedToken(antlr4::Parser *p) override;
  void reportMissingToken(antlr4::Parser *p) override;

private:
  void report(antlr4::Parser *p, antlr4::Token *offending, const antlr4::misc::IntervalSet &expected);
  bool unclosed(antlr4::ParserRuleContext *ctx, antlr4::Token *offending, antlr4::Token *prev);
  FileId file_;
  SyntaxDiags &diags_;
  bool eofSwallowed_; // an unterminated comment ate the end: errors there are noise
};

// Catches whatever reaches the listener interface (nothing should, with the
// strategy above and a lexer that never fails) as a generic syntax error.
class SyntaxErrorListener : public antlr4::BaseErrorListener {
public:
  SyntaxErrorListener(FileId file, SyntaxDiags &diags) : file_(file), diags_(diags) {}
  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t line,
                   size_t col, const std::string &msg, std::exception_ptr e) override;

private:
  FileId file_;
  SyntaxDiags &diags_;
};

} // namespace aec
