"""The units of `eval` on a normalized model.
usage: eval_units.py REC.npy DATA.csv TRAIN.csv EVAL_STDOUT
mse= is the mean squared error of reconstruct's output (data units) against
DATA; loss= (an mse model) the same error after standardizing both with
TRAIN's column statistics (mean, population sd): the network's units, those
of the training loss and the history's val_loss."""
import ast, math, re, struct, sys

raw = open(sys.argv[1], "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
n, k = ast.literal_eval(raw[10:10 + hl].decode())["shape"]
rec = struct.unpack("<%df" % (n * k), raw[10 + hl:10 + hl + 4 * n * k])
read = lambda p: [[float(v) for v in line.split(",")] for line in open(p) if line.strip()]
data, train = read(sys.argv[2]), read(sys.argv[3])
mean = [sum(r[j] for r in train) / len(train) for j in range(k)]
sd = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in train) / len(train)) for j in range(k)]
se = sum((rec[i * k + j] - data[i][j]) ** 2 for i in range(n) for j in range(k)) / (n * k)
sn = sum(((rec[i * k + j] - data[i][j]) / sd[j]) ** 2 for i in range(n) for j in range(k)) / (n * k)
out = open(sys.argv[4]).read()
mse, loss = (float(re.search(r"\b%s=([0-9.e+-]+)" % w, out).group(1)) for w in ("mse", "loss"))
assert abs(mse - se) <= 1e-3 * se, ("mse= is not in data units", mse, se)
assert abs(loss - sn) <= 1e-3 * sn, ("loss= is not in normalized units", loss, sn)
print("eval units ok: mse=%g (data) loss=%g (normalized)" % (mse, loss))
