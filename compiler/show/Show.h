// `aec show`: the architecture table with per-layer parameters and MACs, then
// totals; the last line starts with `total: params=<trainable>`.
#pragma once

#include "compiler/sema/Model.h"

#include <cstdio>

namespace aec {

void printShowTable(const CheckedModel &model, std::FILE *out);

} // namespace aec
