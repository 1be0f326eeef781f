// `aec show`: the architecture table with per-layer parameters and MACs, then
// totals; the last line starts with `total: params=<trainable>`.
#pragma once

#include "compiler/sema/Model.h"

#include <cstdio>
#include <string>

namespace aec {

void printShowTable(const CheckedModel &model, std::FILE *out);

// The table's "kind" cell: `dense 512 relu`, `conv 16 3x3 relu`, `maxpool 2`.
std::string layerKindText(const Layer &layer);

} // namespace aec
