"""Compares the column means of a float32 .npy output with a CSV's.
usage: npy_colmeans.py OUT.npy DATA.csv TOLERANCE
Exit 1 if a column's means differ by more than TOLERANCE times the
column's standard deviation (the output is not in the data's units)."""
import ast, math, struct, sys

raw = open(sys.argv[1], "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
hdr = ast.literal_eval(raw[10:10 + hl].decode())
n, k = hdr["shape"]
vals = struct.unpack("<%df" % (n * k), raw[10 + hl:10 + hl + 4 * n * k])
rows = [[float(v) for v in line.split(",")] for line in open(sys.argv[2]) if line.strip()]
assert len(rows) == n
for j in range(k):
    col = [r[j] for r in rows]
    mean = sum(col) / n
    std = math.sqrt(sum((c - mean) ** 2 for c in col) / n)
    got = sum(vals[i * k + j] for i in range(n)) / n
    if abs(got - mean) > float(sys.argv[3]) * std:
        sys.exit("column %d: output mean %g, data mean %g (std %g)" % (j, got, mean, std))
print("units ok: %d columns" % k)
