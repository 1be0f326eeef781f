// parseFile: lexical pass, ANTLR parse with plain-sentence errors, AST build.
#include "compiler/parse/Parser.h"

#include "AELexer.h"
#include "AEParser.h"
#include "compiler/parse/AstBuilder.h"
#include "compiler/parse/ByteStream.h"
#include "compiler/parse/Lexing.h"
#include "compiler/parse/SyntaxDiags.h"
#include "compiler/parse/SyntaxErrors.h"

#include <cstring>
#include <exception>

namespace aec {

namespace {

std::unique_ptr<ast::File> parseText(FileId file, std::string_view text, const std::string &path,
                                     SyntaxDiags &syntax) {
  // A NUL byte never occurs in source text: do not report thousands of
  // invalid characters for an object file passed by mistake.
  if (const void *nul = std::memchr(text.data(), 0, text.size())) {
    auto at = static_cast<uint32_t>(static_cast<const char *>(nul) - text.data());
    syntax.add(DiagKind::BinaryFile, {file, at, at + 1});
    return nullptr;
  }

  ByteStream input(text, path);
  aecgen::AELexer lexer(&input);
  lexer.removeErrorListeners();
  SyntaxErrorListener listener(file, syntax);
  lexer.addErrorListener(&listener);
  LexResult lexed = lexFile(lexer, input, file, syntax);

  antlr4::ListTokenSource source(std::move(lexed.tokens), path);
  antlr4::CommonTokenStream tokens(&source);
  aecgen::AEParser parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  // SLL prediction: the grammar's name-or-next-statement choices are settled
  // by the same-line predicates; full-LL prediction would look ahead to the
  // end of a long layer list at each of them (quadratic on big files).
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(file, syntax, lexed.commentRunsToEnd));

  aecgen::AEParser::FileContext *tree = parser.file();
  return buildAst(tree, file, static_cast<uint32_t>(text.size()), syntax);
}

} // namespace

std::unique_ptr<ast::File> parseFile(FileId file, SourceManager &sources, DiagnosticEngine &diags) {
  SyntaxDiags syntax(sources);
  std::unique_ptr<ast::File> result;
  try {
    result = parseText(file, sources.text(file), sources.path(file), syntax);
  } catch (const StopParsing &) {
    result.reset(); // too many errors: what was reported is enough
  } catch (const std::bad_alloc &) {
    syntax.emit(diags);
    throw; // out of memory is not a syntax error; the driver reports it
  } catch (const std::exception &e) {
    // ANTLR runtime failures (should not happen with our error strategy).
    syntax.add(DiagKind::UnexpectedToken, {file, 0, 0},
               {"input", std::string("valid syntax (parser failure: ") + e.what() + ")"});
  } catch (...) {
    // The ANTLR C++ runtime also throws plain strings in places.
    syntax.add(DiagKind::UnexpectedToken, {file, 0, 0}, {"input", "valid syntax (parser failure)"});
  }
  if (!syntax.empty()) {
    syntax.emit(diags);
    return nullptr;
  }
  return result;
}

} // namespace aec
