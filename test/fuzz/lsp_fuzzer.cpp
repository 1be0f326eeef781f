// libFuzzer target: any byte string as what an editor sends `aec lsp` on
// stdin, through the real framing, dispatch, document store and handlers
// (compiler/lsp). Whatever the bytes, the server must answer and return at
// the end of input, never crash, hang, throw or trip ASan/UBSan. See
// docs/robustness.md ("Fuzzing the language server").
//
// The first byte picks a prelude, so that most inputs reach the handlers
// instead of dying at "not initialized": 0 none; 1 initialize; 2 initialize
// and open a document whose text is the rest of the input (a file in any
// state of editing), then hover, complete, define, outline and format at a
// position taken from the input. Otherwise the rest is raw protocol bytes.
#include "compiler/lsp/Server.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::string gStdlib;

std::string frame(const aec::lsp::json &m) {
  std::string body = aec::lsp::dump(m);
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

aec::lsp::json request(int id, const char *method, aec::lsp::json params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

std::string initialize() {
  return frame(request(1, "initialize", {{"capabilities", aec::lsp::json::object()}})) +
         frame({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", aec::lsp::json::object()}});
}

// Opens `text` as a document and asks everything about the place `where`.
std::string editorSession(const std::string &text, uint8_t where) {
  using aec::lsp::json;
  const char *uri = "file:///fuzz/input.ae";
  json doc = {{"uri", uri}};
  std::string s = initialize();
  s += frame({{"jsonrpc", "2.0"},
              {"method", "textDocument/didOpen"},
              {"params", {{"textDocument", {{"uri", uri}, {"languageId", "ae"}, {"version", 1},
                                            {"text", text}}}}}});
  json pos = {{"line", where % 16}, {"character", where / 16}};
  json at = {{"textDocument", doc}, {"position", pos}};
  int id = 2;
  for (const char *m : {"textDocument/hover", "textDocument/completion", "textDocument/definition"})
    s += frame(request(id++, m, at));
  s += frame(request(id++, "textDocument/documentSymbol", {{"textDocument", doc}}));
  s += frame(request(id++, "textDocument/formatting", {{"textDocument", doc}}));
  // An edit at the same place, then the questions again on the new text.
  s += frame({{"jsonrpc", "2.0"},
              {"method", "textDocument/didChange"},
              {"params", {{"textDocument", {{"uri", uri}, {"version", 2}}},
                          {"contentChanges", json::array({{{"range", {{"start", pos}, {"end", pos}}},
                                                           {"text", "}\n"}}})}}}});
  s += frame(request(id++, "textDocument/hover", at));
  return s;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *stdlib = std::getenv("AEC_FUZZ_STDLIB");
  gStdlib = stdlib && *stdlib ? stdlib : AEC_FUZZ_STDLIB_DIR;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string input;
  switch (data[0] % 3) {
  case 0: input = rest; break;
  case 1: input = initialize() + rest; break;
  default: {
    // Documents must be valid UTF-8 to be JSON strings: invalid bytes become '?'.
    std::string text;
    for (size_t i = 0; i < rest.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(rest[i]);
      text += c < 0x80 ? static_cast<char>(c) : '?';
    }
    input = editorSession(text, size > 1 ? data[1] : 0);
  }
  }
  aec::lsp::StringSource in(std::move(input));
  aec::lsp::StringSink out;
  aec::lsp::serve(in, out, gStdlib);
  return 0;
}
