// `aec build --emit=onnx --weights W.aew`: the inference graph with trained
// weights. The model is built as an executable in a temporary folder and
// its `export` writes the file (runtime/src/onnx_write.c), so the ONNX
// writer and the checkpoint reader exist once, in the runtime.
#include "compiler/driver/OnnxEmit.h"

#include "compiler/codegen/Build.h"
#include "compiler/diag/Failures.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>

#include <cstdio>

namespace aec {

int emitOnnx(const CheckedModel &model, BuildOptions b, const std::string &weights,
             DiagnosticEngine &diags) {
  if (weights.empty()) return userError(diags, DiagKind::OnnxNeedsWeights);
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("aec-onnx", dir))
    return environmentError("cannot create a temporary folder: " + ec.message());
  const std::string out = b.output;
  const std::string exe = std::string(dir) + "/" + model.name;
  b.emit = EmitKind::Exe;
  b.output = exe;
  b.inferenceOnly = false;
  b.optLevel = 0; // only `export` runs: no need to optimize
  int rc = buildModel(model, b, diags);
  if (rc == 0) {
    llvm::StringRef args[] = {exe, "export", "--weights", weights, "--out", out};
    std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(""), std::nullopt};
    std::string message;
    int status = llvm::sys::ExecuteAndWait(exe, args, std::nullopt, redirects, 0, 0, &message);
    rc = status < 0   ? environmentError("cannot run the model to export it: " + message)
         : status <= 1 ? status
                       : 2;
  }
  llvm::sys::fs::remove(exe);
  llvm::sys::fs::remove(dir);
  return rc;
}

} // namespace aec
