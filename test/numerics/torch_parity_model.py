#!/usr/bin/env python3
"""PyTorch parity of a generated dense model with batch norm (and dropout,
which must be inactive: run with a model whose dropout layers are absent, or
compare eval mode only). Reads model_dump's output (stdin or a file), rebuilds
the model in PyTorch (float64) from the same parameters and batch, and checks
within 1e-4 relative (abs 1e-6):
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
DENSE, BATCHNORM, DROPOUT = 0, 8, 9


def parse(lines):
    d = {"layers": [], "tensors": {}}
    for line in lines:
        f = line.split()
        if not f:
            continue
        if f[0] == "loss":
            d["loss"], d["input"] = int(f[1]), int(f[3])
        elif f[0] == "layer":
            d["layers"].append((int(f[1]), int(f[2]), int(f[3]), f[4]))
        elif f[0] == "tensor":
            d["tensors"][f[1]] = (int(f[2]), int(f[3]), [int(v) for v in f[4:]])
        elif f[0] == "objective":
            d["objective"] = float(f[1])
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

    mods, width, named = [], d["input"], []
    for kind, act, out, name in d["layers"]:
        if kind == DENSE:
            lin = nn.Linear(width, out).double()
            with torch.no_grad():
                lin.weight.copy_(tensor(name + ".weight").T)
                lin.bias.copy_(tensor(name + ".bias"))
            mods += [lin, ACTS[act]()]
            named.append((name + ".weight", lambda l=lin: l.weight.grad.T))
            named.append((name + ".bias", lambda l=lin: l.bias.grad))
        elif kind == BATCHNORM:
            bn = nn.BatchNorm1d(out).double()
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
        elif kind != DROPOUT:
            sys.exit(f"layer kind {kind} is not supported by this peer")
        width = out
    model = nn.Sequential(*mods)
    x = torch.tensor(d["x"].reshape(-1, d["input"]))
    model.train()
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
    with torch.no_grad():
        close("eval output", d["out"], model(x).numpy().reshape(-1))
    print("ok eval")


if __name__ == "__main__":
    main()
