#!/usr/bin/env bash
# Benchmarks aec against the PyTorch CPU peer (best of 1 and 2 threads) on every workload in one
# run and prints, per workload, aec's figure, PyTorch's, the ratio and the share of the machine's
# sgemm peak (numpy/OpenBLAS 2048^3, measured first in the same run).
#   bench/run.sh [--quick] [epochs]
# Workloads: dense 784-512-128-32 (b256), conv AE of DESIGN (b128), deep 784-1000-500-250-30
# (b256) on Fashion-MNIST; tabular 30-16-8 (b32, 50 epochs of scikit-learn's breast-cancer table,
# 455 rows); batch-1 reconstruct latency of dense (f32, --weight-format bf16 and int8, each also built for
# this CPU) and tabular;
# compile time of every example (default kernels and --kernels=prebuilt), and the conv AE
# trained with --kernels=prebuilt.
# --quick: Fashion-MNIST workloads on the first 10240 images (PyTorch: 2560), tabular 10 epochs,
# shorter latency runs. AEC_BENCH_QUALITY=1 adds the 10-epoch test-MSE comparison with PCA (several minutes).
# AEC_BENCH_NO_BUILD=1 uses the build in $AEC_BUILD_DIR as it is.
# The machines are shared: compare ratios from one run, not figures from different runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
peers=${AEC_PEERS:-$root/../shared/peers}
quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
epochs=${1:-1}
limit=0; plimit=0; tab_epochs=50; lat_runs=2000
if [ $quick = 1 ]; then limit=10240; plimit=2560; tab_epochs=10; lat_runs=500; fi
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
[ "${AEC_BENCH_NO_BUILD:-0}" = 1 ] || AEC_WITH_PEERS=1 "$root/scripts/build.sh" >/dev/null
export AEC_STDLIB=$root/stdlib
export AEC_CACHE_DIR=$work/aec-cache # this run's object cache, not the user's
aec="$build/bin/aec"
py=/usr/bin/python3
pyf() { "$py" -c "print($1)"; }
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p" | tail -n 1; }
# The share of CPU time the hypervisor gave to other guests ("steal" in /proc/stat) since the
# last steal_start: a workload measured while it was high ran on part of a core, which moves
# its figures (and its share of the peak, probed at the start) far more than any change does.
steal_start() { steal_mark=$(steal_counts); }
steal_counts() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $9; exit}' /proc/stat 2>/dev/null || echo "0 0"; }
steal_since() {
  local now; now=$(steal_counts)
  pyf "(lambda a, b: f'{100*(b[1]-a[1])/(b[0]-a[0]):.0f}%' if b[0] > a[0] else '-')(
    [int(v) for v in '${steal_mark:-0 0}'.split()], [int(v) for v in '$now'.split()])"
}

echo "== sgemm peak: numpy/OpenBLAS 2048^3, all cores (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset;"
echo "   the best of OpenBLAS's own kernel choice and its kernels for this CPU's vector extensions)"
steal_start
peak=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$root/bench/sgemm_peak.py" $((quick ? 3 : 8)) | tee /dev/stderr | field gflops)
peak_steal=$(steal_since)
echo "  CPU steal during the probe: $peak_steal"

# Training data: the Fashion-MNIST training images (or the first $limit) and the tabular table.
train_data=$data/train-images-idx3-ubyte.gz
"$py" - "$work" "$limit" "$data" <<'EOF'
import sys, gzip, numpy as np
from sklearn.datasets import load_breast_cancer
work, limit, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x = load_breast_cancer().data.astype(np.float32); x = (x - x.mean(0)) / x.std(0)
np.save(f"{work}/tabular.npy", x[:455])
if limit:
    with gzip.open(f"{data}/train-images-idx3-ubyte.gz") as f: buf = f.read()
    np.save(f"{work}/fmnist.npy", np.frombuffer(buf, np.uint8, offset=16)[:limit * 784].reshape(limit, 784))
EOF
[ $limit = 0 ] || train_data=$work/fmnist.npy

# Training FLOPs per sample from `aec show`: forward 2*MACs, weight gradient 2*MACs, input
# gradient 2*MACs except for the first layer (no gradient below it).
train_flops() {
  "$aec" show "$1" | awk '/^layer /{h=1; next} h && first == "" && $0 ~ /^[a-z]/ {first=$(NF-1)}
    /^total:/ {for (i = 1; i <= NF; ++i) if ($i ~ /^macs=/) {sub("macs=", "", $i); m=$i}}
    END {print 2 * (3 * m - first)}'
}

summary=()
add() { summary+=("$(printf '%-34s %12s %12s %8s %8s %6s' "$@" "$(steal_since)")"); }

# compare_training label model.ae exe batch peer-kind data epochs: trains in aec and in PyTorch
# at 1 and 2 threads; adds samples/s, the ratio to PyTorch's best and the share of the sgemm
# peak. Leaves PyTorch's best batch-1 latency in best_lat.
compare_training() {
  local label=$1 ae=$2 exe=$3 batch=$4 kind=$5 input=$6 ep=$7 plimit=$8 line aec_sps sps best=0 th flops
  steal_start
  "$aec" build "$ae" -o "$work/$exe" 2>/dev/null
  line=$("$work/$exe" train --data "$input" --epochs "$ep" --batch "$batch" --save "$work/$exe.aew" 2>/dev/null | tail -n 1)
  echo "aec:     $line"
  aec_sps=$(echo "$line" | field samples_per_s)
  best_lat=1e9
  for th in 1 2; do
    line=$("$py" "$root/bench/torch_peer.py" "$kind" "$ep" "$batch" "$th" "$plimit")
    echo "pytorch: $line"
    sps=$(echo "$line" | field train_samples_per_s)
    best=$(pyf "max($best, $sps)")
    best_lat=$(pyf "min($best_lat, $(echo "$line" | field infer_batch1_us))")
  done
  flops=$(train_flops "$ae")
  add "$label train samples/s" "$aec_sps" "$best" "$(pyf "f'{$aec_sps/$best:.2f}x'")" \
    "$(pyf "f'{100*$aec_sps*$flops/1e9/$peak:.0f}%'")"
  peer_best=$best
}

# aec_training label model.ae exe batch data epochs build-flags...: aec alone, built with the
# flags, against the PyTorch figure of the compare_training before it.
aec_training() {
  local label=$1 ae=$2 exe=$3 batch=$4 input=$5 ep=$6 line sps flops
  steal_start
  "$aec" build "$ae" "${@:7}" -o "$work/$exe" 2>/dev/null
  line=$("$work/$exe" train --data "$input" --epochs "$ep" --batch "$batch" --save "$work/$exe.aew" 2>/dev/null | tail -n 1)
  echo "aec ${*:7}: $line"
  sps=$(echo "$line" | field samples_per_s)
  flops=$(train_flops "$ae")
  add "$label train samples/s" "$sps" "$peer_best" "$(pyf "f'{$sps/$peer_best:.2f}x'")" \
    "$(pyf "f'{100*$sps*$flops/1e9/$peak:.0f}%'")"
}

# latency label model.ae name peer-latency [build flags]: batch-1 reconstruct of the library
# built from the model (with the flags) on $name's trained weights, at 1 and 2 threads.
latency() {
  local label=$1 ae=$2 name=$3 peer=$4 th line lat=1e9
  steal_start
  "$aec" build "$ae" --emit=lib --inference-only "${@:5}" -o "$work/lib$name.a"
  cc -O2 -I"$work" -DAEC_MODEL="$name" -DAEC_HEADER="\"$name.h\"" "$root/bench/latency.c" \
    "$work/lib$name.a" -lz -lpng -lpthread -lm -o "$work/latency_$name"
  for th in 1 2; do
    line=$("$work/latency_$name" "$work/$name.aew" "$th" "$lat_runs")
    echo "aec:     $name $line"
    lat=$(pyf "min($lat, $(echo "$line" | field batch1_us))")
  done
  add "$label batch-1 latency us" "$lat" "$peer" "$(pyf "f'{$peer/$lat:.2f}x'")" "-"
}

echo; echo "== dense 784-512-128-32 mirrored, BCE, Adam, batch 256, $epochs epoch(s) of $train_data"
compare_training "dense 784-512-128-32 b256" "$root/bench/fashion_mlp.ae" fashion_mlp 256 mlp "$train_data" "$epochs" "$plimit"
dense_lat=$best_lat

echo; echo "== conv AE (conv 16, maxpool, conv 8, maxpool, mirrored), BCE, Adam, batch 128"
compare_training "conv AE 16-8 b128" "$root/examples/fashion_conv.ae" fashion_conv 128 conv "$train_data" "$epochs" "$plimit"
aec_training "conv AE --kernels=prebuilt" "$root/examples/fashion_conv.ae" fashion_conv_prebuilt 128 \
  "$train_data" "$epochs" --kernels=prebuilt

echo; echo "== deep 784-1000-500-250-30 mirrored, BCE, Adam, batch 256"
compare_training "deep 784-1000-500-250-30 b256" "$root/bench/deep_784_30.ae" deep_784_30 256 deep "$train_data" "$epochs" "$plimit"

echo; echo "== tabular 30-16-8 mirrored (breast cancer, 455 rows), MSE, Adam, batch 32, $tab_epochs epochs"
compare_training "tabular 30-16-8 b32" "$root/examples/tabular.ae" tabular 32 tabular "$work/tabular.npy" "$tab_epochs" 0
tab_lat=$best_lat

# VAE (bench/fashion_vae.ae, DESIGN section 7: batch norm, dropout, code 16 variational);
# peer bench/torch_vae.py (its last line is the summary; test_loss is the ELBO with z = mean).
echo; echo "== VAE 784-512-bn-dropout-256-16v mirrored, BCE summed + KL, Adam, batch 128"
steal_start
"$aec" build "$root/bench/fashion_vae.ae" -o "$work/fashion_vae" 2>/dev/null
line=$("$work/fashion_vae" train --data "$train_data" --epochs "$epochs" --save "$work/vae.aew" 2>/dev/null | tail -n 1)
echo "aec:     $line"
vae_sps=$(echo "$line" | field samples_per_s) vae_best=0
for th in 1 2; do
  line=$("$py" "$root/bench/torch_vae.py" "$epochs" "$th" 128 "$plimit" | tail -n 1)
  echo "pytorch: $line"
  vae_best=$(pyf "max($vae_best, $(echo "$line" | field train_samples_per_s))")
done
add "VAE 16v b128 train samples/s" "$vae_sps" "$vae_best" "$(pyf "f'{$vae_sps/$vae_best:.2f}x'")" "-"

echo; echo "== batch-1 reconstruct latency (median of $lat_runs)"
latency "dense" "$root/bench/fashion_mlp.ae" fashion_mlp "$dense_lat"
latency "dense bf16 weights" "$root/bench/fashion_mlp.ae" fashion_mlp "$dense_lat" --weight-format bf16
latency "dense int8 weights" "$root/bench/fashion_mlp.ae" fashion_mlp "$dense_lat" --weight-format int8
# a library's default target is x86-64-v3 (it ships); built for this CPU (AVX-512, VNNI where it has them):
for fmt in f32 bf16 int8; do
  latency "dense $fmt native" "$root/bench/fashion_mlp.ae" fashion_mlp "$dense_lat" --weight-format $fmt \
    --target-cpu native
done
latency "tabular" "$root/examples/tabular.ae" tabular "$tab_lat"

echo; echo "== compile time of the examples (aec build, wall / CPU seconds; default --kernels=auto without"
echo "   the object cache, auto again with every part in the cache, and prebuilt without it)"
compiles=()
# compile_time FILE flags...: "wall/cpu" of one aec build, or "failed".
compile_time() {
  local wall user sys
  if ! { TIMEFORMAT='%R %U %S'; time "$aec" build "$1" "${@:2}" -o "$work/compiled" >/dev/null 2>&1; } 2> "$work/time"; then
    echo failed; return
  fi
  read -r wall user sys < "$work/time"
  echo "$wall/$(pyf "round($user + $sys, 2)")"
}
for f in "$root"/examples/*.ae; do
  auto=$(compile_time "$f" --no-cache)
  compile_time "$f" >/dev/null # fills the cache
  cached=$(compile_time "$f")
  prebuilt=$(compile_time "$f" --kernels=prebuilt --no-cache)
  echo "$(basename "$f"): auto ${auto} s, cached ${cached} s, prebuilt ${prebuilt} s"
  compiles+=("$(printf '%-34s %12s %12s %12s' "compile $(basename "$f")" "$auto" "$cached" "$prebuilt")")
done

if [ "${AEC_BENCH_QUALITY:-0}" = 1 ]; then
  echo; echo "== quality: test MSE after 10 epochs"
  "$work/fashion_mlp" train --data "$data/train-images-idx3-ubyte.gz" --epochs 10 --save "$work/w10.aew" | tail -n 1
  "$work/fashion_mlp" eval --weights "$work/w10.aew" --data "$data/t10k-images-idx3-ubyte.gz"
  "$py" "$root/bench/torch_peer.py" mlp 10 256 1
  if [ -f "$peers/pca.py" ]; then (cd "$peers" && "$py" pca.py 32); fi
fi

echo; echo "== summary (sgemm peak $peak GFLOP/s, probed with $peak_steal CPU steal; shared machine: compare within"
echo "   this run, and distrust a row whose steal (hypervisor time given to other guests) is high)"
printf '%-34s %12s %12s %8s %8s %6s\n' workload aec pytorch ratio "of peak" steal
printf '%s\n' "${summary[@]}"
printf '\n%-34s %12s %12s %12s\n' "compile wall/cpu s" auto cached prebuilt
printf '%s\n' "${compiles[@]}"
