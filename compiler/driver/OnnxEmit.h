// `aec build --emit=onnx` (OnnxEmit.cpp).
#pragma once

#include "compiler/codegen/Build.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/sema/Model.h"

#include <string>

namespace aec {

// Writes b.output from the model and the checkpoint `weights`; exit status.
int emitOnnx(const CheckedModel &model, BuildOptions b, const std::string &weights,
             DiagnosticEngine &diags);

} // namespace aec
