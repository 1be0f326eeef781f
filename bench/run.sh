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

echo "== dense 784-512-128-32 mirrored, BCE, Adam, batch 256, $epochs epoch(s) on Fashion-MNIST"
"$aec" build "$root/bench/fashion_mlp.ae" -o "$work/fashion"
aec_line=$("$work/fashion" train --data "$data/train-images-idx3-ubyte.gz" --epochs "$epochs" \
  --batch 256 --save "$work/w.aew" | tail -n 1)
echo "aec:     $aec_line"
aec_sps=$(echo "$aec_line" | field samples_per_s)

best_torch=0
for th in 1 2; do
  line=$(cd "$peers" && "$py" torch_ae.py mlp "$epochs" 256 "$th")
  echo "pytorch: $line"
  sps=$(echo "$line" | field train_samples_per_s)
  best_torch=$("$py" -c "print(max($best_torch, $sps))")
  lat=$(echo "$line" | field infer_batch1_us)
  best_lat=$("$py" -c "print(min(${best_lat:-1e9}, $lat))")
done
echo "dense training samples/s: aec $aec_sps, pytorch best $best_torch, ratio $("$py" -c "print(f'{$aec_sps/$best_torch:.2f}')")"

echo; echo "== batch-1 reconstruct latency (median of 2000)"
"$aec" build "$root/bench/fashion_mlp.ae" --emit=lib --inference-only -o "$work/libfashion_mlp.a"
cc -O2 -I"$work" "$root/bench/latency.c" "$work/libfashion_mlp.a" -lz -lpng -lpthread -lm -o "$work/latency"
aec_lat=1e9
for th in 1 2; do
  lat_line=$("$work/latency" "$work/w.aew" "$th")
  echo "aec:     $lat_line"
  aec_lat=$("$py" -c "print(min($aec_lat, $(echo "$lat_line" | field batch1_us)))")
done
echo "batch-1 latency us: aec $aec_lat, pytorch best $best_lat, speedup $("$py" -c "print(f'{$best_lat/$aec_lat:.2f}')")"

if [ "${AEC_BENCH_QUALITY:-0}" = 1 ]; then
  echo; echo "== quality: test MSE after 10 epochs"
  "$work/fashion" train --data "$data/train-images-idx3-ubyte.gz" --epochs 10 --save "$work/w10.aew" | tail -n 1
  "$work/fashion" eval --weights "$work/w10.aew" --data "$data/t10k-images-idx3-ubyte.gz"
  (cd "$peers" && "$py" torch_ae.py mlp 10 256 1)
  (cd "$peers" && "$py" pca.py 32)
fi

# ---- conv workload (examples/fashion_conv.ae; section added with the conv lowering) ----------
echo; echo "== conv AE (conv 16, maxpool, conv 8, maxpool, mirrored), BCE, Adam, batch 128, $epochs epoch(s)"
"$aec" build "$root/examples/fashion_conv.ae" -o "$work/fashion_conv"
conv_line=$("$work/fashion_conv" train --data "$data/train-images-idx3-ubyte.gz" --epochs "$epochs" \
  --batch 128 --save "$work/wc.aew" | tail -n 1)
echo "aec:     $conv_line"
conv_sps=$(echo "$conv_line" | field samples_per_s)
best_conv=0
for th in 1 2; do
  line=$(cd "$peers" && "$py" torch_ae.py conv "$epochs" 128 "$th")
  echo "pytorch: $line"
  sps=$(echo "$line" | field train_samples_per_s)
  best_conv=$("$py" -c "print(max($best_conv, $sps))")
done
echo "conv training samples/s: aec $conv_sps, pytorch best $best_conv, ratio $("$py" -c "print(f'{$conv_sps/$best_conv:.2f}')")"
