#!/usr/bin/env python3
"""PyTorch parity of a generated model with batch norm or layer norm (dense, conv 2-D,
upsample, views; no active dropout) or a variational code (given the step's
ε: model_dump's `eps` row). Reads model_dump's output (stdin or a file),
rebuilds the model in PyTorch (float64) from the same parameters and batch,
and checks within 1e-4 relative (abs 1e-6):
  train mode: the objective, every parameter gradient, the batch-norm running
              mean and variance after the step (momentum 0.1, unbiased variance);
  eval mode:  the reconstruction with the updated running statistics.
Prints `ok train`, `ok eval`; exit 1 on a mismatch.
usage: model_dump | torch_parity_model.py"""
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTS = {0: nn.Identity, 1: nn.ReLU, 2: lambda: nn.LeakyReLU(0.01), 3: nn.Sigmoid,
        4: nn.Tanh, 5: nn.ELU}
DENSE, CONV2D, UPSAMPLE, FLATTEN, RESHAPE, BATCHNORM, DROPOUT, LAYERNORM = 0, 1, 5, 6, 7, 8, 9, 10


class View(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.reshape(x.shape[0], *self.dims)


def parse(lines):
    d = {"layers": [], "tensors": {}}
    for line in lines:
        f = line.split()
        if not f:
            continue
        if f[0] == "loss":
            d["loss"], d["input"], d["dims"] = int(f[1]), int(f[3]), [int(v) for v in f[4:]]
        elif f[0] == "layer":
            d["layers"].append((int(f[1]), int(f[2]), int(f[3]), f[4], [int(v) for v in f[5:]]))
        elif f[0] == "tensor":
            d["tensors"][f[1]] = (int(f[2]), int(f[3]), [int(v) for v in f[4:]])
        elif f[0] in ("objective", "kl_beta"):
            d[f[0]] = float(f[1])
        else:
            d[f[0]] = np.array([float(v) for v in f[1:]], dtype=np.float64)
    return d


def fail(what, got, want):
    err = np.max(np.abs(got - want) / (np.abs(want) + 1e-6))
    print(f"FAIL {what}: max relative error {err:.3g}")
    sys.exit(1)


def close(what, got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-6):
        fail(what, got, want)


def main():
    d = parse(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
    T, p = d["tensors"], d["param"]

    def tensor(name, src=p):
        off, size, dims = T[name]
        return torch.tensor(src[off:off + size].reshape(dims))

    mods, width, named, dims = [], d["input"], [], d["dims"]
    heads = None  # a variational code: (index in mods where the decoder starts, logvar head)
    for kind, act, out, name, odims in d["layers"]:
        if kind == CONV2D:
            w = tensor(name + ".weight")
            k = w.shape[2]
            stride = -(-dims[1] // odims[1])
            conv = nn.Conv2d(w.shape[1], w.shape[0], k, stride=stride, padding=k // 2).double()
            with torch.no_grad():
                conv.weight.copy_(w)
                conv.bias.copy_(tensor(name + ".bias"))
            mods += [conv, ACTS[act]()]
            named.append((name + ".weight", lambda l=conv: l.weight.grad))
            named.append((name + ".bias", lambda l=conv: l.bias.grad))
        elif kind == UPSAMPLE:
            mods.append(nn.Upsample(scale_factor=odims[1] // dims[1], mode="nearest"))
        elif kind in (FLATTEN, RESHAPE):
            mods.append(View(odims))
        elif kind == DENSE and name + ".logvar.weight" in T:
            mean, logvar = nn.Linear(width, out).double(), nn.Linear(width, out).double()
            for lin, pre in ((mean, name), (logvar, name + ".logvar")):
                with torch.no_grad():
                    lin.weight.copy_(tensor(pre + ".weight").T)
                    lin.bias.copy_(tensor(pre + ".bias"))
                named.append((pre + ".weight", lambda l=lin: l.weight.grad.T))
                named.append((pre + ".bias", lambda l=lin: l.bias.grad))
            mods.append(mean)
            heads = (len(mods), logvar)
        elif kind == DENSE:
            lin = nn.Linear(width, out).double()
            with torch.no_grad():
                lin.weight.copy_(tensor(name + ".weight").T)
                lin.bias.copy_(tensor(name + ".bias"))
            mods += [lin, ACTS[act]()]
            named.append((name + ".weight", lambda l=lin: l.weight.grad.T))
            named.append((name + ".bias", lambda l=lin: l.bias.grad))
        elif kind == BATCHNORM:  # per feature ([C]) or per channel ([C, ...])
            bn = (nn.BatchNorm2d if len(odims) == 3 else nn.BatchNorm1d)(odims[0]).double()
            with torch.no_grad():
                bn.weight.copy_(tensor(name + ".gamma"))
                bn.bias.copy_(tensor(name + ".beta"))
                bn.running_mean.copy_(tensor(name + ".running_mean"))
                bn.running_var.copy_(tensor(name + ".running_var"))
            mods.append(bn)
            named.append((name + ".gamma", lambda b=bn: b.weight.grad))
            named.append((name + ".beta", lambda b=bn: b.bias.grad))
            named.append((name + ".running_mean", lambda b=bn: b.running_mean))
            named.append((name + ".running_var", lambda b=bn: b.running_var))
        elif kind == LAYERNORM:  # per sample over all of its features
            ln = nn.LayerNorm(odims, eps=1e-5).double()
            with torch.no_grad():
                ln.weight.copy_(tensor(name + ".gamma").reshape(odims))
                ln.bias.copy_(tensor(name + ".beta").reshape(odims))
            mods.append(ln)
            named.append((name + ".gamma", lambda l=ln: l.weight.grad.reshape(-1)))
            named.append((name + ".beta", lambda l=ln: l.bias.grad.reshape(-1)))
        elif kind != DROPOUT:
            sys.exit(f"layer kind {kind} is not supported by this peer")
        width, dims = out, odims
    model = nn.Sequential(*mods)
    x = torch.tensor(d["x"].reshape(-1, *d["dims"]))
    model.train()
    if heads:  # the ELBO step with aec's ε: recon summed per sample + β·KL, batch mean
        k, logvar = heads
        h = model[:k - 1](x)
        mu, lv = model[k - 1](h), logvar(h)
        eps = torch.tensor(d["eps"].reshape(mu.shape))
        y = model[k:](mu + torch.exp(0.5 * lv) * eps)
        n = x.shape[0]
        rec = (F.mse_loss(y, x, reduction="sum") if d["loss"] == 0
               else F.binary_cross_entropy(y, x, reduction="sum")) / n
        loss = rec + d["kl_beta"] * (-0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp()) / n)
    else:
        y = model(x)
        loss = F.mse_loss(y, x) if d["loss"] == 0 else F.binary_cross_entropy(y, x)
    loss.backward()
    close("objective", d["objective"], loss.item() * x.shape[0])
    for name, value in named:
        off, size, _ = T[name]
        got = d["param_after" if "running" in name else "grad"][off:off + size]
        close(name, got, value().detach().numpy().reshape(-1))
    print("ok train")
    model.eval()
    with torch.no_grad():  # inference: z = the mean
        close("eval output", d["out"], model(x).numpy().reshape(-1))
    print("ok eval")


if __name__ == "__main__":
    main()
