// The language server: LSP lifecycle (initialize, shutdown, exit) and the
// dispatch of each message to its handler (Handlers.h). One message at a
// time, synchronously; every failure becomes an error response or a log
// message, never an exception out of `handle`.
#pragma once

#include "compiler/lsp/Documents.h"
#include "compiler/lsp/Protocol.h"
#include "compiler/lsp/Transport.h"

#include <string>
#include <vector>

namespace aec::lsp {

class Server {
public:
  explicit Server(std::string stdlibDir) : docs_(std::move(stdlibDir)) {}

  // Handles one message body; returns what to send back, in order.
  std::vector<json> handle(const std::string &body);
  bool exited() const { return exited_; }
  // 0 after shutdown + exit, 1 for an exit without shutdown or end of input.
  int exitCode() const { return exited_ && shutdown_ ? 0 : 1; }

private:
  json request(const std::string &method, const json &params, std::vector<json> &out);
  void notification(const std::string &method, const json &params, std::vector<json> &out);

  DocumentStore docs_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool snippets_ = false;
};

// Reads messages from `in` until `exit` or end of input; returns the exit code.
int serve(ByteSource &in, ByteSink &out, const std::string &stdlibDir);

// A window/logMessage notification (type 1 error .. 4 log).
json logMessage(int type, const std::string &text);

} // namespace aec::lsp
