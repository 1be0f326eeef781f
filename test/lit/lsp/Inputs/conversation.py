"""An LSP conversation with `aec lsp`: initialize, didOpen with a shape error,
hover, completion, definition, formatting, symbols, a fix through didChange,
shutdown and exit. Prints one line per answer for FileCheck."""
import sys
from lspclient import Client, uri

path, stdlib = sys.argv[1], sys.argv[2]
text = open(path).read()
lines = text.split("\n")


def pos(needle, delta=0):
    for n, line in enumerate(lines):
        if needle in line:
            return {"line": n, "character": line.index(needle) + delta}
    raise SystemExit("not found: " + needle)


c = Client(("aec", "lsp", "--stdlib", stdlib))
init = c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
caps = init["result"]["capabilities"]
print("capabilities:", " ".join(sorted(k for k in caps if k.endswith("Provider"))))
c.notify("initialized", {})
doc = {"uri": uri(path)}
c.notify("textDocument/didOpen", {"textDocument": dict(doc, languageId="ae", version=1, text=text)})
d = c.notification("textDocument/publishDiagnostics")["params"]
for x in d["diagnostics"]:
    r = x["range"]
    print(f"diagnostic {r['start']['line']}:{r['start']['character']}-{r['end']['line']}:"
          f"{r['end']['character']} sev={x['severity']} code={x['code']}: {x['message']}")
    for info in x.get("relatedInformation", []):
        print(f"  related {info['location']['range']['start']['line']}: {info['message']}")

# Fix the error (maxpool 5 -> maxpool 2) with an incremental change.
fix = pos("maxpool 5", len("maxpool "))
c.notify("textDocument/didChange", {"textDocument": dict(doc, version=2), "contentChanges": [
    {"range": {"start": fix, "end": dict(fix, character=fix["character"] + 1)}, "text": "2"}]})
d = c.notification("textDocument/publishDiagnostics")["params"]
print("after fix: version", d["version"], "diagnostics", len(d["diagnostics"]))

# An error inside an imported block: shown at the call, the block's place related.
other = {"uri": uri(path + ".other.ae")}
c.notify("textDocument/didOpen", {"textDocument": dict(other, languageId="ae", version=1,
          text=text.replace("maxpool 5", "maxpool 2").replace("[1, 12, 12]", "[1, 10, 10]"))})
d = c.notification("textDocument/publishDiagnostics")["params"]
for x in d["diagnostics"]:
    r = x["range"]
    print(f"block diagnostic {r['start']['line']}:{r['start']['character']} code={x['code']}: {x['message']}")
    for info in x.get("relatedInformation", []):
        loc = info["location"]
        print(f"  related {loc['uri'].rsplit('/', 1)[-1]}:{loc['range']['start']['line']}: {info['message']}")
c.notify("textDocument/didClose", {"textDocument": other})
print("closed:", c.notification("textDocument/publishDiagnostics")["params"]["diagnostics"])

h = c.request("textDocument/hover", {"textDocument": doc, "position": pos("conv 4 3x3", 2)})
print("hover layer:", h["result"]["contents"]["value"].replace("\n\n", " | "))
h = c.request("textDocument/hover", {"textDocument": doc, "position": pos("down(8)", 1)})
print("hover call:", h["result"]["contents"]["value"].replace("\n", " | "))
h = c.request("textDocument/hover", {"textDocument": doc, "position": pos("decoder mirror", 3)})
print("hover mirror:", h["result"]["contents"]["value"].split("\n")[0])

comp = c.request("textDocument/completion", {"textDocument": doc, "position": pos("    conv 4 3x3", 4)})
labels = [i["label"] for i in comp["result"]["items"]]
print("complete layer:", " ".join(labels))
comp = c.request("textDocument/completion", {"textDocument": doc, "position": pos("conv 4 3x3 relu", 11)})
print("complete activation:", " ".join(i["label"] for i in comp["result"]["items"]))
comp = c.request("textDocument/completion", {"textDocument": doc, "position": pos("loss bce", 5)})
print("complete loss:", " ".join(i["label"] for i in comp["result"]["items"]))
comp = c.request("textDocument/completion", {"textDocument": doc, "position": pos("batch   8", 0)})
print("complete train:", " ".join(i["label"] for i in comp["result"]["items"]))

df = c.request("textDocument/definition", {"textDocument": doc, "position": pos("down(8)", 2)})
r = df["result"]
print("definition block:", r["uri"].rsplit("/", 1)[-1], r["range"]["start"])
df = c.request("textDocument/definition", {"textDocument": doc, "position": pos('"std/blocks.ae"', 3)})
print("definition import:", df["result"]["uri"].rsplit("/", 2)[-2:])

sym = c.request("textDocument/documentSymbol", {"textDocument": doc})
for s in sym["result"]:
    print("symbol:", s["name"], s["kind"], [ch["name"] for ch in s.get("children", [])])

fmt = c.request("textDocument/formatting", {"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": True}})
for e in fmt["result"]:
    print("format edit:", e["range"]["start"], e["range"]["end"], "->", repr(e["newText"].split("\n")[14]))

bad = c.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.ae"}, "position": {"line": 0, "character": 0}})
print("unknown document:", bad["error"]["code"])
bad = c.request("textDocument/frobnicate", {})
print("unknown method:", bad["error"]["code"])

print("shutdown:", c.request("shutdown", None)["result"])
c.notify("exit", None)
print("exit status:", c.close())
