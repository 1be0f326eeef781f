// `aec lsp`: the language server (compiler/lsp) on stdin/stdout.
#include "compiler/driver/Commands.h"

#include <cstdio>

namespace aec {

int runLsp(const Options &, const ToolDirs &) {
  std::fputs("aec: error: the language server is not built yet\n", stderr);
  return 1;
}

} // namespace aec
