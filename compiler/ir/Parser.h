// The reader of the IR's text form (ir::print, `aec build --emit=ir`): the
// `.air` files of `aec opt` and of the per-pass lit tests (test/lit/passes).
// print -> parse -> print is the identity for every graph the pipeline makes.
#pragma once

#include "compiler/diag/Diagnostics.h"
#include "compiler/ir/IR.h"

namespace aec::ir {

// Parses `file` into `out`. Problems are reported through `diags` with their
// line and column (registered Ir* kinds) and make it return false; a graph
// that parses is also checked by the verifier. Lines starting with `;` are
// comments (lit RUN lines, the `; after <stage>` of AEC_PRINT_IR_AFTER).
bool parseIR(FileId file, const SourceManager &sources, DiagnosticEngine &diags, Graph &out);

} // namespace aec::ir
