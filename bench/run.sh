#!/usr/bin/env bash
# Benchmarks aec against the peers (PyTorch CPU, PCA) in one run and prints ratios.
#   bench/run.sh [epochs]      (default 1 epoch for throughput; AEC_BENCH_QUALITY=1 adds the
#                               10-epoch test-MSE comparison, which takes several minutes)
# Needs the peers' packages: AEC_WITH_PEERS=1 scripts/deps.sh installs them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
peers=${AEC_PEERS:-$root/../shared/peers}
epochs=${1:-1}
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
AEC_WITH_PEERS=1 "$root/scripts/build.sh" >/dev/null
aec="$build/bin/aec"
py=/usr/bin/python3

field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p" | tail -n 1; }

# Trains model file $2 (executable $3, batch $4) for $epochs epochs in aec and the peer
# workload $5 in PyTorch at 1 and 2 threads; prints samples/s and the ratio to PyTorch's
# best. Leaves PyTorch's best batch-1 latency in best_lat.
compare_training() {
  local label=$1 ae=$2 exe=$3 batch=$4 kind=$5 line aec_sps sps best=0 th
  "$aec" build "$ae" -o "$work/$exe"
  line=$("$work/$exe" train --data "$data/train-images-idx3-ubyte.gz" --epochs "$epochs" \
    --batch "$batch" --save "$work/$exe.aew" | tail -n 1)
  echo "aec:     $line"
  aec_sps=$(echo "$line" | field samples_per_s)
  best_lat=1e9
  for th in 1 2; do
    line=$(cd "$peers" && "$py" torch_ae.py "$kind" "$epochs" "$batch" "$th")
    echo "pytorch: $line"
    sps=$(echo "$line" | field train_samples_per_s)
    best=$("$py" -c "print(max($best, $sps))")
    best_lat=$("$py" -c "print(min($best_lat, $(echo "$line" | field infer_batch1_us)))")
  done
  echo "$label training samples/s: aec $aec_sps, pytorch best $best, ratio $("$py" -c "print(f'{$aec_sps/$best:.2f}')")"
}

echo "== dense 784-512-128-32 mirrored, BCE, Adam, batch 256, $epochs epoch(s) on Fashion-MNIST"
compare_training dense "$root/bench/fashion_mlp.ae" fashion 256 mlp
dense_best_lat=$best_lat

echo; echo "== batch-1 reconstruct latency (median of 2000)"
"$aec" build "$root/bench/fashion_mlp.ae" --emit=lib --inference-only -o "$work/libfashion_mlp.a"
cc -O2 -I"$work" "$root/bench/latency.c" "$work/libfashion_mlp.a" -lz -lpng -lpthread -lm -o "$work/latency"
aec_lat=1e9
for th in 1 2; do
  lat_line=$("$work/latency" "$work/fashion.aew" "$th")
  echo "aec:     $lat_line"
  aec_lat=$("$py" -c "print(min($aec_lat, $(echo "$lat_line" | field batch1_us)))")
done
echo "batch-1 latency us: aec $aec_lat, pytorch best $dense_best_lat, speedup $("$py" -c "print(f'{$dense_best_lat/$aec_lat:.2f}')")"

if [ "${AEC_BENCH_QUALITY:-0}" = 1 ]; then
  echo; echo "== quality: test MSE after 10 epochs"
  "$work/fashion" train --data "$data/train-images-idx3-ubyte.gz" --epochs 10 --save "$work/w10.aew" | tail -n 1
  "$work/fashion" eval --weights "$work/w10.aew" --data "$data/t10k-images-idx3-ubyte.gz"
  (cd "$peers" && "$py" torch_ae.py mlp 10 256 1)
  (cd "$peers" && "$py" pca.py 32)
fi

# ---- conv workload (examples/fashion_conv.ae; section added with the conv lowering) ----------
echo; echo "== conv AE (conv 16, maxpool, conv 8, maxpool, mirrored), BCE, Adam, batch 128, $epochs epoch(s)"
compare_training conv "$root/examples/fashion_conv.ae" fashion_conv 128 conv
