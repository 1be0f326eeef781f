#!/usr/bin/env python3
"""Peer for examples/fashion_vae.ae in PyTorch (CPU), layer for layer:
784-512 relu, batchnorm, dropout 0.2, 512-256 relu, variational code 16 (mean
and log-variance heads), mirrored decoder (16-256 relu, 256-512 relu,
batchnorm, dropout 0.2, 512-784 sigmoid); loss per sample = BCE summed over
the 784 pixels + β·KL summed over the code, averaged over the batch (DESIGN
section 7); β = 1 with 5 epochs of linear warm-up (epoch e uses β·min(1, e/5));
Adam lr 1e-3 at a constant rate, batch 128, all 60000 training images.

Test metrics (eval mode: running batch-norm statistics, no dropout):
  test_loss / test_kl     z = mean (the deterministic inference path), β = 1
  test_elbo_sampled       -ELBO with one sampled z per image (fixed seed)
  test_mse                mean squared error per pixel of the reconstruction
usage: python3 bench/torch_vae.py [epochs=10] [threads=1] [batch=128] [train_limit=0 (all)]
"""
import gzip
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def images(split):
    name = "train" if split == "train" else "t10k"
    with gzip.open(f"{DATA}/{name}-images-idx3-ubyte.gz") as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, h * w).astype(np.float32) / 255


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.BatchNorm1d(512),
                                 nn.Dropout(0.2), nn.Linear(512, 256), nn.ReLU())
        self.mean, self.logvar = nn.Linear(256, 16), nn.Linear(256, 16)
        self.dec = nn.Sequential(nn.Linear(16, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                                 nn.BatchNorm1d(512), nn.Dropout(0.2), nn.Linear(512, 784))

    def forward(self, x, sample=True):
        h = self.enc(x)
        mu, lv = self.mean(h), self.logvar(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu) if sample else mu
        return self.dec(z), mu, lv  # decoder logits; the sigmoid is in the loss


def losses(logits, x, mu, lv):
    """Per-batch means of the summed-per-sample BCE and KL terms."""
    n = x.shape[0]
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
    kl = -0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp()) / n
    return rec, kl


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    bs = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    xtr, xte = torch.from_numpy(images("train")), torch.from_numpy(images("test"))
    if limit:
        xtr = xtr[:limit]
    m = VAE()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    n, warmup, beta = xtr.shape[0], 5, 1.0
    t0 = time.perf_counter()
    for ep in range(epochs):
        m.train()
        b = beta * min(1.0, ep / warmup)
        perm = torch.randperm(n)
        for i in range(0, n - bs + 1, bs):
            x = xtr[perm[i:i + bs]]
            logits, mu, lv = m(x)
            rec, kl = losses(logits, x, mu, lv)
            opt.zero_grad()
            (rec + b * kl).backward()
            opt.step()
        print(f"epoch {ep + 1} beta={b:.2f} train_loss={float(rec + b * kl):.3f}", flush=True)
    train_s = time.perf_counter() - t0
    m.eval()
    with torch.no_grad():
        logits, mu, lv = m(xte, sample=False)
        rec, kl = losses(logits, xte, mu, lv)
        mse = float(((torch.sigmoid(logits) - xte) ** 2).mean())
        torch.manual_seed(2)
        ls, mus, lvs = m(xte, sample=True)
        rs, ks = losses(ls, xte, mus, lvs)
    print(f"fashion_vae epochs={epochs} batch={bs} threads={threads} "
          f"train_samples_per_s={epochs * (n // bs) * bs / train_s:.0f} "
          f"test_loss={float(rec + kl):.3f} test_kl={float(kl):.3f} "
          f"test_elbo_sampled={float(rs + ks):.3f} test_mse={mse:.5f}")


if __name__ == "__main__":
    main()
