"""The machine's sgemm peak for bench/run.sh: numpy (OpenBLAS) C = A B at 2048^3, all cores,
best of `runs` (run.sh unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this probe only).

OpenBLAS picks its kernels from the CPU model, and on a CPU it does not know (a VM's generic
"Intel Xeon Processor", a model newer than the library) it falls back to Prescott's SSE3
kernels: measured 10-16 GFLOP/s on an AVX-512 VM where its SkylakeX kernels give 55-86 under
the same load. That is the library's default, not the machine's peak, so the probe also runs
OpenBLAS's kernels for the vector extensions /proc/cpuinfo lists and reports the best (each
probe in its own process: OpenBLAS reads OPENBLAS_CORETYPE when it loads).
usage: python3 sgemm_peak.py [runs]"""
import os
import re
import subprocess
import sys
import time

N = 2048
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def probe():
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.random((N, N), dtype=np.float32)
    b = rng.random((N, N), dtype=np.float32)
    c = np.empty((N, N), np.float32)
    np.matmul(a, b, out=c)
    best = 1e9
    for _ in range(runs):
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t)
    return 2.0 * N ** 3 / best * 1e-9


def candidates():
    """None (OpenBLAS's own choice), then the core types whose kernels this CPU can run."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(re.search(r"^flags\s*:(.*)$", f.read(), re.M).group(1).split())
    except (OSError, AttributeError):
        flags = set()
    cores = [None]
    if {"avx2", "fma"} <= flags:
        cores.append("Haswell")
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        cores.append("SkylakeX")
        if "avx512_bf16" in flags:
            cores.append("Cooperlake")
    return cores


def main():
    if os.environ.get("AEC_SGEMM_PROBE"):
        print(f"gflops {probe():.1f}")
        return
    best, best_core = 0.0, "?"
    for core in candidates():
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        env.update(AEC_SGEMM_PROBE="1", OPENBLAS_VERBOSE="2")
        if core:
            env["OPENBLAS_CORETYPE"] = core
        p = subprocess.run([sys.executable, __file__, str(runs)], env=env, capture_output=True,
                           text=True, check=True)
        used = re.findall(r"Core: (\S+)", p.stdout + p.stderr)
        used = used[-1] if used else "?"
        g = float(re.search(r"gflops (\S+)", p.stdout).group(1))
        print(f"  OpenBLAS core {used} ({'its own choice' if core is None else 'asked for'}):"
              f" {g:.1f} GFLOP/s", file=sys.stderr)
        if g > best:
            best, best_core = g, used
    print(f"sgemm n={N} core={best_core} gflops={best:.1f}")


if __name__ == "__main__":
    main()
