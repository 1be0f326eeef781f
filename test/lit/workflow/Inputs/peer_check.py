"""bench/torch_anomaly.py replays aec's random numbers: on peer_small.ae its
PyTorch model starts from aec's weights bit for bit and, trained with aec's
split and batch order, ends within float noise of aec's checkpoint (another
seed's order would end far from it).
usage: peer_check.py BENCH_DIR DATA.npy INIT.npz TRAINED.npz SEED
INIT.npz: aec's weights after one epoch at lr 1e-30 (the initial weights);
TRAINED.npz: after the model's own training."""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import torch_anomaly as ta  # noqa: E402

SPEC = [("enc1", 20, 8, "relu"), ("code", 8, 4, "linear"), ("dec1", 4, 8, "relu"),
        ("dec2", 8, 20, "sigmoid")]
x = np.load(sys.argv[2])
init, trained, seed = np.load(sys.argv[3]), np.load(sys.argv[4]), int(sys.argv[5])
keys = ["0", "2", "3", "5"]  # export's PyTorch indices of the Linear layers
for (w, b), k in zip(ta.aec_init(SPEC, seed), keys):
    assert np.array_equal(init[k + ".weight"], w), k
    assert np.abs(init[k + ".bias"]).max() < 1e-20, k


def gap(net):
    sd = net.state_dict()
    return max(float(np.abs(trained[f"{k}.{p}"] - sd[f"{k}.{p}"].numpy()).max())
               for k in keys for p in ("weight", "bias"))


kw = dict(epochs=3, batch=16, lr=1e-2, validation=0.2, early_stop=5, max_batch=16)
same = gap(ta.train(x, SPEC, seed, **kw))
other = gap(ta.train(x, SPEC, seed + 1, **kw))
assert same < 1e-4, same
assert other > 100 * same, (same, other)
print("peer ok: init identical, trained weights within %.1e (another seed: %.1e)" % (same, other))
