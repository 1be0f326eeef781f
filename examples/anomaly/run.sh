#!/usr/bin/env bash
# Anomaly detection end to end on Fashion-MNIST, aec and PyTorch side by side:
# train on the images of one class, `calibrate` a threshold at the 95th
# percentile of the normal images' scores, `score` the 10000 test images and
# report ROC AUC and precision/recall at that threshold (anomaly = any other
# class); then the same model in PyTorch (bench/torch_anomaly.py).
# usage: examples/anomaly/run.sh [NORMAL_CLASS=1] [WORKDIR]
# Needs Debian's python3-numpy and python3-torch (AEC_WITH_PEERS=1 scripts/deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
normal=${1:-1}
work=${2:-$(mktemp -d)}
aec=${AEC:-$root/build/bin/aec}
py=/usr/bin/python3
mkdir -p "$work"
"$py" "$here/anomaly_data.py" "$work" "$normal"
"$aec" build "$here/fashion_anomaly.ae" -o "$work/anomaly"
"$work/anomaly" train --data "$work/normal.npy" --save "$work/w.aew" --log "$work/history.csv" \
  --plot "$work/curve.png" --quiet
"$work/anomaly" calibrate --weights "$work/w.aew" --data "$work/normal.npy" --percentile 95
"$work/anomaly" score --weights "$work/w.aew" --data "$work/test.npy" --out "$work/scores.csv"
"$py" "$here/anomaly_metrics.py" aec "$work/scores.csv" "$work/test_labels.npy"
"$py" "$root/bench/torch_anomaly.py" "$work" 95
echo "anomaly: files in $work (history.csv, curve.png, scores.csv)"
