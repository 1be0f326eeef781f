"""Checks the lr column of a --log history against the schedule's formula.
usage: check_lr.py HISTORY.csv BASE_LR EPOCHS WARMUP KIND [F N]
KIND: none | cosine | step | plateau (plateau replays the val_loss column:
one reduction by F after N epochs without a lower validation loss).
Prints `lr ok: E epochs` or the first mismatch (exit 1)."""
import csv, math, sys

path, base, epochs, warmup, kind = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
f = float(sys.argv[6]) if len(sys.argv) > 6 else 0
n = int(sys.argv[7]) if len(sys.argv) > 7 else 0
rows = list(csv.DictReader(open(path)))
scale, best, wait = 1.0, math.inf, 0
for r in rows:
    e = int(r["epoch"]) - 1
    if e < warmup:
        want = base * (e + 1) / warmup
    elif kind == "cosine":
        want = base * 0.5 * (1 + math.cos(math.pi * (e - warmup) / (epochs - warmup)))
    elif kind == "step":
        want = base * f ** ((e - warmup) // n)
    elif kind == "plateau":
        want = base * scale
    else:
        want = base
    got = float(r["lr"])
    if abs(got - want) > 1e-6 * abs(want) + 1e-12:
        sys.exit("epoch %d: lr %r, expected %r" % (e + 1, got, want))
    if kind == "plateau":
        v = float(r["val_loss"])
        if v < best:
            best, wait = v, 0
        else:
            wait += 1
            if wait >= n:
                scale, wait = scale * f, 0
print("lr ok: %d epochs" % len(rows))
