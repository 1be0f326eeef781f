"""Writes small synthetic data sets for the runtime lit tests (plain
Python, no numpy, so any python3 runs it).
usage: gen_data.py OUTDIR
Good data (16 values in [0, 1] per sample, from 3 latent factors, so an
autoencoder with a 4-wide code can learn it) in every format, 12-value
unbounded data for ref_ae_mse, and bad files: wrong shapes per format,
NaN/inf, truncated files, unknown formats."""
import gzip, math, os, random, struct, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(1234)


def p(name):
    return os.path.join(out, name)


def flat(rows):
    return [v for r in rows for v in r]


def idx(path, rows, code, gz, shape=None):
    shape = shape or (len(rows), len(rows[0]))
    fmt = {0x08: "B", 0x0D: "f", 0x0E: "d"}[code]
    vals = flat(rows)
    head = bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
    data = head + struct.pack(">%d%s" % (len(vals), fmt), *vals)
    with (gzip.open(path, "wb") if gz else open(path, "wb")) as f:
        f.write(data)


def npy(path, rows, descr="<f4", shape=None, fortran=False):
    shape = shape or (len(rows), len(rows[0]))
    fmt = {"<f4": "f", "<f8": "d", "|u1": "B", "<i4": "i"}[descr]
    sh = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, sh)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    vals = flat(rows)
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
        f.write(struct.pack("<%d%s" % (len(vals), fmt), *vals))


def raw(path, rows):
    vals = flat(rows)
    with open(path, "wb") as f:
        f.write(struct.pack("<%df" % len(vals), *vals))


MIX = [[random.Random(7 + i * 16 + j).gauss(0, 1.5) for j in range(16)] for i in range(3)]


def images(n):
    rows = []
    for _ in range(n):
        z = [rng.uniform(-2, 2) for _ in range(3)]
        rows.append([1 / (1 + math.exp(-sum(z[i] * MIX[i][j] for i in range(3)))) for j in range(16)])
    return rows


def to_u8(rows):
    return [[int(round(v * 255)) for v in r] for r in rows]


train = images(640)
test = images(96)
u8 = to_u8(train)
idx(p("train.idx.gz"), u8, 0x08, True)             # Fashion-MNIST style, gzipped ubyte
idx(p("train-images-idx2-ubyte"), u8, 0x08, False)  # plain, no extension
idx(p("train_sq.idx.gz"), u8, 0x08, True, (len(u8), 4, 4))  # [n, 4, 4] images
idx(p("test.idx"), test, 0x0D, False)               # float IDX
idx(p("test64.idx.gz"), test, 0x0E, True)           # double IDX
npy(p("train.npy"), train)
npy(p("test.npy"), test)
npy(p("test_f8.npy"), test, "<f8")
npy(p("test_u8.npy"), to_u8(test), "|u1")
npy(p("test_img.npy"), test, shape=(len(test), 1, 4, 4))
with open(p("test.csv"), "w") as f:
    f.write(",".join("x%d" % i for i in range(16)) + "\n")
    for row in test:
        f.write(",".join("%.6f" % v for v in row) + "\n")
raw(p("test.f32"), test)
raw(p("small.raw"), test[:10])

# ref_ae_mse data: 12 values, unbounded
W2 = [[random.Random(99 + j).gauss(0, 1) for j in range(12)] for _ in range(2)]
tab = []
for _ in range(480):
    z = [rng.gauss(0, 1) for _ in range(2)]
    tab.append([math.tanh(z[0] * W2[0][j] + z[1] * W2[1][j]) * 2 + 0.5 for j in range(12)])
npy(p("tab.npy"), tab)
npy(p("tab_test.npy"), tab[:64])

# Bad inputs.
idx(p("wrong.idx.gz"), [[0] * 25] * 10, 0x08, True, (10, 5, 5))  # 25 values per sample
idx(p("labels.idx.gz"), [[1]] * 10, 0x08, True, (10,))           # a labels file
npy(p("wrong.npy"), [[0.0] * 15] * 10)
npy(p("wrong_dtype.npy"), [[0] * 16] * 10, "<i4")
npy(p("fortran.npy"), [[0.0] * 16] * 10, fortran=True)
with open(p("wrong.csv"), "w") as f:
    f.write("0.1,0.2,0.3\n")
with open(p("badnum.csv"), "w") as f:
    f.write(",".join(["0.5"] * 16) + "\n" + ",".join(["0.5"] * 15 + ["oops"]) + "\n")
raw(p("wrong.f32"), [[0.0] * 17])  # 68 bytes: not a multiple of 64
bad = [r[:] for r in test]; bad[3][5] = float("nan")
npy(p("nan.npy"), bad)
bad = [r[:] for r in test]; bad[7][0] = float("inf")
raw(p("inf.f32"), bad)
with open(p("nan.csv"), "w") as f:
    f.write(",".join(["0.5"] * 16) + "\n" + ",".join(["0.5"] * 15 + ["nan"]) + "\n")
data = open(p("test.npy"), "rb").read()
open(p("trunc.npy"), "wb").write(data[: len(data) - 100])
data = open(p("test.idx"), "rb").read()
open(p("trunc.idx"), "wb").write(data[:500])
data = open(p("train.idx.gz"), "rb").read()
open(p("trunc.idx.gz"), "wb").write(data[: len(data) // 2])
open(p("mystery.dat"), "wb").write(b"hello, this is not data\n")
open(p("empty.npy"), "wb").write(b"")
