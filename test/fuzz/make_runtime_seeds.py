"""Seed corpora for the runtime reader fuzzers (test/fuzz/runtime_fuzzer.c).
usage: make_runtime_seeds.py OUTDIR CHECKPOINT...
Writes OUTDIR/<reader>/ for npy, idx, csv, raw, gzip and aew: small valid
files of each format (several dtypes, ranks, headers), a few broken ones,
and for aew the bodies of the given checkpoints (the target adds the
header and CRC)."""
import gzip, os, struct, sys

out, ckpts = sys.argv[1], sys.argv[2:]


def put(reader, name, data):
    d = os.path.join(out, reader)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)


def npy(descr, shape, data, version=1):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h = h.encode()
    pre = 10 if version == 1 else 12
    h += b" " * ((64 - (pre + len(h) + 1) % 64) % 64) + b"\n"
    size = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + size + h + data


vals = [i / 17.0 for i in range(32)]
f4 = struct.pack("<32f", *vals)
seeds_npy = {
    "f4.npy": npy("<f4", "(2, 16)", f4),
    "f8.npy": npy("<f8", "(2, 4, 4)", struct.pack("<32d", *vals)),
    "u1.npy": npy("|u1", "(4, 8)", bytes(range(32))),
    "v2.npy": npy("<f4", "(1, 32)", f4, version=2),
    "scalar.npy": npy("<f4", "()", f4[:4]),
    "fortran.npy": npy("<f4", "(2, 16)", f4).replace(b"False", b"True "),
}
for k, v in seeds_npy.items():
    put("npy", k, v)


def idx(code, shape, payload):
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


seeds_idx = {
    "u8.idx": idx(0x08, (2, 4, 4), bytes(range(32))),
    "f32.idx": idx(0x0D, (2, 16), struct.pack(">32f", *vals)),
    "f64.idx": idx(0x0E, (4, 8), struct.pack(">32d", *vals)),
    "i16.idx": idx(0x0B, (2, 16), struct.pack(">32h", *range(32))),
    "i32.idx": idx(0x0C, (1, 32), struct.pack(">32i", *range(32))),
    "labels.idx": idx(0x08, (32,), bytes(range(32))),
}
for k, v in seeds_idx.items():
    put("idx", k, v)
csv = "\n".join(",".join("%g" % v for v in vals[i * 16:(i + 1) * 16]) for i in range(2)) + "\n"
put("csv", "plain.csv", b"\x0f\n" + csv.encode())  # first byte: sample size 16
put("csv", "header.csv", b"\x0f,b\n# comment\n\n" + csv.replace(",", ";").encode())
put("csv", "tabs.csv", b"\x0f\n" + csv.replace(",", "\t").encode())
put("raw", "two.f32", b"\x0f" + f4[1:])
put("raw", "odd.f32", f4[:13])
for k, v in list(seeds_npy.items())[:3] + list(seeds_idx.items())[:3]:
    put("gzip", k + ".gz", gzip.compress(v))
    put("gzip", k, v)
put("gzip", "trunc.gz", gzip.compress(seeds_idx["u8.idx"])[:-6])
for i, c in enumerate(ckpts):
    d = open(c, "rb").read()
    put("aew", "body%d" % i, d[16:-4])
print("seeds in", out)
