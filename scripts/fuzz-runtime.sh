#!/usr/bin/env bash
# Fuzzes the runtime's readers (npy, IDX, CSV, raw, gzip, .aew) with
# libFuzzer under ASan+UBSan, one target after the other. See
# docs/robustness.md.
#
#   scripts/fuzz-runtime.sh [seconds per reader] [readers...]   default 120, all
#
# Builds the aec_rt_fuzz_* targets in build-fuzz (shared with
# scripts/fuzz.sh; only the runtime is compiled for them), writes seed
# corpora (test/fuzz/make_runtime_seeds.py, plus the bodies of two reference
# checkpoints for .aew), runs the regressions in test/lit/fuzz-regressions/
# runtime/<reader>/ once, then fuzzes. Everything goes to $AEC_FUZZ_WORK
# (default ${TMPDIR:-/tmp}/aec-fuzz)/runtime/<reader>, never into the
# repository; corpora persist between runs. Crashes are minimized into
# .../artifacts/min-*: add each to test/lit/fuzz-regressions/runtime/<reader>/
# (test/lit/fuzz-regressions/runtime.test runs them all) and fix the bug.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-120}
shift || true
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=(npy idx csv raw gzip aew)
build=${AEC_FUZZ_BUILD_DIR:-$root/build-fuzz}
work=${AEC_FUZZ_WORK:-${TMPDIR:-/tmp}/aec-fuzz}/runtime
flags=(-max_len=65536 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEC_FUZZ=ON || exit 1
fi
ninja -C "$build" -j2 aec_rt_fuzzers ref_ae || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Seeds: valid and broken files of every format; two real checkpoints.
mkdir -p "$work/seeds"
python3 "$root/test/lit/runtime/Inputs/gen_data.py" "$work/seeds/data" > /dev/null || exit 1
"$build/bin/ref_ae" train --data "$work/seeds/data/train.npy" --epochs 1 --save "$work/seeds/a.aew" > /dev/null 2>&1
"$build/bin/ref_ae" train --data "$work/seeds/data/train.npy" --epochs 1 --save "$work/seeds/b.aew" --seed 3 > /dev/null 2>&1
python3 "$root/test/fuzz/make_runtime_seeds.py" "$work/seeds" "$work/seeds/a.aew" "$work/seeds/b.aew" || exit 1
cp "$work/seeds/data"/* "$work/seeds/gzip/"

status=0
for r in "${readers[@]}"; do
  fuzzer=$build/bin/aec_rt_fuzz_$r
  mkdir -p "$work/$r/corpus" "$work/$r/artifacts"
  regress=$root/test/lit/fuzz-regressions/runtime/$r
  if compgen -G "$regress/*" > /dev/null; then
    "$fuzzer" "${flags[@]}" "$regress"/* > "$work/$r/once.log" 2>&1 || { echo "fuzz-runtime: $r regression FAILED"; status=1; }
  fi
  echo "fuzz-runtime: $r for $seconds s (log: $work/$r/fuzz.log)"
  nice "$fuzzer" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/$r/artifacts/" "$work/$r/corpus" "$work/seeds/$r" > "$work/$r/fuzz.log" 2>&1
  [ $? -eq 0 ] || status=1
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|SUMMARY' \
    "$work/$r/fuzz.log" | sed "s/^/  $r: /"
  for a in "$work/$r"/artifacts/crash-* "$work/$r"/artifacts/timeout-* "$work/$r"/artifacts/oom-* \
           "$work/$r"/artifacts/leak-*; do
    [ -e "$a" ] || continue
    status=1
    min="$work/$r/artifacts/min-$(basename "$a")"
    [ -e "$min" ] || "$fuzzer" "${flags[@]}" -minimize_crash=1 -max_total_time=60 -exact_artifact_path="$min" \
      "$a" > "$work/$r/minimize.log" 2>&1 || true
    [ -e "$min" ] || cp "$a" "$min"
    echo "fuzz-runtime: $r: $(basename "$a") -> $min ($(wc -c < "$min") bytes)"
  done
done
[ $status -eq 0 ] && echo "fuzz-runtime: no crash" || echo "fuzz-runtime: FAILURES (see $work/*/artifacts)"
exit $status
