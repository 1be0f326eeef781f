"""Writes small tabular data sets (CSV, plain Python) for the workflow tests.
usage: gen_tab.py OUTDIR
tab.csv (240 rows) and tab_val.csv (60 rows): 12 columns from 3 latent
factors, each column with its own scale and offset (0.01 .. 1000), so an
unnormalized model would see wildly different magnitudes; const.csv: tab.csv
with column 5 constant; odd.csv: 40 rows off the factors' plane
(anomalies)."""
import os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(8)
load = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(12)]
scale = [10 ** rng.uniform(-2, 3) for _ in range(12)]
offset = [rng.uniform(-5, 5) * s for s in scale]


def row(odd=False):
    z = [rng.gauss(0, 1) for _ in range(3)]
    r = []
    for j in range(12):
        v = sum(a * b for a, b in zip(load[j], z)) + rng.gauss(0, 0.05)
        if odd:
            v += rng.choice([-3, 3]) * (j % 3 == 0)
        r.append(v * scale[j] + offset[j])
    return r


def write(name, rows):
    with open(os.path.join(out, name), "w") as f:
        for r in rows:
            f.write(",".join("%.6g" % v for v in r) + "\n")


tab = [row() for _ in range(240)]
write("tab.csv", tab)
write("tab_val.csv", [row() for _ in range(60)])
write("const.csv", [r[:5] + [2.5] + r[6:] for r in tab])
write("odd.csv", [row(odd=True) for _ in range(40)])
