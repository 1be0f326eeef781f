// JSON-RPC / LSP constants and safe accessors for client-sent JSON: a
// missing or mistyped field throws BadParams (answered as InvalidParams),
// numbers are clamped instead of overflowing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace aec::lsp {

using nlohmann::json;

enum ErrorCode {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kInvalidRequestAfterShutdown = -32600,
};

struct BadParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json &member(const json &object, const char *key);     // throws BadParams
std::string stringMember(const json &object, const char *key); // throws BadParams
int64_t intValue(const json &value);                           // throws BadParams; clamped

// JSON text for the wire: invalid UTF-8 (quoted from a file) is replaced, not thrown.
std::string dump(const json &j);

} // namespace aec::lsp
