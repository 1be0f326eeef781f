// Number literals -> ast::Value, without UB or exceptions: values that do not
// fit are flagged in Value::overflow (sema reports them).
#pragma once

#include "compiler/ast/AST.h"

#include <string_view>

namespace aec {

// `text` is the literal as lexed (digits, optional `.`, optional exponent);
// `isInteger` when it was an INT token. `negative` for a leading `-`.
ast::Value makeNumber(std::string_view text, bool isInteger, bool negative, SourceRange range);

} // namespace aec
