"""Writes the first N images of an IDX file (gzipped or not) as an
uncompressed IDX file: a small Fashion-MNIST subset for fast tests.
usage: subset.py IN N OUT"""
import gzip, struct, sys

src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rb") as f:
    magic = f.read(4)
    ndim = magic[3]
    dims = list(struct.unpack(">" + "I" * ndim, f.read(4 * ndim)))
    per = 1
    for d in dims[1:]:
        per *= d
    n = min(n, dims[0])
    data = f.read(n * per)
dims[0] = n
with open(dst, "wb") as f:
    f.write(magic + struct.pack(">" + "I" * ndim, *dims) + data)
