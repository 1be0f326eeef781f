#!/usr/bin/env python3
"""PyTorch parity of the issue-7 references (test/numerics/ref_layers.c).

Builds ref_layers.c into a shared library with `cc`, then compares, in
float64 from identical inputs and weights, within 1e-4 relative:
  - BatchNorm1d / BatchNorm2d in training mode: output, input/scale/shift
    gradients, running mean and variance after one step (momentum 0.1,
    unbiased running variance); eval mode with those running statistics;
  - inverted dropout: F.dropout's output against x·mask/(1-p) with its mask;
  - the VAE loss with a fixed ε (z = mu + exp(logvar/2)·ε, a linear decoder,
    bce-with-logits and mse summed per sample, β·KL, averaged over the batch)
    and its gradients with respect to mu and logvar.
Prints `ok <name>` per check; exit 1 on a mismatch.
usage: torch_parity_ref.py WORKDIR
"""
import ctypes
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-4


def build(workdir):
    lib = os.path.join(workdir, "libref_layers.so")
    subprocess.check_call(["cc", "-std=c11", "-O1", "-shared", "-fPIC",
                           os.path.join(HERE, "ref_layers.c"), "-lm", "-o", lib])
    return ctypes.CDLL(lib)


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def close(name, got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    err = np.max(np.abs(got - want) / (np.abs(want) + 1e-8)) if want.size else 0.0
    if not np.allclose(got, want, rtol=TOL, atol=1e-9):
        print(f"FAIL {name}: max relative error {err:.3g}")
        sys.exit(1)


def batchnorm(lib, name, shape):
    rng = np.random.default_rng(3)
    n, C = shape[0], shape[1]
    S = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    x = rng.normal(0.5, 2.0, size=shape)
    gamma, beta = rng.normal(1.0, 0.3, size=C), rng.normal(0.0, 0.3, size=C)
    r = rng.normal(size=shape)

    bn = (torch.nn.BatchNorm1d(C) if len(shape) < 4 else torch.nn.BatchNorm2d(C)).double()
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    bn.train()
    yt = bn(xt)
    (yt * torch.from_numpy(r)).sum().backward()

    xc = np.ascontiguousarray(x)
    y, dx = np.zeros_like(xc), np.zeros_like(xc)
    mean, var, dg, db = (np.zeros(C) for _ in range(4))
    lib.ref_bn_train_forward(n, C, S, ptr(xc), ptr(gamma), ptr(beta), ctypes.c_double(1e-5),
                             ptr(y), ptr(mean), ptr(var))
    rc = np.ascontiguousarray(r)
    lib.ref_bn_backward(n, C, S, ptr(xc), ptr(gamma), ptr(mean), ptr(var),
                        ctypes.c_double(1e-5), ptr(rc), ptr(dx), ptr(dg), ptr(db))
    close(name + " forward", y, yt.detach().numpy())
    close(name + " dx", dx, xt.grad.numpy())
    close(name + " dgamma", dg, bn.weight.grad.numpy())
    close(name + " dbeta", db, bn.bias.grad.numpy())

    rm, rv = np.zeros(C), np.ones(C)
    lib.ref_bn_update_running(C, ctypes.c_int64(n * S), ptr(mean), ptr(var),
                              ctypes.c_double(0.1), ptr(rm), ptr(rv))
    close(name + " running_mean", rm, bn.running_mean.numpy())
    close(name + " running_var", rv, bn.running_var.numpy())

    bn.eval()
    with torch.no_grad():
        ye = bn(torch.from_numpy(x.copy())).numpy()
    y2 = np.zeros_like(xc)
    lib.ref_bn_eval_forward(n, C, S, ptr(xc), ptr(gamma), ptr(beta), ptr(rm), ptr(rv),
                            ctypes.c_double(1e-5), ptr(y2))
    close(name + " eval", y2, ye)
    print(f"ok {name}")


def dropout(lib):
    torch.manual_seed(5)
    x = torch.randn(64, 32, dtype=torch.float64)
    p = 0.2
    y = F.dropout(x, p=p, training=True)
    mask = (y != 0).numpy().astype(np.uint8)
    xc, out = np.ascontiguousarray(x.numpy()), np.zeros((64, 32))
    lib.ref_dropout_forward(ctypes.c_int64(x.numel()), ptr(xc), ptr(mask), ctypes.c_double(p),
                            ptr(out))
    close("dropout forward", out, y.numpy())
    print("ok dropout")


def vae(lib, name, bce, beta):
    rng = np.random.default_rng(11)
    n, K, D = 6, 4, 9
    mu, lv = rng.normal(size=(n, K)), rng.normal(-0.3, 0.5, size=(n, K))
    eps = rng.normal(size=(n, K))
    W, b = rng.normal(0, 0.5, size=(K, D)), rng.normal(0, 0.1, size=D)
    x = rng.uniform(0, 1, size=(n, D))

    mut = torch.from_numpy(mu.copy()).requires_grad_(True)
    lvt = torch.from_numpy(lv.copy()).requires_grad_(True)
    z = mut + torch.exp(0.5 * lvt) * torch.from_numpy(eps)
    a = z @ torch.from_numpy(W) + torch.from_numpy(b)
    xt = torch.from_numpy(x)
    rec = (F.binary_cross_entropy_with_logits(a, xt, reduction="sum") if bce
           else F.mse_loss(a, xt, reduction="sum")) / n
    kl = -0.5 * torch.sum(1 + lvt - mut.pow(2) - lvt.exp()) / n
    loss = rec + beta * kl
    loss.backward()

    zc = np.zeros((n, K))
    lib.ref_vae_sample(n, K, ptr(mu), ptr(lv), ptr(eps), ptr(zc))
    ac = np.ascontiguousarray(zc @ W + b)
    da = np.zeros((n, D))
    fn = lib.ref_recon_bce_logits if bce else lib.ref_recon_mse
    fn.restype = ctypes.c_double
    lib.ref_vae_kl.restype = ctypes.c_double
    rec_ref = fn(n, D, ptr(x), ptr(ac), ptr(da))
    kl_ref = lib.ref_vae_kl(n, K, ptr(mu), ptr(lv), ctypes.c_double(beta))
    dz = np.ascontiguousarray(da @ W.T)
    dmu, dlv = np.zeros((n, K)), np.zeros((n, K))
    lib.ref_vae_backward(n, K, ptr(mu), ptr(lv), ptr(eps), ptr(dz), ctypes.c_double(beta),
                         ptr(dmu), ptr(dlv))
    close(name + " loss", rec_ref + kl_ref, loss.item())
    close(name + " kl", kl_ref, beta * kl.item())
    close(name + " dmu", dmu, mut.grad.numpy())
    close(name + " dlogvar", dlv, lvt.grad.numpy())
    print(f"ok {name}")


def main():
    lib = build(sys.argv[1] if len(sys.argv) > 1 else ".")
    batchnorm(lib, "batchnorm1d", (8, 5))
    batchnorm(lib, "batchnorm2d", (4, 3, 5, 5))
    batchnorm(lib, "batchnorm1d-series", (3, 4, 7))
    dropout(lib)
    vae(lib, "vae-bce", True, 1.0)
    vae(lib, "vae-mse", False, 0.5)


if __name__ == "__main__":
    main()
