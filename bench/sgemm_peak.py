"""The machine's sgemm peak for bench/run.sh: numpy (OpenBLAS) C = A B at 2048^3, all cores,
best of `runs` (run.sh unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this probe only).
usage: python3 sgemm_peak.py [runs]"""
import sys
import time

import numpy as np

N = 2048
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
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
print(f"sgemm n={N} gflops={2.0 * N ** 3 / best * 1e-9:.1f}")
