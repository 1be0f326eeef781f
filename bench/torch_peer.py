"""PyTorch CPU peer of bench/run.sh: the workloads of ../shared/peers/torch_ae.py (same models,
loop and output line) plus the deep 784-1000-500-250-30 AE, and an optional cap on the number of
training samples (the quick mode). Kept in the repository so that the benchmark runs anywhere.
usage: python3 torch_peer.py mlp|conv|deep|tabular epochs batch threads [max_train_samples]"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

FMNIST = "/usr/share/datasets/fashion-mnist"


def images(split):
    name = "train" if split == "train" else "t10k"
    with gzip.open(f"{FMNIST}/{name}-images-idx3-ubyte.gz") as f:
        buf = f.read()
    n = int.from_bytes(buf[4:8], "big")
    return np.frombuffer(buf, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0


def tabular():
    """scikit-learn's bundled breast-cancer table (no download), standardized; 455 train rows."""
    from sklearn.datasets import load_breast_cancer
    x = load_breast_cancer().data.astype(np.float32)
    x = (x - x.mean(0)) / x.std(0)
    return x[:455], x[455:]


def dense(sizes, last):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        code = i == len(sizes) // 2 - 1
        if i == len(sizes) - 2:
            layers.append(last)
        elif not code:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def model(kind):
    if kind == "tabular":
        return nn.Sequential(nn.Linear(30, 16), nn.Tanh(), nn.Linear(16, 8), nn.Linear(8, 16),
                             nn.Tanh(), nn.Linear(16, 30)), (-1, 30)
    if kind == "mlp":
        return dense([784, 512, 128, 32, 128, 512, 784], nn.Sigmoid()), (-1, 784)
    if kind == "deep":
        return dense([784, 1000, 500, 250, 30, 250, 500, 1000, 784], nn.Sigmoid()), (-1, 784)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Upsample(scale_factor=2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.Upsample(scale_factor=2), nn.Conv2d(16, 1, 3, padding=1),
                         nn.Sigmoid()), (-1, 1, 28, 28)


def main():
    kind, epochs, bs, th = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(th)
    torch.manual_seed(0)
    xtr, xte = tabular() if kind == "tabular" else (images("train"), images("test"))
    if limit:
        xtr, xte = xtr[:limit], xte[:max(limit // 6, 1)]
    xtr, xte = torch.from_numpy(xtr), torch.from_numpy(xte)
    m, shape = model(kind)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    lossf = nn.MSELoss() if kind == "tabular" else nn.BCELoss()
    n = xtr.shape[0]
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n - bs + 1, bs):
            x = xtr[perm[i:i + bs]].view(shape)
            opt.zero_grad()
            loss = lossf(m(x), x)
            loss.backward()
            opt.step()
    train_s = time.perf_counter() - t0
    with torch.no_grad():
        rec = m(xte.view(shape)).view(xte.shape)
        mse = float(((rec - xte) ** 2).mean())
        x1, ts = xte[:1].view(shape), []
        runs = 500 if limit else 2000
        for _ in range(200):
            m(x1)
        for _ in range(runs):
            t = time.perf_counter()
            m(x1)
            ts.append(time.perf_counter() - t)
        lat_us = float(np.median(ts)) * 1e6
    print(f"{kind} epochs={epochs} batch={bs} threads={th} "
          f"train_samples_per_s={epochs * (n // bs) * bs / train_s:.0f} test_mse={mse:.5f} "
          f"infer_batch1_us={lat_us:.1f}")


main()
