#!/usr/bin/env bash
# Data-parallel training on this machine: 2 MPI ranks x 1 thread against one
# process x 2 threads, for the dense and the conv workload, one epoch on the
# full Fashion-MNIST training set. Prints samples/s of each, the all-reduce
# time per step, and the gradient bytes per step (the input of docs/scaling.md).
#   bench/distributed.sh [images]      (default 60000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
images=${1:-60000}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$root/scripts/build.sh" >/dev/null
aec="$build/bin/aec"
[ -f "$build/lib/libaec_runtime_mpi.a" ] || { echo "aec was built without MPI (libopenmpi-dev)"; exit 1; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
python3 "$root/test/lit/e2e/Inputs/subset.py" \
  /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz "$images" "$work/train.idx"
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p" | tail -n 1; }

run() { # label model.ae batch
  local label=$1 ae=$2 batch=$3
  "$aec" build --stdlib "$root/stdlib" "$ae" -o "$work/one"
  "$aec" build --stdlib "$root/stdlib" "$ae" --distributed -o "$work/dist"
  local params steps one dist stats comm total
  params=$("$work/one" info | field params)
  steps=$((images / batch))
  one=$("$work/one" train --data "$work/train.idx" --epochs 1 --batch "$batch" --threads 2 \
        --save "$work/one.aew" | field samples_per_s)
  stats=$(mpirun -np 2 --bind-to core "$work/dist" train --data "$work/train.idx" --epochs 1 \
          --batch "$batch" --threads 1 --save "$work/dist.aew" 2>&1 >"$work/dist.out" | grep ranks=)
  dist=$(field samples_per_s < "$work/dist.out")
  comm=$(echo "$stats" | field allreduce_seconds)
  total=$(echo "$stats" | sed -n 's/.* of \([0-9.]*\).*/\1/p')
  python3 - "$label" "$params" "$steps" "$one" "$dist" "$comm" "$total" <<'PY'
import sys
label, params, steps, one, dist, comm, total = sys.argv[1:]
params, steps = int(params), int(steps)
one, dist, comm, total = map(float, (one, dist, comm, total))
print(f"{label}: 1 process x 2 threads {one:,.0f} samples/s | 2 ranks x 1 thread {dist:,.0f} "
      f"samples/s ({dist / one:.2f}x) | all-reduce {1e3 * comm / steps:.2f} ms/step "
      f"({100 * comm / total:.0f}% of the job) | gradient {4 * params / 1e6:.2f} MB/step")
PY
}

echo "== $images Fashion-MNIST images, 1 epoch; machine: $(nproc) cores"
run "dense 784-512-128-32 b256" "$root/bench/fashion_mlp.ae" 256
run "conv (DESIGN) b128" "$root/examples/fashion_conv.ae" 128
