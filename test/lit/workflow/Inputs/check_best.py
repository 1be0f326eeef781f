"""Early stopping against its history.
usage: check_best.py HISTORY.csv TRAIN_STDOUT EVAL_STDOUT PATIENCE
The summary's best_epoch= is the epoch of the lowest val_loss, training
stopped PATIENCE epochs after it, and the checkpoint's loss on the
validation data (eval) is that epoch's val_loss: the best weights were
restored."""
import csv, re, sys

rows = list(csv.DictReader(open(sys.argv[1])))
summary = open(sys.argv[2]).read()
evalout = open(sys.argv[3]).read()
patience = int(sys.argv[4])
best = min(rows, key=lambda r: float(r["val_loss"]))
said = int(re.search(r"best_epoch=(\d+)", summary).group(1))
assert said == int(best["epoch"]), (said, best["epoch"])
last = int(rows[-1]["epoch"])
assert last == said + patience, (last, said, patience)
loss = float(re.search(r"loss=([0-9.e+-]+)", evalout).group(1))
want = float(best["val_loss"])
assert abs(loss - want) <= 2e-5 * abs(want), (loss, want)
assert abs(float(rows[-1]["val_loss"]) - want) > 1e-7 * want, "last epoch equals best: test is vacuous"
print("best ok: epoch %d of %d, loss %s" % (said, last, loss))
