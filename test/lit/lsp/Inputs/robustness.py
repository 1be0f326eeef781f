"""`aec lsp` against a hostile or confused client: broken headers, a huge
Content-Length, invalid JSON, wrong types, requests before initialize, a
file in every state of editing, UTF-16 columns. After each, the server must
still answer; at the end it exits cleanly. Prints one line per check."""
import json, sys
from lspclient import Client, uri

stdlib = sys.argv[1]
c = Client(("aec", "lsp", "--stdlib", stdlib))


def alive(tag):
    r = c.request("shutdown" if tag == "final" else "textDocument/documentSymbol",
                  {"textDocument": {"uri": "file:///probe.ae"}})
    print(tag, "->", "result" if "result" in r else r["error"]["code"])


r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.ae"}, "position": {"line": 0, "character": 0}})
print("before initialize:", r["error"]["code"])
c.request("initialize", {"capabilities": {"textDocument": {"completion": {"completionItem": {"snippetSupport": True}}}}})
c.notify("initialized", {})

c.raw(b"Content-Length: 12\r\n\r\n{not json!!}")
print("invalid json:", c.wait(lambda m: "error" in m)["error"]["code"])
c.raw(b"Content-Length: abc\r\n\r\n")
print("bad length:", c.notification("window/logMessage")["params"]["message"])
c.raw(b"Content-Length: 99999999999999999999999\r\n\r\n")
print("absurd length:", c.notification("window/logMessage")["params"]["message"])
c.raw(b"X-Nothing: 1\r\n\r\n")
print("no length:", c.notification("window/logMessage")["params"]["message"])
# Over the 64 MiB limit: skipped in bounded chunks, the next message still read.
big = 64 * 1024 * 1024 + 10
c.raw(b"Content-Length: %d\r\n\r\n" % big)
chunk = b" " * (1 << 20)
for _ in range(big // len(chunk)):
    c.raw(chunk)
c.raw(b" " * (big % len(chunk)))
print("huge message:", c.notification("window/logMessage")["params"]["message"])
alive("after framing errors")

for bad in ([1, 2], {"jsonrpc": "2.0", "id": {"x": 1}, "method": "initialize"},
            {"jsonrpc": "2.0", "id": 7, "method": 42},
            {"jsonrpc": "2.0", "id": 8, "method": "textDocument/hover", "params": {"textDocument": 5}},
            {"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover",
             "params": {"textDocument": {"uri": "file:///x.ae"}, "position": {"line": "a"}}}):
    c.send(bad)
    print("bad message:", c.wait(lambda m: "error" in m)["error"]["code"])
c.notify("textDocument/didOpen", {"textDocument": {"uri": 3}})
print("bad notification:", c.notification("window/logMessage")["params"]["message"].split(":")[1].strip())
alive("after bad messages")

# UTF-16: '😀' is two UTF-16 units, 'é' one; the error is at `0` after them.
d = {"uri": uri("utf16.ae")}
bad_line = "  encoder { /* é😀 */ dense 0 relu }"
text = "model m {\n  input 784\n" + bad_line + "\n  code 8\n  decoder mirror\n}\n"
c.notify("textDocument/didOpen", {"textDocument": dict(d, languageId="ae", version=1, text=text)})
diag = c.notification("textDocument/publishDiagnostics")["params"]["diagnostics"][0]
want = len(bad_line[:bad_line.index(" 0 ") + 1].encode("utf-16-le")) // 2
got = diag["range"]["start"]
print("utf16:", "ok" if got == {"line": 2, "character": want} else f"{got} != {want}",
      "width", diag["range"]["end"]["character"] - got["character"], diag["message"])

# Type the example file character by character; every state gets diagnostics.
src = open(sys.argv[2]).read()
c.notify("textDocument/didOpen", {"textDocument": dict(d, uri=uri("typing.ae"), version=0, text="")})
c.notification("textDocument/publishDiagnostics")
line = col = 0
for i, ch in enumerate(src):
    p = {"line": line, "character": col}
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri("typing.ae"), "version": i + 1},
                                        "contentChanges": [{"range": {"start": p, "end": p}, "text": ch}]})
    if ch == "\n":
        line, col = line + 1, 0
    else:
        col += 1
    if i % 7 == 0:
        c.request("textDocument/completion", {"textDocument": {"uri": uri("typing.ae")}, "position": p})
        c.request("textDocument/hover", {"textDocument": {"uri": uri("typing.ae")}, "position": p})
last = None
for _ in range(len(src) + 1):
    m = c.notification("textDocument/publishDiagnostics")["params"]
    if m["uri"].endswith("typing.ae") and m["version"] == len(src):
        last = m
        break
print("typed", len(src), "characters; final diagnostics:", len(last["diagnostics"]))
r = c.request("textDocument/formatting", {"textDocument": {"uri": uri("typing.ae")}})
print("typed file formats to:", len(r["result"]), "edits")
# Ranges past the end, reversed, in the middle of a surrogate pair: clamped.
c.notify("textDocument/didChange", {"textDocument": {"uri": uri("utf16.ae"), "version": 2}, "contentChanges": [
    {"range": {"start": {"line": 99, "character": 5}, "end": {"line": 0, "character": -4}}, "text": "x"},
    {"range": {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 1e300}}, "text": ""}]})
print("odd ranges:", c.notification("textDocument/publishDiagnostics")["params"]["version"])

# A document over the analysis limit: one diagnostic, no stall.
c.notify("textDocument/didOpen", {"textDocument": {"uri": uri("big.ae"), "languageId": "ae", "version": 1,
                                                   "text": "model m {\n" + "  dense 8\n" * 200000 + "}\n"}})
big = c.notification("textDocument/publishDiagnostics")["params"]["diagnostics"]
print("big document:", len(big), big[0]["code"], big[0]["range"]["start"])

alive("final")
c.notify("exit", None)
print("exit status:", c.close())

# End of input without `exit`: exit status 1, no hang.
c = Client(("aec", "lsp"))
c.raw(b"Content-Length: 5\r\n\r\n{}")  # truncated
print("end of input:", c.close())
