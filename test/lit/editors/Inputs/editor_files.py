"""Checks the editor files: the VS Code extension's JSON files parse and
point at files that exist, and the TextMate grammar gives the expected scope
to each kind of token (its regexes are run with Python's re, which agrees
with Oniguruma on the constructs used). With `nvim`: runs nvim_syntax.lua."""
import json, os, re, subprocess, sys, tempfile

editors = sys.argv[1]
vs = os.path.join(editors, "vscode")
pkg = json.load(open(os.path.join(vs, "package.json")))
json.load(open(os.path.join(vs, "language-configuration.json")))
for lang in pkg["contributes"]["languages"]:
    assert os.path.exists(os.path.join(vs, lang["configuration"])), lang
for g in pkg["contributes"]["grammars"]:
    assert os.path.exists(os.path.join(vs, g["path"])), g
assert os.path.exists(os.path.join(vs, pkg["main"]))
print("package.json ok:", pkg["contributes"]["languages"][0]["extensions"])

grammar = json.load(open(os.path.join(vs, "syntaxes", "ae.tmLanguage.json")))


def rules(node):
    if "match" in node:
        yield node
    for p in node.get("patterns", []):
        yield from rules(grammar["repository"][p["include"][1:]] if "include" in p else p)


def scope_of(word):
    for rule in rules(grammar):
        m = re.search(rule["match"], word)
        if m and m.start() == 0:
            return rule.get("name") or rule["captures"]["1"]["name"]
    return None


for word in ["import", "block down", "model m", "encoder", "dense", "relu", "3x3", "1e-3", "-0.5",
             "down(", "bce", "batch", "// note", "tied", "batchnorm"]:
    print("scope", word, "->", scope_of(word))

if len(sys.argv) > 2 and sys.argv[2] == "nvim":
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.txt")
        sample = os.path.join(tmp, "sample.ae")
        open(sample, "w").write('import "std/blocks.ae"\nmodel m {\n  encoder {\n    dense 8 relu\n'
                                '    conv 4 3x3 relu\n    down(4)\n  }\n  loss bce // c\n'
                                '  train {\n    optimizer adam lr 1e-3\n    batch 4\n  }\n}\n')
        env = dict(os.environ, AEC_EDITORS=editors, AEC_NVIM_FILE=sample, AEC_NVIM_OUT=out,
                   XDG_STATE_HOME=tmp, XDG_DATA_HOME=tmp, XDG_CACHE_HOME=tmp, XDG_CONFIG_HOME=tmp)
        subprocess.run(["nvim", "--headless", "--clean", "-n", "-i", "NONE", "-u",
                        os.path.join(os.path.dirname(__file__), "nvim_syntax.lua")],
                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=60)
        sys.stdout.write(open(out).read())
