"""Prints the `aec show --format=json` document one layer per line (for FileCheck)."""
import json, sys

d = json.load(open(sys.argv[1]))
print(f"model={d['model']} input={d['input']} range={d['range']} code={d['code']}")
for l in d["layers"]:
    print(f"{l['name']} {l['kind']} {l['text']} in={l['in']} out={l['out']} params={l['params']} "
          f"macs={l['macs']} mirrors={l['mirrors']}")
t = d["total"]
print(f"total params={t['params']} frozen={t['frozen']} macs={t['macs']} "
      f"train_memory={t['train_memory']} batch={t['batch']}")
print("warnings", len(d["diagnostics"]), " ".join(x["kind"] for x in d["diagnostics"]))
