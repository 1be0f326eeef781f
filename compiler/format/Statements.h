// The statement structure the formatter lays out: one Node per line of code.
// A statement that owns a `{ }` body (model, block, encoder, decoder, train)
// has a header (up to and including `{`), its body and the closing `}`.
#pragma once

#include "compiler/format/SyntaxTree.h"

#include <cstddef>
#include <vector>

namespace aec::format {

struct Node {
  size_t first = 0, last = 0; // token indices of the line (the header for a body)
  bool hasBody = false;
  std::vector<Node> body;
  size_t close = 0;           // token index of the body's `}`
};

// The top-level items of the file, in order.
std::vector<Node> statementsOf(const SyntaxTree &tree);

} // namespace aec::format
