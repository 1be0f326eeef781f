"""Replays every input the runtime reader fuzzers ever failed on
(test/lit/fuzz-regressions/runtime/<reader>/*, see scripts/fuzz-runtime.sh)
through a real program, ref_ae: each must end with exit status 0 or 1 --
never a crash, a sanitizer report or a hang.
usage: runtime_regressions.py REGRESSION_DIR SCRATCH_DIR"""
import os, struct, subprocess, sys, zlib

src, tmp = sys.argv[1], sys.argv[2]
os.makedirs(tmp, exist_ok=True)
weights = os.path.join(tmp, "w.aew")
data = os.path.join(tmp, "d.npy")
# A valid 16-value model input and checkpoint to pair each input with.
h = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 16), }"
h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
open(data, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + struct.pack("<32f", *[0.5] * 32))
subprocess.check_call(["ref_ae", "train", "--data", data, "--epochs", "1", "--save", weights],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

ext = {"npy": ".npy", "idx": ".idx", "csv": ".csv", "raw": ".f32", "gzip": ".gz", "aew": ".aew"}
count = bad = 0
for reader in sorted(os.listdir(src)) if os.path.isdir(src) else []:
    for name in sorted(os.listdir(os.path.join(src, reader))):
        blob = open(os.path.join(src, reader, name), "rb").read()
        path = os.path.join(tmp, "input" + ext[reader])
        if reader == "aew":  # the fuzzer's input is a body: add header and CRC
            blob = b"AEW1" + struct.pack("<IQ", 1, len(blob)) + blob + struct.pack("<I", zlib.crc32(blob))
        open(path, "wb").write(blob)
        args = ["eval", "--weights", path, "--data", data] if reader == "aew" else \
               ["eval", "--weights", weights, "--data", path]
        try:
            rc = subprocess.run(["ref_ae"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                timeout=60).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        count += 1
        if rc not in (0, 1):
            bad += 1
            print("FAILED: %s/%s: exit %s" % (reader, name, rc))
print("runtime regressions: %d inputs, %d failed" % (count, bad))
sys.exit(1 if bad else 0)
