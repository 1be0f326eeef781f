// The server loop and dispatch (see Server.h).
#include "compiler/lsp/Server.h"

#include "compiler/lsp/Handlers.h"

#include <new>

namespace aec::lsp {

namespace {

json response(const json &id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json errorResponse(const json &id, int code, const std::string &message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json notify(const std::string &method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

json capabilities() {
  return {{"positionEncoding", "utf-16"},
          {"textDocumentSync", {{"openClose", true}, {"change", 2}}},
          {"hoverProvider", true},
          {"definitionProvider", true},
          {"completionProvider", {{"resolveProvider", false}}},
          {"documentSymbolProvider", true},
          {"documentFormattingProvider", true}};
}

bool snippetSupport(const json &params) {
  const json *p = &params;
  for (const char *key : {"capabilities", "textDocument", "completion", "completionItem"}) {
    if (!p->is_object() || !p->contains(key)) return false;
    p = &(*p)[key];
  }
  return p->is_object() && p->contains("snippetSupport") && (*p)["snippetSupport"] == true;
}

std::string uriOf(const json &params) {
  return stringMember(member(params, "textDocument"), "uri");
}

int64_t versionOf(const json &textDocument) {
  return textDocument.is_object() && textDocument.contains("version") &&
                 textDocument["version"].is_number()
             ? intValue(textDocument["version"])
             : 0;
}

} // namespace

json logMessage(int type, const std::string &text) {
  return notify("window/logMessage", {{"type", type}, {"message", "aec lsp: " + text}});
}

json Server::request(const std::string &method, const json &params, std::vector<json> &out) {
  (void)out;
  if (method == "initialize") {
    initialized_ = true;
    snippets_ = snippetSupport(params);
    return {{"capabilities", capabilities()},
            {"serverInfo", {{"name", "aec"}, {"version", "0.1.0"}}}};
  }
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/hover") return hover(docs_.get(uriOf(params)), params);
  if (method == "textDocument/definition")
    return definition(docs_.get(uriOf(params)), params, docs_.stdlibDir());
  if (method == "textDocument/completion")
    return completion(docs_.get(uriOf(params)), params, snippets_);
  if (method == "textDocument/documentSymbol") return documentSymbols(docs_.get(uriOf(params)));
  if (method == "textDocument/formatting") return formatting(docs_.get(uriOf(params)));
  throw std::out_of_range(method);
}

void Server::notification(const std::string &method, const json &params,
                          std::vector<json> &out) {
  if (method == "exit") {
    exited_ = true;
  } else if (method == "textDocument/didOpen") {
    const json &td = member(params, "textDocument");
    Document &d = docs_.open(stringMember(td, "uri"), stringMember(td, "text"), versionOf(td));
    out.push_back(notify("textDocument/publishDiagnostics", publishDiagnostics(d)));
  } else if (method == "textDocument/didChange") {
    const json &td = member(params, "textDocument");
    Document &d =
        docs_.change(stringMember(td, "uri"), member(params, "contentChanges"), versionOf(td));
    out.push_back(notify("textDocument/publishDiagnostics", publishDiagnostics(d)));
  } else if (method == "textDocument/didClose") {
    std::string uri = uriOf(params);
    docs_.close(uri);
    out.push_back(notify("textDocument/publishDiagnostics",
                         {{"uri", uri}, {"diagnostics", json::array()}}));
  }
  // initialized, didSave, $/cancelRequest, $/setTrace, workspace/...: nothing to do
}

std::vector<json> Server::handle(const std::string &body) {
  std::vector<json> out;
  json msg = json::parse(body, nullptr, false);
  if (msg.is_discarded()) {
    out.push_back(errorResponse(nullptr, kParseError, "the message is not valid JSON"));
    return out;
  }
  if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string()) {
    if (msg.is_object() && msg.contains("id") && !msg.contains("method"))
      return out; // a response to a request we never sent: ignore
    out.push_back(errorResponse(msg.is_object() && msg.contains("id") ? msg["id"] : json(nullptr),
                                kInvalidRequest, "not a JSON-RPC request or notification"));
    return out;
  }
  std::string method = msg["method"].get<std::string>();
  json params = msg.contains("params") ? msg["params"] : json::object();
  bool isRequest = msg.contains("id");
  json id = isRequest ? msg["id"] : json(nullptr);
  if (isRequest && !id.is_number() && !id.is_string()) {
    out.push_back(errorResponse(nullptr, kInvalidRequest, "`id` must be a number or a string"));
    return out;
  }
  auto fail = [&](int code, const std::string &why) {
    if (isRequest) out.push_back(errorResponse(id, code, why));
    else out.push_back(logMessage(1, method + ": " + why));
  };
  try {
    if (isRequest && !initialized_ && method != "initialize") {
      fail(kServerNotInitialized, "the server is not initialized");
    } else if (isRequest && shutdown_) {
      fail(kInvalidRequest, "the server is shut down");
    } else if (isRequest) {
      json result = request(method, params, out);
      out.insert(out.begin(), response(id, std::move(result)));
    } else if (initialized_ || method == "exit") {
      notification(method, params, out);
    }
  } catch (const std::out_of_range &e) {
    if (dynamic_cast<const json::exception *>(&e)) fail(kInvalidParams, e.what());
    else fail(kMethodNotFound, "unknown method `" + method + "`");
  } catch (const BadParams &e) {
    fail(kInvalidParams, e.what());
  } catch (const json::exception &e) {
    fail(kInvalidParams, e.what());
  } catch (const std::bad_alloc &) {
    fail(kInternalError, "out of memory");
  } catch (const std::exception &e) {
    fail(kInternalError, e.what());
  } catch (...) {
    fail(kInternalError, "unknown failure");
  }
  return out;
}

int serve(ByteSource &in, ByteSink &sink, const std::string &stdlibDir) {
  Server server(stdlibDir);
  MessageReader reader(in);
  std::string body, problem;
  while (!server.exited()) {
    ReadStatus s = reader.next(body, problem);
    if (s == ReadStatus::End) break;
    std::vector<json> out;
    if (s == ReadStatus::Skipped) out.push_back(logMessage(1, problem));
    else out = server.handle(body);
    for (const json &m : out) writeMessage(sink, dump(m));
  }
  return server.exitCode();
}

} // namespace aec::lsp
