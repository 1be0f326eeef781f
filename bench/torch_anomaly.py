#!/usr/bin/env python3
"""PyTorch peer of examples/anomaly/fashion_anomaly.ae, layer for layer:
784-256 relu, 256-64 relu, 64-16 linear code, 16-64 relu, 64-256 relu,
256-784 sigmoid; BCE averaged over the elements, Adam lr 1e-3, batch 64, up
to 30 epochs with the last partial batch dropped; 10% of the normal images
held out (early stopping after 5 epochs without a lower validation loss,
best weights restored); aec's initialization (kaiming uniform for relu
layers, xavier uniform otherwise, zero biases). The score is each test
image's mean squared reconstruction error; the threshold is the same
percentile of the normal training images' scores as `calibrate` uses.
usage: torch_anomaly.py DATADIR [percentile=95] [threads=1]"""
import os, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "anomaly"))
from anomaly_metrics import report  # noqa: E402


def layer(i, o, relu):
    lin = nn.Linear(i, o)
    (nn.init.kaiming_uniform_(lin.weight, nonlinearity="relu") if relu
     else nn.init.xavier_uniform_(lin.weight))
    nn.init.zeros_(lin.bias)
    return lin


def main():
    data = sys.argv[1]
    pct = float(sys.argv[2]) if len(sys.argv) > 2 else 95
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    x = np.load(os.path.join(data, "normal.npy"))
    perm = rng.permutation(len(x))
    nv = round(0.1 * len(x))
    xv, xtr = torch.from_numpy(x[perm[:nv]]), torch.from_numpy(x[perm[nv:]])
    net = nn.Sequential(layer(784, 256, True), nn.ReLU(), layer(256, 64, True), nn.ReLU(),
                        layer(64, 16, False), layer(16, 64, True), nn.ReLU(),
                        layer(64, 256, True), nn.ReLU(), layer(256, 784, False), nn.Sigmoid())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    best, best_state, wait, bs = float("inf"), None, 0, 64
    for epoch in range(30):
        net.train()
        order = torch.randperm(len(xtr))
        for i in range(0, len(xtr) - bs + 1, bs):
            b = xtr[order[i:i + bs]]
            opt.zero_grad()
            F.binary_cross_entropy(net(b), b).backward()
            opt.step()
        with torch.no_grad():
            v = F.binary_cross_entropy(net(xv), xv).item()
        if v < best:
            best, wait = v, 0
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        else:
            wait += 1
            if wait >= 5:
                break
    net.load_state_dict(best_state)
    with torch.no_grad():
        def scores(a):
            a = torch.from_numpy(a)
            return ((net(a) - a) ** 2).mean(dim=1).numpy()
        thr = np.percentile(scores(x), pct)
        st = scores(np.load(os.path.join(data, "test.npy")))
    report("pytorch", st, np.load(os.path.join(data, "test_labels.npy")), st > thr)


if __name__ == "__main__":
    main()
