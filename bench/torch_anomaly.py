#!/usr/bin/env python3
"""PyTorch peer of examples/anomaly/fashion_anomaly.ae: the same model and the
same training recipe, started from the same numbers as aec for each seed.
Model: 784-256 relu, 256-64 relu, 64-16 linear code, 16-64 relu, 64-256 relu,
256-784 sigmoid; BCE averaged over the elements (computed from the logits, as
aec's fused sigmoid+BCE does), Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8, bias
corrected: aec's kernel), batch 64, up to 30 epochs, the last partial batch
dropped; early stopping after 5 epochs without a lower validation loss, best
weights restored. For seed S this script replays aec's own random numbers
(runtime/src/rng.c: xoshiro256** seeded through splitmix64), so both sides
start from bit-identical weights (init.c: kaiming uniform for relu layers,
xavier uniform otherwise, zero biases, one stream per tensor), hold out the
same 10% (data_split.c) and see the same batches in the same order
(cli_train.c's Fisher-Yates); only the floating-point arithmetic differs.
The score is each image's mean squared reconstruction error in [0, 1] pixel
units (score.c); the threshold is the same percentile of the normal images'
scores as `calibrate` (numpy.percentile's linear interpolation).
usage: torch_anomaly.py DATADIR [--seeds 1,2,3] [--percentile 95] [--threads 1]
                        [--results FILE]   (appends as anomaly_metrics.py --results does)"""
import argparse, math, os, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "anomaly"))
from anomaly_metrics import add_result, report  # noqa: E402

M64 = (1 << 64) - 1
GOLDEN = 0x9e3779b97f4a7c15

# name, inputs, outputs, activation: fashion_anomaly.ae with `decoder mirror` expanded.
ANOMALY = [("enc1", 784, 256, "relu"), ("enc2", 256, 64, "relu"), ("code", 64, 16, "linear"),
           ("dec1", 16, 64, "relu"), ("dec2", 64, 256, "relu"), ("dec3", 256, 784, "sigmoid")]


def mix64(x):  # aec_rt_mix64
    x = (x + GOLDEN) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


class AecRng:
    """aec_rng: xoshiro256** seeded through splitmix64."""

    def __init__(self, seed):
        x, self.s = seed & M64, []
        for _ in range(4):
            x = (x + GOLDEN) & M64
            self.s.append(mix64(x))
        if not any(self.s):
            self.s[0] = 1

    def next(self):
        s0, s1, s2, s3 = self.s
        r = (s1 * 5) & M64
        r = ((((r << 7) | (r >> 57)) & M64) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return r

    def below(self, bound):
        if bound <= 1:
            return 0
        limit = M64 - M64 % bound
        while True:
            x = self.next()
            if x < limit:
                return x % bound

    def shuffled(self, n):  # the epoch order of cli_train.c
        perm = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        return perm


def name_hash(name):  # FNV-1a, init.c
    h = 0xcbf29ce484222325
    for c in name.encode():
        h = ((h ^ c) * 0x100000001b3) & M64
    return h


def aec_init(spec, seed):
    """init.c's weights for dense layers [(name, in, out, act)]: W as [out, in] (PyTorch), b."""
    params = []
    for name, fan_in, fan_out, act in spec:
        relu = act in ("relu", "leaky_relu", "elu")
        bound = math.sqrt(6.0 / (fan_in if relu else fan_in + fan_out))
        r = AecRng(seed ^ name_hash(name + ".weight"))
        u = np.array([r.next() >> 40 for _ in range(fan_in * fan_out)], dtype=np.float64) / 16777216.0
        w = ((2.0 * u - 1.0) * bound).astype(np.float32).reshape(fan_in, fan_out)  # aec: [in][out]
        params.append((np.ascontiguousarray(w.T), np.zeros(fan_out, dtype=np.float32)))
    return params


def aec_split(n, fraction, seed):
    """data_split.c: (training rows, held-out rows), both in the file's order."""
    nv = min(max(int(math.floor(fraction * n + 0.5)), 1), n - 1)
    held = set(AecRng(mix64(seed ^ 0x7a11da7e)).shuffled(n)[:nv])
    return [i for i in range(n) if i not in held], sorted(held)


def make_net(spec, params):
    """The layers with aec's numbers; the last one yields logits (sigmoid applied by the caller)."""
    mods = []
    for (name, fan_in, fan_out, act), (w, b) in zip(spec, params):
        lin = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if act == "relu":
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


def train(x, spec, seed, epochs=30, batch=64, lr=1e-3, validation=0.1, early_stop=5, max_batch=64,
          log=None, info=None):
    """cli_train.c's recipe in PyTorch; returns the network with the best epoch's weights
    (info, a dict, gets the epochs run and the best epoch).
    max_batch: the model's (`aec info`); each step draws one noise seed per max_batch rows from the
    shuffling stream (train_step.c), so the next epoch's order depends on it."""
    net = make_net(spec, aec_init(spec, seed))
    tr, va = aec_split(len(x), validation, seed)
    xtr, xv = torch.from_numpy(x[tr]), torch.from_numpy(x[va])
    rng = AecRng(mix64(seed ^ 0x5eed))
    opt = torch.optim.Adam(net.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    n, bs = len(xtr), min(batch, len(xtr))
    best, best_state, wait, best_epoch, ran = float("inf"), None, 0, 0, 0
    for epoch in range(epochs):
        ran = epoch + 1
        order = torch.tensor(rng.shuffled(n))
        total = 0.0
        for st in range(n // bs):
            b = xtr[order[st * bs:(st + 1) * bs]]
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(net(b), b)
            loss.backward()
            opt.step()
            total += loss.item()
            for _ in range(-(-bs // max_batch)):
                rng.next()
        with torch.no_grad():
            v = F.binary_cross_entropy(torch.sigmoid(net(xv)), xv).item()
        if log:
            log(epoch + 1, total / (n // bs), v)
        if v < best:
            best, wait, best_epoch = v, 0, epoch + 1
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        else:
            wait += 1
            if wait >= early_stop:
                break
    net.load_state_dict(best_state)
    if info is not None:
        info.update(epochs=ran, best_epoch=best_epoch)
    return net


def scores(net, a):
    with torch.no_grad():
        a = torch.from_numpy(a)
        return ((torch.sigmoid(net(a)) - a) ** 2).mean(dim=1).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--percentile", type=float, default=95)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--results")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    x = np.load(os.path.join(a.data, "normal.npy"))
    xt = np.load(os.path.join(a.data, "test.npy"))
    labels = np.load(os.path.join(a.data, "test_labels.npy"))
    for seed in [int(s) for s in a.seeds.split(",")]:
        info = {}
        net = train(x, ANOMALY, seed, info=info)
        thr = np.percentile(scores(net, x), a.percentile)
        st = scores(net, xt)
        metrics = report(f"pytorch seed={seed}", st, labels, st > thr)
        if a.results:
            add_result(a.results, "pytorch", seed, metrics, info["epochs"], info["best_epoch"])


if __name__ == "__main__":
    main()
