#!/usr/bin/env python3
"""bf16 inference (aec build --weight-format bf16, issue 13.4) at every vector
width the host can run (AEC_VECTOR_WIDTHS, see width_matrix.py).

  bf16_check.py OUT FILE.ae MODEL

Per width: builds MODEL with --weight-format bf16, trains one epoch (f32) on
random data, exports the weights (.npz) and reconstructs 9 samples and 1 (the
batch-1 GEMV path, split over threads by column panels) with the bf16 weights
at --threads 1, 2, 3 and with --weight-format f32. Checks, against float64
NumPy forwards of the same dense layers:
  - the bf16 outputs are bit-identical at every thread count;
  - they match the reference whose weights are rounded to bf16 (nearest even)
    to float32 accuracy, and the f32 outputs match the unrounded reference;
  - they are measurably closer to the bf16 reference than to the unrounded
    one (fails if the bf16 weights were not used), and their distance to the
    unrounded reference is within the bound that follows from bf16's 8-bit
    significand: each weight is off by at most 2^-8 of itself, and a layer
    propagates input errors through |W| times the activation's Lipschitz
    constant (relu 1, sigmoid 1/4).
Prints one line per width and check; exits 1 on a failure.
"""
import os
import re
import subprocess
import sys

import numpy as np

U = 2.0 ** -8  # unit roundoff of bf16 (8 significant bits, round to nearest even)
F32_TOL = 2e-5  # float32 accumulation over a few hundred terms, outputs in (0, 1)


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> exit {r.returncode}\n{r.stdout}")
    return r.stdout


def to_bf16(w):
    """float32 -> bf16 (round to nearest even) -> float64."""
    u = np.ascontiguousarray(w, np.float32).view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return r.astype(np.uint32).view(np.float32).astype(np.float64)


ACTS = {"relu": (lambda z: np.maximum(z, 0), 1.0),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), 0.25),
        "linear": (lambda z: z, 1.0)}


def layers_of(path, model):
    """(name, activation) of every dense layer, from `aec show`."""
    text = run(["aec", "show", path, "--model", model])
    return re.findall(r"^(\w+)\s+dense \d+ (\w+)", text, re.M)


def forward(x, weights, layers, round_bf16):
    """float64 forward; also the error bound of the bf16 weights (first order)."""
    y, bound = x.astype(np.float64), np.zeros(x.shape)
    for name, act in layers:
        w = weights[f"{name}.weight"].astype(np.float64)  # PyTorch layout [out, in]
        wr = to_bf16(w) if round_bf16 else w
        z = y @ wr.T + weights[f"{name}.bias"]
        bound = ACTS[act][1] * (bound @ np.abs(w).T * (1 + U) + U * np.abs(y) @ np.abs(w).T)
        y = ACTS[act][0](z)
    return y, bound


def torch_names(npz, layers):
    """aec layer name -> the .npz arrays (Sequential indices, in order)."""
    keys = sorted({k.split(".")[0] for k in npz.files if k.endswith(".weight")}, key=int)
    return {f"{name}.{p}": npz[f"{k}.{p}"] for (name, _), k in zip(layers, keys)
            for p in ("weight", "bias")}


def check(out, path, model, name, cpu, rng):
    exe = os.path.join(out, f"{model}-{name}")
    text = run(["aec", "show", path, "--model", model])
    d = int(re.search(r"input \[(\d+)\]", text).group(1))
    data, nine, one = (os.path.join(out, f"{model}-{k}.npy") for k in ("train", "9", "1"))
    np.save(data, rng.random((64, d), dtype=np.float32))
    np.save(nine, rng.random((9, d), dtype=np.float32))
    np.save(one, rng.random((1, d), dtype=np.float32))
    run(["aec", "build", path, "--model", model, "--target-cpu", cpu, "--weight-format", "bf16",
         "-o", exe])
    results = []
    info = run([exe, "info"])
    results.append(("info says bf16", "weight-format=bf16" in info))
    run([exe, "train", "--data", data, "--save", exe + ".aew", "--quiet"])
    run([exe, "export", "--weights", exe + ".aew", "--out", exe + ".npz"])
    layers = layers_of(path, model)
    weights = torch_names(np.load(exe + ".npz"), layers)
    for inp, label in ((nine, "batch 9"), (one, "batch 1")):
        x = np.load(inp).astype(np.float64)
        got = {}
        for fmt, threads in (("bf16", 1), ("bf16", 2), ("bf16", 3), ("f32", 1)):
            o = f"{exe}.{label[-1]}.{fmt}.t{threads}.npy"
            run([exe, "reconstruct", "--weights", exe + ".aew", "--data", inp, "--threads",
                 str(threads), "--weight-format", fmt, "--out", o])
            got[(fmt, threads)] = np.load(o).astype(np.float64)
        b = got[("bf16", 1)]
        same = all(np.array_equal(b, got[("bf16", t)]) for t in (2, 3))
        ref_bf, _ = forward(x, weights, layers, True)
        ref_f, bound = forward(x, weights, layers, False)
        e_bf, e_f = np.abs(b - ref_bf).max(), np.abs(b - ref_f)
        e_f32 = np.abs(got[("f32", 1)] - ref_f).max()
        results += [(f"{label}: bf16 bit-identical at threads 1, 2, 3", same),
                    (f"{label}: bf16 = bf16-rounded reference ({e_bf:.1e})", e_bf <= F32_TOL),
                    (f"{label}: f32 = reference ({e_f32:.1e})", e_f32 <= F32_TOL),
                    (f"{label}: bf16 weights used ({e_f.max():.1e} vs {e_bf:.1e})",
                     e_f.max() > 10 * max(e_bf, 1e-7)),
                    (f"{label}: within the bf16 bound", bool((e_f <= bound + F32_TOL).all()))]
    return results


def main():
    out, path, model = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    spec = os.environ.get("AEC_VECTOR_WIDTHS", "sse=x86-64")
    widths = [tuple(w.split("=", 1)) for w in spec.split()]
    print("vector widths tested: " + " ".join(n for n, _ in widths), flush=True)
    rng = np.random.default_rng(7)
    failed = 0
    for name, cpu in widths:
        try:
            results = check(out, path, model, name, cpu, rng)
        except RuntimeError as e:
            results = [(str(e), False)]
        for what, ok in results:
            print(f"{name} bf16 {what}: {'ok' if ok else 'FAILED'}")
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
