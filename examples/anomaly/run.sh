#!/usr/bin/env bash
# Anomaly detection end to end on Fashion-MNIST, aec and PyTorch side by side:
# for each seed, train on the images of one class, `calibrate` a threshold at
# the 95th percentile of the normal images' scores, `score` the 10000 test
# images and report ROC AUC and precision/recall at that threshold (anomaly =
# any other class); then the same model and recipe in PyTorch
# (bench/torch_anomaly.py), which for each seed starts from aec's initial
# weights, holds out aec's validation images and takes aec's batch order, so
# only the arithmetic differs. Last: both sides per seed, mean ± sd, and the
# mean paired difference.
# usage: examples/anomaly/run.sh [--seeds N=5] [NORMAL_CLASS=1] [WORKDIR]
#   (seeds 1..N; about 30 CPU-seconds per seed for both sides together)
# Needs Debian's python3-numpy and python3-torch (AEC_WITH_PEERS=1 scripts/deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seeds=5
if [ "${1:-}" = --seeds ]; then seeds=$2; shift 2; fi
normal=${1:-1}
work=${2:-$(mktemp -d)}
aec=${AEC:-$root/build/bin/aec}
py=/usr/bin/python3
mkdir -p "$work"
results="$work/results.csv"
: >"$results"
"$py" "$here/anomaly_data.py" "$work" "$normal"
"$aec" build "$here/fashion_anomaly.ae" -o "$work/anomaly"
for s in $(seq 1 "$seeds"); do
  w="$work/w$s.aew"
  trained=$("$work/anomaly" train --data "$work/normal.npy" --seed "$s" --save "$w" \
    --log "$work/history$s.csv" --plot "$work/curve$s.png" --quiet)
  "$work/anomaly" calibrate --weights "$w" --data "$work/normal.npy" --percentile 95 >/dev/null
  "$work/anomaly" score --weights "$w" --data "$work/test.npy" --out "$work/scores$s.csv"
  "$py" "$here/anomaly_metrics.py" aec "$work/scores$s.csv" "$work/test_labels.npy" \
    --results "$results" --seed "$s" --trained "$trained"
done
"$py" "$root/bench/torch_anomaly.py" "$work" --seeds "$(seq -s, 1 "$seeds")" --percentile 95 \
  --results "$results"
"$py" "$here/anomaly_metrics.py" --summary "$results"
echo "anomaly: files in $work (historyS.csv, curveS.png, scoresS.csv, results.csv)"
