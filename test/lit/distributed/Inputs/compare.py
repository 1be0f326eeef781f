"""Compares one process's training with an MPI job's.
usage: compare.py loss A.txt B.txt           the `loss=` of the last lines, 1e-5 relative
       compare.py npy A.npy B.npy            two arrays, 1e-5 absolute + relative"""
import sys

import numpy as np

TOL = 1e-5
what, a, b = sys.argv[1:4]
if what == "loss":
    la, lb = (float(open(p).read().strip().splitlines()[-1].split("loss=")[1].split()[0]) for p in (a, b))
    rel = abs(la - lb) / max(abs(la), 1e-30)
    print(f"loss {la:.9g} vs {lb:.9g}: relative difference {rel:.3g}")
    sys.exit(0 if rel <= TOL else 1)
x, y = np.load(a), np.load(b)
if x.shape != y.shape:
    sys.exit(f"shapes differ: {x.shape} vs {y.shape}")
err = float(np.max(np.abs(x - y) / (1.0 + np.abs(x))))
print(f"{a} vs {b}: max relative difference {err:.3g}")
sys.exit(0 if err <= TOL else 1)
