#!/bin/sh
# GEMM benchmark of the aec kernel library against numpy/OpenBLAS on the
# shapes of the dense AE 784-512-128-32-128-512-784, batch 256.
#   bench/gemm/run.sh [build-dir]
# With a build dir that has `aec_gemm_jit_bench` (ninja aec_gemm_jit_bench),
# also runs the same GEMMs through the code generator's path (bitcode, O3, JIT).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/aec_gemm_bench.$$
trap 'rm -f "$out"' EXIT
clang=${CLANG:-/usr/bin/clang-19}
"$clang" -O3 -march=native -ffp-contract=fast -fno-math-errno -Wno-psabi \
  "$here/gemm_bench.c" -o "$out" -lpthread -lm
echo "== aec kernels (native clang-19 -O3 -march=native, shapes as literals)"
"$out"
if [ -n "$1" ] && [ -x "$1/bin/aec_gemm_jit_bench" ]; then
  echo "== aec kernels through bitcode + O3 + JIT"
  "$1/bin/aec_gemm_jit_bench"
fi
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  for t in 1 2; do
    echo "== numpy / OpenBLAS, $t thread(s)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$t \
      /usr/bin/python3 "$here/numpy_gemm.py"
  done
else
  echo "(python3-numpy not installed: no OpenBLAS comparison)"
fi
