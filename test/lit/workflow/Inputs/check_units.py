"""A history's val_loss is in the units of its training loss.
usage: check_units.py HISTORY.csv MIN_EPOCH
Every epoch's val_loss / loss lies in [1/4, 4] (a per-element loss next to a
per-sample one would be ~1/input_size off), and the lowest val_loss comes
after epoch MIN_EPOCH (the end of a KL warm-up)."""
import csv, sys

rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    ratio = float(r["val_loss"]) / float(r["loss"])
    assert 0.25 <= ratio <= 4, (r["epoch"], r["loss"], r["val_loss"])
best = min(rows, key=lambda r: float(r["val_loss"]))
assert int(best["epoch"]) > int(sys.argv[2]), best["epoch"]
print("units ok: %d epochs" % len(rows))
