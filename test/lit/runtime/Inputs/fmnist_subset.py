"""Writes the first N images of a Fashion-MNIST IDX file as a gzipped IDX.
usage: fmnist_subset.py SRC.gz N OUT.gz   (SRC relative names resolve in
$AEC_FMNIST_DIR or /usr/share/datasets/fashion-mnist)"""
import gzip, os, struct, sys

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if not os.path.isabs(src):
    src = os.path.join(os.environ.get("AEC_FMNIST_DIR", "/usr/share/datasets/fashion-mnist"), src)
with gzip.open(src, "rb") as f:
    head = f.read(16)
    magic, count, rows, cols = struct.unpack(">IIII", head)
    data = f.read(n * rows * cols)
with gzip.open(out, "wb", compresslevel=1) as f:
    f.write(struct.pack(">IIII", magic, n, rows, cols) + data)
