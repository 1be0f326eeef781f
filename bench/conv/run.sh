#!/bin/sh
# Conv kernel benchmark (see conv_bench.c) at every vector width the host runs.
#   bench/conv/run.sh [widths...]   (default: 16 if the host has AVX-512, 8)
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/aec_conv_bench.$$
trap 'rm -f "$out"' EXIT
widths=${*:-$(grep -q avx512f /proc/cpuinfo && echo 16 8 || echo 8)}
for vw in $widths; do
  ${CLANG:-clang-19} -O3 -march=native -ffp-contract=fast -fno-math-errno -Wno-psabi -DAEC_VW=$vw \
    "$here/conv_bench.c" -o "$out" -lm
  "$out"
done
