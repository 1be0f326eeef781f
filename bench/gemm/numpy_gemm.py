"""The GEMM shapes of bench/gemm/gemm_bench.c with numpy (OpenBLAS sgemm).

Run with OPENBLAS_NUM_THREADS=1 for the single-thread column (timed with the
thread's CPU time, like gemm_bench.c, since the machine is shared) or 2 (wall
time)."""
import os
import time

import numpy as np

BATCH = 256
LAYERS = [(784, 512), (512, 128), (128, 32), (32, 128), (128, 512), (512, 784)]
threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))
clock = time.thread_time if threads == 1 else time.perf_counter


def timeit(fn):
    best = 1e9
    for _ in range(15):
        iters, t0 = 0, clock()
        while True:
            fn()
            iters += 1
            t = clock() - t0
            if t >= 0.01:
                break
        best = min(best, t / iters)
    return best


rng = np.random.default_rng(0)
print(f"numpy {np.__version__} sgemm, {threads} thread(s); GFLOP/s")
print(f"{'layer':10s} {'fwd':>8s} {'dX':>8s} {'dW':>8s}")
total, flops = 0.0, 0.0
for l, (n_in, n_out) in enumerate(LAYERS):
    X = rng.random((BATCH, n_in), dtype=np.float32) - 0.5
    W = rng.random((n_in, n_out), dtype=np.float32) - 0.5
    dZ = rng.random((BATCH, n_out), dtype=np.float32) - 0.5
    Y = np.empty((BATCH, n_out), np.float32)
    dX = np.empty((BATCH, n_in), np.float32)
    dW = np.empty((n_in, n_out), np.float32)
    sf = timeit(lambda: np.matmul(X, W, out=Y))
    sx = timeit(lambda: np.matmul(dZ, W.T, out=dX))
    sw = timeit(lambda: np.matmul(X.T, dZ, out=dW))
    flop = 2.0 * BATCH * n_in * n_out
    total += sf + sw + (sx if l > 0 else 0)
    flops += flop * (3 if l > 0 else 2)
    print(f"{n_in}-{n_out:<6d} {flop / sf * 1e-9:8.1f} {flop / sx * 1e-9:8.1f} {flop / sw * 1e-9:8.1f}")
print(f"training-step GEMMs (no bias/activation), {threads} thread(s): "
      f"{total * 1e3:.3f} ms/batch, {flops / total * 1e-9:.1f} GFLOP/s")
