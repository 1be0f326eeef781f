#!/usr/bin/env python3
"""Runs checks of generated code once per kernel vector width the host can run
(aec build --target-cpu: x86-64 = SSE/4 lanes, x86-64-v3 = AVX2/8,
x86-64-v4 = AVX-512/16), so that a width-specific bug shows on any machine that
has the width, not only on machines whose native width it is.

  width_matrix.py gradcheck OUT FILE.ae...   every gradient check of those lit
      files (their `cc ... -DMODEL=` and `%t/EXE ARGS | FileCheck` RUN lines),
      on the width's prebuilt kernels (libaec_kernels_vw<W>.a)
  width_matrix.py determinism OUT DET.ae     each model of DET.ae trained for
      one epoch with --threads 1, 2 and 3 on the same data: the checkpoints and
      the reconstructions of 9 samples and of 1 (the batch-1 path, whose
      large dense layers split over threads by column panels) must be
      bit-identical
  width_matrix.py kernels OUT FILE.ae         each model of FILE.ae built with
      --kernels=inline and --kernels=prebuilt (every kernel from the width's
      archive), trained for one epoch and reconstructing 9 samples: the
      checkpoints and reconstructions must be bit-identical

Prints `vector widths tested: ...` first and one line per check; exits 1 on
any failure. The widths come from AEC_VECTOR_WIDTHS (set by lit.cfg.py from
the CPU's flags), e.g. `sse=x86-64 avx2=x86-64-v3`.
"""
import array
import filecmp
import os
import random
import re
import shutil
import subprocess
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def widths():
    spec = os.environ.get("AEC_VECTOR_WIDTHS", "sse=x86-64")
    return [tuple(w.split("=", 1)) for w in spec.split()]


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> exit {r.returncode}\n{r.stdout}")
    return r.stdout


def kernel_archive(width_name):
    """libaec_kernels_vw<W>.a of a width (beside libaec_runtime.a, next to aec's bin/)."""
    lanes = {"sse": 4, "avx2": 8, "avx512": 16}[width_name]
    lib = os.path.join(os.path.dirname(shutil.which("aec")), "..", "lib")
    return os.path.join(lib, f"libaec_kernels_vw{lanes}.a")


def gradchecks(path):
    """(model, args) for every gradient check of a lit file."""
    text = open(path).read()
    checks = []
    for m in re.finditer(r"-DMODEL=(\w+)_model .*-o %t/(\w+)\s*$", text, re.M):
        model, exe = m.group(1), m.group(2)
        call = re.search(r"RUN: %t/" + exe + r"(( [^|]*)?) \|", text)
        checks.append((model, call.group(1).split() if call else []))
    return checks


def gradcheck(out, files):
    failed = 0
    for name, cpu in widths():
        for path in files:
            for model, args in gradchecks(path):
                obj = os.path.join(out, f"{model}-{name}.o")
                exe = os.path.join(out, f"{model}-{name}")

                def compare():
                    # Every kernel from the width's archive (--kernels=prebuilt).
                    run(["aec", "build", path, "--model", model, "--emit=obj",
                         "--kernels=prebuilt", "--target-cpu", cpu, "-o", obj])
                    run(["cc", "-std=c11", "-O1", "-I" + os.path.join(SRC, "runtime", "include"),
                         f"-DMODEL={model}_model", os.path.join(SRC, "test", "numerics",
                                                                  "gradcheck.c"), obj,
                         kernel_archive(name), "-lm", "-o", exe])
                    text = run([exe] + args)
                    return "OK" in text.split(), text

                failed += check(name, "gradcheck", model, compare)
    return failed


def save_npy(path, shape, rng):
    """Uniform [0, 1) float32 .npy (no numpy needed)."""
    count = 1
    for d in shape:
        count *= d
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(
        f"{d}, " for d in shape)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        f.write(array.array("f", (rng.random() for _ in range(count))).tobytes())


def models(path):
    return re.findall(r"^model (\w+)", open(path).read(), re.M)


def model_inputs(out, path):
    """Per model of path: .npy files of 128, 9 and 1 uniform samples of its input."""
    rng = random.Random(5)
    inputs = {}
    for model in models(path):
        text = run(["aec", "show", path, "--model", model])
        dims = [int(d) for d in re.search(r"input \[([0-9, ]+)\]", text).group(1).split(",")]
        inputs[model] = []
        for n in (128, 9, 1):
            data = os.path.join(out, f"{model}-{n}.npy")
            save_npy(data, [n] + dims, rng)
            inputs[model].append(data)
    return inputs


def check(name, what, model, compare):
    """Prints one check's line; compare() returns (ok, what to print if not)."""
    try:
        ok, text = compare()
    except RuntimeError as e:
        ok, text = False, str(e)
    print(f"{name} {what} {model}: {'ok' if ok else 'FAILED'}")
    if not ok:
        print(text)
    return 0 if ok else 1


def same_files(pairs):
    return all(filecmp.cmp(a, b, shallow=False) for a, b in pairs)


def determinism(out, path):
    failed = 0
    inputs = model_inputs(out, path)
    for name, cpu in widths():
        for model, (data, small, one) in inputs.items():
            exe = os.path.join(out, f"{model}-{name}")

            def compare():
                run(["aec", "build", path, "--model", model, "--target-cpu", cpu, "-o", exe])
                outs = []
                for t in (1, 2, 3):
                    w, rec = f"{exe}.t{t}.aew", f"{exe}.t{t}.npy"
                    run([exe, "train", "--data", data, "--threads", str(t), "--save", w])
                    run([exe, "reconstruct", "--weights", f"{exe}.t1.aew", "--data", small,
                         "--threads", str(t), "--out", rec])
                    rec1 = f"{exe}.t{t}.one.npy"
                    run([exe, "reconstruct", "--weights", f"{exe}.t1.aew", "--data", one,
                         "--threads", str(t), "--out", rec1])
                    outs.append((w, rec, rec1))
                bad = [f"threads {t}" for t, got in zip((2, 3), outs[1:])
                       if not same_files(zip(outs[0], got))]
                return not bad, "differs from threads 1: " + ", ".join(bad)

            failed += check(name, "determinism", model, compare)
    return failed


def kernel_modes(out, path):
    failed = 0
    inputs = model_inputs(out, path)
    for name, cpu in widths():
        for model, (data, small, _) in inputs.items():

            def compare():
                outs = []
                for mode in ("inline", "prebuilt"):
                    exe = os.path.join(out, f"{model}-{name}-{mode}")
                    run(["aec", "build", path, "--model", model, "--kernels=" + mode,
                         "--target-cpu", cpu, "-o", exe])
                    run([exe, "train", "--data", data, "--threads", "2", "--save", exe + ".aew"])
                    run([exe, "reconstruct", "--weights", exe + ".aew", "--data", small,
                         "--out", exe + ".npy"])
                    outs.append((exe + ".aew", exe + ".npy"))
                return same_files(zip(*outs)), "--kernels=prebuilt differs from inline"

            failed += check(name, "kernels", model, compare)
    return failed


def main():
    kind, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    print("vector widths tested: " + " ".join(n for n, _ in widths()), flush=True)
    checks = {"gradcheck": lambda: gradcheck(out, files),
              "determinism": lambda: determinism(out, files[0]),
              "kernels": lambda: kernel_modes(out, files[0])}
    failed = checks[kind]()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
