#!/usr/bin/env python3
"""Packed inference weights (aec build --weight-format bf16|int8, issue 13.4)
at every vector width the host can run (AEC_VECTOR_WIDTHS, see
width_matrix.py).

  weight_format_check.py OUT FILE.ae MODEL FORMAT

Per width: builds MODEL with --weight-format FORMAT, trains one epoch (f32) on
random data, exports the weights (.npz) and reconstructs 9 samples and 1 (the
batch-1 GEMV path, split over threads by column panels) with the packed
weights at --threads 1, 2, 3 and with --weight-format f32. Checks, against
float64 NumPy forwards of the same dense layers:
  - the packed outputs are bit-identical at every thread count;
  - the f32 outputs match the unrounded reference to float32 accuracy;
  - the packed outputs are clearly off the unrounded reference (fails if the
    packed weights were not used), and within the first-order bound of the
    format, propagated through |W| times each activation's Lipschitz
    constant (relu, tanh 1, sigmoid 1/4):
      bf16: each weight off by at most 2^-8 of itself; the outputs also match
        the reference with bf16-rounded weights to float32 accuracy;
      int8: each weight off by at most half its column's step max|w|/127,
        each input by half its row's step (max(0, max y) - min(0, min y))/255;
        the outputs also match a float64 emulation of that quantization; with VNNI on this CPU, the native build (vpdpbusd) gives the same bits
        as the width's build (pmaddwd) at its width.
Prints one line per width and check; exits 1 on a failure.
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

U = 2.0 ** -8  # unit roundoff of bf16 (8 significant bits, round to nearest even)
F32_TOL = 2e-5  # float32 accumulation over a few hundred terms, outputs in (0, 1)
INT8_TOL = 1e-4  # the quantized reference, allowing a few rounding ties resolved otherwise


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
        "tanh": (np.tanh, 1.0),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), 0.25),
        "linear": (lambda z: z, 1.0)}


def layers_of(path, model):
    """(name, activation) of every dense layer, from `aec show`."""
    text = run(["aec", "show", path, "--model", model])
    return re.findall(r"^(\w+)\s+dense \d+ (\w+)", text, re.M)


def forward(x, weights, layers, fmt, rounded=False):
    """float64 forward with the f32 weights (bf16-rounded ones if `rounded`);
    also the first-order error bound of the weight format `fmt`."""
    y, bound = x.astype(np.float64), np.zeros(x.shape)
    for name, act in layers:
        w = weights[f"{name}.weight"].astype(np.float64)  # PyTorch layout [out, in]
        z = y @ (to_bf16(w) if rounded else w).T + weights[f"{name}.bias"]
        aw = np.abs(w)
        if fmt == "int8":
            yb = np.abs(y) + bound  # the packed forward's input is within bound of y
            sa = (np.maximum(0, (y + bound).max(1)) - np.minimum(0, (y - bound).min(1))) / 255
            sw = aw.max(1) / 127
            quant = (yb.sum(1)[:, None] * sw[None, :] / 2 + sa[:, None] * aw.sum(1)[None, :] / 2
                     + sa[:, None] * sw[None, :] * w.shape[1] / 4)
            bound = ACTS[act][1] * (bound @ aw.T + quant) * 1.001
        else:
            bound = ACTS[act][1] * (bound @ aw.T * (1 + U) + U * np.abs(y) @ aw.T)
        y = ACTS[act][0](z)
    return y, bound


def forward_int8(x, weights, layers):
    """float64 forward of aec_gemm_int8's arithmetic: each weight column
    quantized to int8 (scale max|w|/127, half away from zero), each input row to
    uint8 with its scale and zero point (half up), exact integer sums. (A
    rounding tie the float32 kernel resolves otherwise moves one step.)"""
    f32 = np.float32
    y = x.astype(np.float64)
    for name, act in layers:
        w = weights[f"{name}.weight"].astype(f32)  # [out, in]
        sw = np.abs(w).max(1) / f32(127)
        t = np.clip(w * np.where(sw > 0, f32(1) / sw, f32(0))[:, None], -127, 127)
        wq = np.trunc(t + np.where(t < 0, f32(-0.5), f32(0.5)))
        lo, hi = np.minimum(0, y.min(1)), np.maximum(0, y.max(1))
        rng32 = (hi - lo).astype(f32)
        inv = np.where(rng32 > 0, f32(255) / np.maximum(rng32, f32(1e-30)), f32(0))
        zp = np.floor(-lo.astype(f32) * inv + f32(0.5))
        sa = np.where(rng32 > 0, rng32 / f32(255), f32(1))
        q = np.clip(np.floor(y.astype(f32) * inv[:, None] + (zp + f32(0.5))[:, None]), 0, 255)
        z = ((q - zp[:, None]) @ wq.T.astype(np.float64)) * (sa.astype(np.float64)[:, None]
                                                              * sw.astype(np.float64)[None, :])
        y = ACTS[act][0](z + weights[f"{name}.bias"])
    return y


def torch_names(npz, layers):
    """aec layer name -> the .npz arrays (Sequential indices, in order)."""
    keys = sorted({k.split(".")[0] for k in npz.files if k.endswith(".weight")}, key=int)
    return {f"{name}.{p}": npz[f"{k}.{p}"] for (name, _), k in zip(layers, keys)
            for p in ("weight", "bias")}


def reconstruct(exe, inp, threads, fmt, out):
    run([exe, "reconstruct", "--weights", exe + ".aew", "--data", inp, "--threads",
         str(threads), "--weight-format", fmt, "--out", out])
    return np.load(out).astype(np.float64)


def host_has_vnni(cpu):
    """Whether `--target-cpu native` here is the width of `cpu` with VNNI."""
    flags = open("/proc/cpuinfo").read().split()
    if cpu == "x86-64-v4":
        return "avx512_vnni" in flags
    return cpu == "x86-64-v3" and "avx_vnni" in flags and "avx512f" not in flags


def check(out, path, model, name, cpu, fmt, rng):
    exe = os.path.join(out, f"{model}-{name}")
    text = run(["aec", "show", path, "--model", model])
    d = int(re.search(r"input \[(\d+)\]", text).group(1))
    data, nine, one = (os.path.join(out, f"{model}-{k}.npy") for k in ("train", "9", "1"))
    np.save(data, rng.random((64, d), dtype=np.float32))
    np.save(nine, rng.random((9, d), dtype=np.float32))
    np.save(one, rng.random((1, d), dtype=np.float32))
    run(["aec", "build", path, "--model", model, "--target-cpu", cpu, "--weight-format", fmt,
         "-o", exe])
    results = []
    info = run([exe, "info"])
    results.append((f"info says {fmt}", f"weight-format={fmt}" in info))
    run([exe, "train", "--data", data, "--save", exe + ".aew", "--quiet"])
    run([exe, "export", "--weights", exe + ".aew", "--out", exe + ".npz"])
    layers = layers_of(path, model)
    weights = torch_names(np.load(exe + ".npz"), layers)
    native = None
    if fmt == "int8" and host_has_vnni(cpu):
        native = exe + "-native"
        run(["aec", "build", path, "--model", model, "--target-cpu", "native", "--weight-format",
             fmt, "-o", native])
        shutil.copy(exe + ".aew", native + ".aew")
    for inp, label in ((nine, "batch 9"), (one, "batch 1")):
        x = np.load(inp).astype(np.float64)
        got = {(f, t): reconstruct(exe, inp, t, f, f"{exe}.{label[-1]}.{f}.t{t}.npy")
               for f, t in ((fmt, 1), (fmt, 2), (fmt, 3), ("f32", 1))}
        b = got[(fmt, 1)]
        same = all(np.array_equal(b, got[(fmt, t)]) for t in (2, 3))
        ref_f, bound = forward(x, weights, layers, fmt)
        e_f = np.abs(b - ref_f)
        e_f32 = np.abs(got[("f32", 1)] - ref_f).max()
        results += [(f"{label}: {fmt} bit-identical at threads 1, 2, 3", same),
                    (f"{label}: f32 = reference ({e_f32:.1e})", e_f32 <= F32_TOL),
                    (f"{label}: within the {fmt} bound (at most {(e_f / (bound + F32_TOL)).max():.2f}"
                     " of it)", bool((e_f <= bound + F32_TOL).all()))]
        if fmt == "bf16":
            e_bf = np.abs(b - forward(x, weights, layers, fmt, rounded=True)[0]).max()
            results += [(f"{label}: bf16 = bf16-rounded reference ({e_bf:.1e})", e_bf <= F32_TOL),
                        (f"{label}: bf16 weights used ({e_f.max():.1e} vs {e_bf:.1e})",
                         e_f.max() > 10 * max(e_bf, 1e-7))]
        else:
            e_q = np.abs(b - forward_int8(x, weights, layers)).max()
            results += [(f"{label}: int8 = quantized reference ({e_q:.1e})", e_q <= INT8_TOL),
                        (f"{label}: int8 weights used ({e_f.max():.1e} vs {e_q:.1e})",
                         e_f.max() > 10 * max(e_q, 1e-7))]
        if native:
            v = reconstruct(native, inp, 2, fmt, f"{native}.{label[-1]}.npy")
            results.append((f"{label}: int8 vpdpbusd (native) = pmaddwd bits", np.array_equal(b, v)))
    return results


def main():
    out, path, model, fmt = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    spec = os.environ.get("AEC_VECTOR_WIDTHS", "sse=x86-64")
    widths = [tuple(w.split("=", 1)) for w in spec.split()]
    print("vector widths tested: " + " ".join(n for n, _ in widths), flush=True)
    rng = np.random.default_rng(7)
    failed = 0
    for name, cpu in widths:
        try:
            results = check(out, path, model, name, cpu, fmt, rng)
        except RuntimeError as e:
            results = [(str(e), False)]
        for what, ok in results:
            print(f"{name} {fmt} {what}: {'ok' if ok else 'FAILED'}")
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
