// `aec build --emit=onnx --weights W.aew`: the inference graph with trained
// weights. The model is built as an executable in a temporary folder and
// its `export` writes the file (runtime/src/onnx_write.c), so the ONNX
// writer and the checkpoint reader exist once, in the runtime.
#include "compiler/driver/OnnxEmit.h"

#include "compiler/codegen/Build.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>

#include <cstdio>

namespace aec {

int emitOnnx(const CheckedModel &model, BuildOptions b, const std::string &weights,
             DiagnosticEngine &diags) {
  if (weights.empty()) {
    std::fputs("aec: error: `--emit=onnx` needs `--weights W.aew` (the trained weights to put in "
               "the graph)\n", stderr);
    return 1;
  }
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("aec-onnx", dir)) {
    std::fprintf(stderr, "aec: error: cannot create a temporary folder: %s\n", ec.message().c_str());
    return 2;
  }
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
    if (status < 0)
      std::fprintf(stderr, "aec: error: cannot run the model to export it: %s\n", message.c_str());
    rc = status == 0 ? 0 : status == 1 ? 1 : 2;
  }
  llvm::sys::fs::remove(exe);
  llvm::sys::fs::remove(dir);
  return rc;
}

} // namespace aec
