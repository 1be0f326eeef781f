// Parse tree (ANTLR contexts) -> ast::File, with a source range on every
// node. Also reports the mistakes the permissive grammar lets through:
// unknown model statements, settings without a value and (through
// LayerShape) malformed layers. Works on partial trees left by
// error recovery: every child may be missing.
#pragma once

#include "AEParser.h"
#include "compiler/ast/AST.h"
#include "compiler/parse/SyntaxDiags.h"

#include <memory>
#include <string>
#include <vector>

namespace aec {

std::unique_ptr<ast::File> buildAst(aecgen::AEParser::FileContext *tree, FileId file,
                                    uint32_t fileSize, SyntaxDiags &diags);

// Train settings that belong to the `optimizer` before them (lr, momentum, ...);
// the formatter keeps them on its line.
const std::vector<std::string> &optimizerOptionKeys();
// The words that start a statement inside `model { }` (editor completion).
const std::vector<std::string> &modelStatementWords();

} // namespace aec
