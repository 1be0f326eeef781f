// The lexical pass: runs the ANTLR lexer over the whole file, reports
// lexical mistakes (invalid characters and bytes, unterminated strings and
// comments, numbers run into names) and patches the token list so the parser
// recovers cleanly: invalid characters are hidden, an unterminated string
// becomes a string, `512relu` becomes `512` `relu`.
#pragma once

#include "compiler/parse/SyntaxDiags.h"

#include <antlr4-runtime.h>

#include <memory>
#include <vector>

namespace aec {

struct LexResult {
  std::vector<std::unique_ptr<antlr4::Token>> tokens; // ends with EOF
  bool commentRunsToEnd = false; // an unterminated /* swallowed the end
};

LexResult lexFile(antlr4::Lexer &lexer, antlr4::CharStream &input, FileId file,
                  SyntaxDiags &diags);

// The source range of a token (EOF: empty range at its start).
SourceRange tokenRange(FileId file, const antlr4::Token *token);

} // namespace aec
