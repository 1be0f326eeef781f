"""Writes inputs that nest deeper than sema's limits.
usage: gen_deep.py imports|blocks DIR N"""
import os
import sys

mode, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
model = "model m {\n  input 784\n  encoder { %s }\n  code 8\n  decoder mirror\n}\n"
if mode == "imports":
    # f0 imports f1, ..., f(n-1) imports fn.
    for i in range(n + 1):
        with open(os.path.join(out, "f%d.ae" % i), "w") as f:
            if i < n:
                f.write('import "f%d.ae"\n' % (i + 1))
            if i == 0:
                f.write(model % "dense 64 relu")
else:
    # b0 calls b1, ..., b(n-1) calls bn, which is a layer.
    with open(os.path.join(out, "blocks.ae"), "w") as f:
        for i in range(n):
            f.write("block b%d() { b%d() }\n" % (i, i + 1))
        f.write("block b%d() { dense 64 relu }\n" % n)
        f.write(model % "b0()")
