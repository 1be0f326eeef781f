// The lexical pass (see Lexing.h).
#include "compiler/parse/Lexing.h"

#include "AELexer.h"

#include <cctype>
#include <fmt/format.h>

namespace aec {

using antlr4::CommonToken;
using antlr4::Token;
using aecgen::AELexer;

SourceRange tokenRange(FileId file, const Token *token) {
  if (!token)
    return {file, 0, 0};
  auto begin = static_cast<uint32_t>(token->getStartIndex());
  if (token->getType() == Token::EOF || token->getStopIndex() < token->getStartIndex())
    return {file, begin, begin};
  return {file, begin, static_cast<uint32_t>(token->getStopIndex()) + 1};
}

namespace {

bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isIdentifier(std::string_view s) {
  if (s.empty() || !isIdentStart(s[0]))
    return false;
  for (char c : s)
    if (!isIdentChar(c))
      return false;
  return true;
}

// Length of the longest prefix of `s` that is a valid INT or FLOAT.
size_t numberPrefix(std::string_view s, bool &isFloat) {
  size_t i = 0;
  isFloat = false;
  while (i < s.size() && isDigit(s[i]))
    ++i;
  size_t intDigits = i;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && isDigit(s[j]))
      ++j;
    if (intDigits > 0 || j > i + 1) {
      i = j;
      isFloat = true;
    }
  }
  if (i == 0)
    return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-'))
      ++j;
    size_t k = j;
    while (k < s.size() && isDigit(s[k]))
      ++k;
    if (k > j) {
      i = k;
      isFloat = true;
    }
  }
  return i;
}

// How an invalid character is shown: itself if printable or valid UTF-8.
bool displayable(std::string_view run, std::string &shown) {
  unsigned char c = static_cast<unsigned char>(run[0]);
  if (c >= 0x20 && c < 0x7F) {
    shown = std::string(1, static_cast<char>(c));
    return true;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (c > 0xF4 || n == 0 || run.size() < n)
    return false;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(run[k]) & 0xC0) != 0x80)
      return false;
  shown = std::string(run.substr(0, n));
  return true;
}

class LexPass {
public:
  LexPass(FileId file, SyntaxDiags &diags, std::vector<std::unique_ptr<Token>> &tokens)
      : file_(file), diags_(diags), tokens_(tokens) {}

  bool commentRunsToEnd = false;

  // Patches tokens in place; a split token adds one after it (built into a
  // new list, so a file full of them stays linear).
  void run() {
    std::vector<std::unique_ptr<Token>> out;
    out.reserve(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) {
      size_t last = i;
      switch (tokens_[i]->getType()) {
      case AELexer::INVALID: last = invalidRun(i); break;
      case AELexer::UNTERMINATED_STRING: unterminatedString(i); break;
      case AELexer::UNTERMINATED_COMMENT: unterminatedComment(i); break;
      case AELexer::BAD_NUMBER: last = badNumber(i); break;
      default: break;
      }
      for (size_t k = i; k <= last; ++k) {
        out.push_back(std::move(tokens_[k]));
        if (k == i && split_) {
          out.push_back(std::move(split_));
        }
      }
      i = last;
    }
    tokens_ = std::move(out);
  }

private:
  FileId file_;
  SyntaxDiags &diags_;
  std::vector<std::unique_ptr<Token>> &tokens_;
  std::unique_ptr<Token> split_; // second half of a split token, goes after it

  CommonToken *at(size_t i) { return static_cast<CommonToken *>(tokens_[i].get()); }

  // Adjacent INVALID tokens form one run (a multi-byte character, garbage).
  size_t invalidRun(size_t i) {
    size_t j = i;
    while (j + 1 < tokens_.size() && tokens_[j + 1]->getType() == AELexer::INVALID &&
           tokens_[j + 1]->getStartIndex() == tokens_[j]->getStopIndex() + 1)
      ++j;
    for (size_t k = i; k <= j; ++k)
      at(k)->setChannel(Token::HIDDEN_CHANNEL);
    std::string run;
    for (size_t k = i; k <= j && run.size() < 8; ++k)
      run += tokens_[k]->getText();
    SourceRange range = tokenRange(file_, tokens_[i].get());
    std::string shown;
    if (run[0] == ';') {
      diags_.add(DiagKind::StraySemicolon, range);
    } else if (displayable(run, shown)) {
      range.end = range.begin + static_cast<uint32_t>(shown.size());
      diags_.add(DiagKind::InvalidCharacter, range, {shown});
    } else {
      diags_.add(DiagKind::InvalidByte, range,
                 {fmt::format("\\x{:02X}", static_cast<unsigned char>(run[0]))});
    }
    return j;
  }

  void unterminatedString(size_t i) {
    diags_.add(DiagKind::UnterminatedString, tokenRange(file_, tokens_[i].get()));
    at(i)->setType(AELexer::STRING); // the parser goes on as if it were closed
  }

  void unterminatedComment(size_t i) {
    SourceRange r = tokenRange(file_, tokens_[i].get());
    r.end = r.begin + 2;
    diags_.add(DiagKind::UnterminatedComment, r);
    commentRunsToEnd = true;
  }

  // Index of the next token on the default channel after i, or npos.
  size_t nextVisible(size_t i) {
    for (size_t k = i + 1; k < tokens_.size(); ++k)
      if (tokens_[k]->getChannel() == Token::DEFAULT_CHANNEL)
        return k;
    return std::string::npos;
  }

  size_t badNumber(size_t i) {
    std::string text = tokens_[i]->getText();
    SourceRange range = tokenRange(file_, tokens_[i].get());
    bool isFloat = false;
    size_t n = numberPrefix(text, isFloat);
    std::string_view rest = std::string_view(text).substr(n);

    // `3x 3`: a kernel with a space in it.
    if (!isFloat && n > 0 && (rest == "x" || rest == "X")) {
      size_t k = nextVisible(i);
      if (k != std::string::npos && tokens_[k]->getType() == AELexer::INT &&
          tokens_[k]->getLine() == tokens_[i]->getLine()) {
        SourceRange r = range;
        r.end = tokenRange(file_, tokens_[k].get()).end;
        diags_.add(DiagKind::KernelWrittenWrong, r,
                   {text.substr(0, n) + "x" + tokens_[k]->getText()});
        at(i)->setType(AELexer::KERNEL);
        at(i)->setText(text.substr(0, n) + "x" + tokens_[k]->getText());
        at(k)->setChannel(Token::HIDDEN_CHANNEL);
        return k;
      }
    }
    // `512relu`: a number run into a name; split it and go on.
    if (n > 0 && isIdentifier(rest) && !(rest.size() == 1 && (rest[0] == 'e' || rest[0] == 'E'))) {
      diags_.add(DiagKind::MissingSpaceAfterNumber, range, {text.substr(0, n), std::string(rest)});
      auto number = std::make_unique<CommonToken>(tokens_[i].get());
      number->setType(isFloat ? AELexer::FLOAT : AELexer::INT);
      number->setText(text.substr(0, n));
      number->setStopIndex(tokens_[i]->getStartIndex() + n - 1);
      auto name = std::make_unique<CommonToken>(tokens_[i].get());
      name->setType(AELexer::IDENT);
      name->setText(std::string(rest));
      name->setStartIndex(tokens_[i]->getStartIndex() + n);
      name->setCharPositionInLine(tokens_[i]->getCharPositionInLine() + n);
      tokens_[i] = std::move(number);
      split_ = std::move(name);
      return i;
    }
    diags_.add(DiagKind::InvalidNumber, range, {text.size() > 40 ? text.substr(0, 40) + "..." : text});
    at(i)->setType(isFloat ? AELexer::FLOAT : AELexer::INT);
    at(i)->setText(n > 0 ? text.substr(0, n) : "0");
    return i;
  }
};

} // namespace

LexResult lexFile(antlr4::Lexer &lexer, antlr4::CharStream &, FileId file, SyntaxDiags &diags) {
  LexResult result;
  // Keep the EOF token: ListTokenSource throws on an empty list. Garbage
  // (a binary file without NUL bytes) stops once invalid bytes were seen on
  // more lines than errors are shown (one per line), instead of lexing
  // megabytes that no diagnostic will mention.
  size_t invalidLines = 0;
  size_t lastInvalidLine = 0;
  for (;;) {
    std::unique_ptr<Token> t = lexer.nextToken();
    bool eof = t->getType() == Token::EOF;
    if (t->getType() == AELexer::INVALID && t->getLine() != lastInvalidLine) {
      lastInvalidLine = t->getLine();
      ++invalidLines;
    }
    if (!eof && invalidLines > SyntaxDiags::kMaxErrors) {
      result.tokens.push_back(std::move(t));
      lexer.emitEOF(); // into lexer.token, which nextToken would return
      result.tokens.push_back(std::move(lexer.token));
      break;
    }
    result.tokens.push_back(std::move(t));
    if (eof)
      break;
  }
  LexPass pass(file, diags, result.tokens);
  pass.run();
  result.commentRunsToEnd = pass.commentRunsToEnd;
  return result;
}

} // namespace aec
