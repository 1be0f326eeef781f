// `aec lsp`: the language server (compiler/lsp) on stdin/stdout. Nothing
// else may write to stdout while it runs: it carries the protocol.
#include "compiler/driver/Commands.h"

#include "compiler/lsp/Server.h"

#include <csignal>
#include <unistd.h>

namespace aec {

int runLsp(const Options &, const ToolDirs &dirs) {
  std::signal(SIGPIPE, SIG_IGN); // a client that goes away is end of input, not a crash
  lsp::FdSource in(STDIN_FILENO);
  lsp::FdSink out(STDOUT_FILENO);
  return lsp::serve(in, out, dirs.stdlib);
}

} // namespace aec
