// Plain-sentence syntax errors (see SyntaxErrors.h).
#include "compiler/parse/SyntaxErrors.h"

#include "AEParser.h"
#include "compiler/diag/Suggest.h"
#include "compiler/parse/Lexing.h"

#include <map>

namespace aec {

using antlr4::Parser;
using antlr4::Token;
using aecgen::AEParser;

namespace {

std::string clip(std::string s, size_t n = 30) {
  if (s.size() > n)
    s = s.substr(0, n) + "...";
  return s;
}

std::string quoteToken(const Token *t) {
  if (!t || t->getType() == Token::EOF)
    return "end of file";
  if (t->getType() == AEParser::STRING)
    return "string " + clip(t->getText());
  return "`" + clip(t->getText()) + "`";
}

// What a statement word must be followed by, with an example.
const std::map<std::string, std::string> &statementHints() {
  static const std::map<std::string, std::string> hints = {
      {"import", "a file name in quotes: `import \"std/blocks.ae\"`"},
      {"block", "a name, parameters and a body: `block down(c) { conv c 3x3 relu }`"},
      {"model", "a name and a body: `model my_model { ... }`"},
      {"input", "a size or a shape: `input 784` or `input [1, 28, 28]`"},
      {"range", "two numbers in brackets: `range [0, 1]`"},
      {"encoder", "a body: `encoder { dense 128 relu }`"},
      {"from", "a checkpoint path in quotes: `encoder from \"pretrained.aew\" { ... }`"},
      {"freeze", "a body: `encoder from \"pretrained.aew\" freeze { ... }`"},
      {"code", "a size or a shape: `code 32` or `code [8, 7, 7]`"},
      {"decoder", "`mirror` or a body: `decoder mirror` or `decoder { ... }`"},
      {"asymmetric", "a body: `decoder asymmetric { ... }`"},
      {"loss", "a name: `loss mse` or `loss bce`"},
      {"noise", "a kind and an amount: `noise gaussian 0.1`"},
      {"sparsity", "a kind and a weight: `sparsity l1 1e-4`"},
      {"regularize", "a kind and a weight: `regularize l2 1e-5`"},
      {"train", "a body: `train { optimizer adam lr 1e-3 }`"},
      {"optimizer", "a name: `optimizer adam lr 1e-3`"},
      {"stride", "a value: `stride 2`"},
  };
  return hints;
}

bool isKeywordToken(size_t type) {
  return type >= AEParser::IMPORT && type <= AEParser::STRIDE;
}

// Walks up from the current rule looking for a context of type T.
template <typename T> T *enclosing(antlr4::ParserRuleContext *ctx, int depth = 3) {
  for (int i = 0; ctx && i < depth; ++i, ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent))
    if (auto *t = dynamic_cast<T *>(ctx))
      return t;
  return nullptr;
}

std::string joinOr(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// The expected token set in words, grouping keywords and number tokens.
std::string describeExpected(const antlr4::misc::IntervalSet &tokens, const antlr4::dfa::Vocabulary &voc) {
  struct {
    const antlr4::misc::IntervalSet &s;
    bool contains(size_t t) const { return s.contains(t); }
  } set{tokens};
  std::vector<std::string> items;
  bool number = set.contains(AEParser::INT) || set.contains(AEParser::FLOAT);
  if (number)
    items.push_back("a number");
  if (set.contains(AEParser::KERNEL) && !number)
    items.push_back("a kernel size like `3x3`");
  if (set.contains(AEParser::IDENT) && !number)
    items.push_back("a name");
  if (set.contains(AEParser::STRING))
    items.push_back("a string");
  for (size_t t = AEParser::IMPORT; t <= AEParser::MINUS; ++t) {
    if (!set.contains(t) || (number && t == AEParser::MINUS))
      continue;
    std::string lit = voc.getLiteralName(t);
    if (lit.size() >= 2)
      items.push_back("`" + lit.substr(1, lit.size() - 2) + "`");
  }
  if (items.empty())
    return set.contains(static_cast<size_t>(Token::EOF)) ? "end of file" : "something else";
  if (items.size() > 6) {
    items.resize(6);
    items.push_back("...");
  }
  return joinOr(items);
}

} // namespace

void SyntaxErrorStrategy::report(Parser *p, Token *offending,
                                 const antlr4::misc::IntervalSet &expected) {
  if (diags_.full())
    throw StopParsing{};
  if (!offending)
    offending = p->getCurrentToken();
  bool atEof = offending->getType() == Token::EOF;
  if (atEof && eofSwallowed_)
    return;
  SourceRange here = tokenRange(file_, offending);
  Token *prev = p->getTokenStream()->LT(-1);
  auto *ctx = p->getContext();

  // Between top-level items.
  if (dynamic_cast<AEParser::FileContext *>(ctx)) {
    if (offending->getType() == AEParser::RBRACE) {
      diags_.add(DiagKind::UnmatchedCloseBrace, here);
      return;
    }
    if (offending->getType() != AEParser::IDENT) {
      diags_.add(DiagKind::UnexpectedToken, here,
                 {quoteToken(offending), "`model`, `block` or `import`"});
      return;
    }
    std::string suggestion;
    if (auto best = closestName(offending->getText(), {"model", "block", "import"}))
      suggestion = "; did you mean `" + *best + "`?";
    diags_.add(DiagKind::UnknownTopLevel, here, {quoteToken(offending), suggestion});
    return;
  }

  if (expected.contains(static_cast<size_t>(AEParser::RBRACE)) && unclosed(ctx, offending, prev))
    return;

  // A statement word followed by the wrong thing: say what it needs.
  if (prev && prev->getType() != Token::EOF) {
    std::string word = prev->getText();
    std::string hint;
    auto it = statementHints().find(word);
    if (isKeywordToken(prev->getType()) && it != statementHints().end())
      hint = it->second;
    else if (prev->getType() == AEParser::IDENT && enclosing<AEParser::SettingContext>(ctx))
      hint = "a value: `" + word + " " + (word == "lr" ? "1e-3" : word == "momentum" ? "0.9" : "10") + "`";
    // A statement cut off at the end of its line: `noise gaussian` + newline.
    if (hint.empty() && (atEof || offending->getLine() != prev->getLine())) {
      if (auto *stmt = enclosing<AEParser::ModelStmtContext>(ctx, 4)) {
        if (stmt->start && stmt->start != prev && isKeywordToken(stmt->start->getType())) {
          auto st = statementHints().find(stmt->start->getText());
          if (st != statementHints().end()) {
            word = stmt->start->getText();
            hint = st->second;
          }
        }
      }
    }
    if (!hint.empty()) {
      SourceRange r = here;
      if (atEof || offending->getLine() != prev->getLine()) {
        uint32_t after = tokenRange(file_, prev).end;
        r = {file_, after, after};
      }
      diags_.add(DiagKind::StatementNeeds, r, {word, hint});
      return;
    }
  }

  std::string what;
  if (dynamic_cast<AEParser::ModelDeclContext *>(ctx))
    what = "a model statement (`input`, `encoder`, `code`, `decoder`, `loss`, `train`, ...) or `}`";
  else if (dynamic_cast<AEParser::LayerBodyContext *>(ctx))
    what = "a layer (`dense`, `conv`, `maxpool`, `upsample`, `flatten`, ...) or `}`";
  else if (dynamic_cast<AEParser::TrainStmtContext *>(ctx))
    what = "a training setting (`optimizer`, `batch`, `epochs`, `seed`) or `}`";
  else
    what = describeExpected(expected, p->getVocabulary());
  diags_.add(DiagKind::UnexpectedToken, here, {quoteToken(offending), what});
}

// `{ ...` cut off by the end of the file or by the start of the next
// statement: "missing `}` to close `encoder` before `code`" with a note at
// the `{`. ANTLR's recovery then resumes at that statement.
bool SyntaxErrorStrategy::unclosed(antlr4::ParserRuleContext *ctx, Token *offending, Token *prev) {
  size_t t = offending->getType();
  bool atEof = t == Token::EOF;
  bool topLevel = t == AEParser::MODEL || t == AEParser::BLOCK || t == AEParser::IMPORT;
  bool statement = t >= AEParser::INPUT && t <= AEParser::TRAIN && t != AEParser::RANGE &&
                   t != AEParser::FROM && t != AEParser::FREEZE && t != AEParser::MIRROR &&
                   t != AEParser::TIED && t != AEParser::ASYMMETRIC;
  antlr4::tree::TerminalNode *open = nullptr;
  std::string what;
  if (auto *body = dynamic_cast<AEParser::LayerBodyContext *>(ctx)) {
    open = body->LBRACE();
    auto *parent = body->parent;
    if (auto *block = dynamic_cast<AEParser::BlockDeclContext *>(parent))
      what = "block `" + (block->name ? block->name->getText() : std::string()) + "`";
    else if (dynamic_cast<AEParser::EncoderStmtContext *>(parent))
      what = "`encoder`";
    else
      what = "`decoder`";
  } else if (auto *train = dynamic_cast<AEParser::TrainStmtContext *>(ctx)) {
    open = train->LBRACE();
    what = "`train`";
  } else if (auto *model = dynamic_cast<AEParser::ModelDeclContext *>(ctx)) {
    open = model->LBRACE();
    what = "model `" + (model->name ? model->name->getText() : std::string()) + "`";
    statement = false; // a model statement belongs inside a model
  } else {
    return false;
  }
  if (!open || !(atEof || topLevel || statement))
    return false;
  SourceRange r = tokenRange(file_, offending);
  std::string where = "before `" + offending->getText() + "`";
  if (atEof) {
    uint32_t after = prev ? tokenRange(file_, prev).end : r.begin;
    r = {file_, after, after};
    where = "at end of file";
  }
  if (SyntaxDiag *d = diags_.add(DiagKind::UnclosedBrace, r, {what, where}))
    d->notes.emplace_back(tokenRange(file_, open->getSymbol()), "`{` opened here is never closed");
  return true;
}

void SyntaxErrorStrategy::reportNoViableAlternative(Parser *p, const antlr4::NoViableAltException &e) {
  report(p, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportInputMismatch(Parser *p, const antlr4::InputMismatchException &e) {
  report(p, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportFailedPredicate(Parser *p, const antlr4::FailedPredicateException &e) {
  report(p, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportUnwantedToken(Parser *p) {
  if (inErrorRecoveryMode(p))
    return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p));
}

void SyntaxErrorStrategy::reportMissingToken(Parser *p) {
  if (inErrorRecoveryMode(p))
    return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p));
}

void SyntaxErrorListener::syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t, size_t,
                                      const std::string &msg, std::exception_ptr) {
  if (diags_.full())
    throw StopParsing{};
  diags_.add(DiagKind::UnexpectedToken, tokenRange(file_, offending),
             {offending ? quoteToken(offending) : "input", "valid syntax (" + msg + ")"});
}

} // namespace aec
