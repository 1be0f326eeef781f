// The canonical layout (docs/formatting.md): two-space indentation, one
// statement per line, single spaces between tokens (none inside `( )` and
// `[ ]`, before `,` and `(`, or after a unary `-`), at most one blank line kept
// where the source had any, every comment kept. A trailing comment stays
// trailing, at least two spaces after the code and never left of its original
// column; consecutive lines with trailing comments share one column.
#pragma once

#include "compiler/format/Statements.h"

#include <string>
#include <string_view>
#include <vector>

namespace aec::format {

std::string layout(const SyntaxTree &tree, const std::vector<Node> &top, std::string_view text);

} // namespace aec::format
