#!/usr/bin/env python3
"""Fashion-MNIST for the anomaly example.
usage: anomaly_data.py OUTDIR NORMAL_CLASS
Writes OUTDIR/normal.npy (the training images of class NORMAL_CLASS, float32
in [0, 1]), OUTDIR/test.npy (all 10000 test images) and OUTDIR/test_labels.npy
(1 = anomaly, i.e. any other class)."""
import gzip, os, struct, sys

import numpy as np

DATA = os.environ.get("AEC_FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = struct.unpack(">" + "I" * (magic & 0xff), f.read(4 * (magic & 0xff)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


out, normal = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
x = idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
y = idx("train-labels-idx1-ubyte.gz")
xt = idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
yt = idx("t10k-labels-idx1-ubyte.gz")
np.save(os.path.join(out, "normal.npy"), x[y == normal])
np.save(os.path.join(out, "test.npy"), xt)
np.save(os.path.join(out, "test_labels.npy"), (yt != normal).astype(np.int8))
print(f"data: class {normal} normal: {int((y == normal).sum())} training images; "
      f"test: {len(yt)} images, {int((yt != normal).sum())} anomalies")
