// Gives a layer statement its structure. The grammar reads a layer as a word
// followed by any arguments (`dense relu 128` parses); this pass assigns them
// to size, kernel, activation and stride per layer kind, and names the common
// mistakes in plain words: a missing size, an activation before the size, a
// kernel written `3 x 3`, an argument a kind does not take.
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/parse/SyntaxDiags.h"

#include <string>
#include <vector>

namespace aec {

struct LayerArg {
  enum class Kind { Value, Kernel, Stride };
  Kind kind = Kind::Value;
  ast::Value value;       // Value: a number or a name; Stride: its value
  ast::KernelSpec kernel; // Kernel
  std::string text;       // as written
  SourceRange range;
};

// Fills size/kernel/activation/stride of `layer` (whose kind is set) from
// `args`. `params` are the parameters of the enclosing block (empty in a
// model): a name among them is a value, any other name reads as an
// activation.
void shapeLayer(ast::LayerStmt &layer, const std::vector<LayerArg> &args,
                const std::vector<std::string> &params, SyntaxDiags &diags);

} // namespace aec
