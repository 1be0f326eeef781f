"""Reads `key=value` pairs from stdin and fails unless every KEY<BOUND holds.
usage: check_below.py mse 0.05 loss 0.4"""
import sys

text = sys.stdin.read()
vals = {}
for tok in text.split():
    if "=" in tok:
        k, v = tok.split("=", 1)
        try:
            vals[k] = float(v)
        except ValueError:
            pass
args = sys.argv[1:]
ok = True
for k, b in zip(args[::2], args[1::2]):
    v = vals.get(k)
    good = v is not None and v < float(b)
    print(f"{k}={v} bound={b} {'ok' if good else 'FAIL'}")
    ok = ok and good
sys.exit(0 if ok else 1)
