#!/usr/bin/env python3
"""The scaling model of docs/scaling.md, from figures measured on this machine.

For each example: trainable parameters (so gradient bytes per step), and the
compute time of one training step at the model's batch measured here (one
process, all cores: one "node"). Then a ring all-reduce of the gradients
(2(P-1)/P * bytes / bandwidth + 2(P-1) * latency, not overlapped with the
backward pass) at 10 and 100 Gbit/s for 2..64 nodes, the efficiency
compute / (compute + all-reduce) with the model's batch on every node, and
the per-node batch needed for 80% efficiency.
usage: bench/scaling.py AEC_BIN_DIR STDLIB EXAMPLE.ae...   (prints Markdown)"""
import os, re, subprocess, sys, tempfile

import numpy as np

LATENCY = {10: 20e-6, 100: 5e-6}  # per message, seconds: TCP 10 GbE, RDMA 100 Gb
NODES = [2, 4, 8, 16, 32, 64]


def allreduce_s(nbytes, p, gbit):
    return 2 * (p - 1) / p * nbytes / (gbit * 1e9 / 8) + 2 * (p - 1) * LATENCY[gbit]


def measure(aec, stdlib, ae, work):
    exe = os.path.join(work, "m")
    subprocess.run([aec, "build", "--stdlib", stdlib, ae, "-o", exe], check=True)
    info = subprocess.run([exe, "info"], capture_output=True, text=True, check=True).stdout
    trainable = int(re.search(r"trainable=(\d+)", info).group(1))
    size = int(re.search(r" input=(\d+)", info).group(1))
    batch = int(re.search(r"batch=(\d+)", info).group(1))
    steps = max(8, 4000 // batch)
    x = np.random.default_rng(0).random((steps * batch, size), dtype=np.float32)
    data = os.path.join(work, "x.npy")
    np.save(data, x)
    out = subprocess.run([exe, "train", "--data", data, "--epochs", "2", "--save",
                          os.path.join(work, "w.aew")], capture_output=True, text=True,
                         check=True).stdout
    sps = float(re.search(r"samples_per_s=([0-9.]+)", out).group(1))
    return trainable, batch, batch / sps, sps


def main():
    aec, stdlib, examples = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for ae in examples:
            name = os.path.splitext(os.path.basename(ae))[0]
            rows.append((name,) + measure(os.path.join(aec, "aec"), stdlib, ae, work))
    print("| model | trainable params | gradient MB/step | batch | compute ms/step (here) |"
          + "".join(f" eff. {g}G P={p} |" for g in (10, 100) for p in (2, 8, 64))
          + " batch/node for 80% at 10G, P=64 |")
    print("|---" * 12 + "|")
    for name, params, batch, step_s, sps in rows:
        nbytes = 4 * params
        effs = [step_s / (step_s + allreduce_s(nbytes, p, g)) for g in (10, 100) for p in (2, 8, 64)]
        b80 = 4 * allreduce_s(nbytes, 64, 10) * sps
        print(f"| {name} | {params:,} | {nbytes / 1e6:.3f} | {batch} | {1e3 * step_s:.3f} |"
              + "".join(f" {100 * e:.0f}% |" for e in effs) + f" {b80:,.0f} |")


if __name__ == "__main__":
    main()
