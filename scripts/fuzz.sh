#!/usr/bin/env bash
# Fuzzes the front end (parse + sema + --emit=ast/sema dumps + show table)
# with libFuzzer under ASan+UBSan. See docs/robustness.md.
#
#   scripts/fuzz.sh [seconds]        default 300
#
# Builds build-fuzz (clang-19, -DAEC_FUZZ=ON), runs the hand-picked hostile
# inputs (test/fuzz/make_special_inputs.py) and the fuzz regressions once
# each, then fuzzes for the given time on one worker, seeded from the
# examples, the stdlib and the lit tests. Everything it writes goes to a
# scratch directory ($AEC_FUZZ_WORK, default ${TMPDIR:-/tmp}/aec-fuzz), never
# to the repository; the corpus is kept there between runs. Crash inputs are
# minimized into $AEC_FUZZ_WORK/artifacts/min-*; add each as a lit test under
# test/lit/fuzz-regressions/ and fix the bug. Exit status 1 if anything crashed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
build=${AEC_FUZZ_BUILD_DIR:-$root/build-fuzz}
work=${AEC_FUZZ_WORK:-${TMPDIR:-/tmp}/aec-fuzz}
fuzzer=$build/bin/aec_frontend_fuzzer
flags=(-max_len=4096 -timeout=10 -rss_limit_mb=4096)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEC_FUZZ=ON || exit 1
fi
ninja -C "$build" -j2 aec_frontend_fuzzer || exit 1

mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts" "$work/special"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Seeds: every .ae the project has (copied: the fuzzer may write into corpora).
i=0
while IFS= read -r -d '' f; do
  cp "$f" "$work/seeds/$(printf '%04d' $i)-$(basename "$f")"
  i=$((i + 1))
done < <(find "$root/examples" "$root/stdlib/std" "$root/test/lit" -name '*.ae' -print0 | sort -z)
echo "fuzz: $i seed files"

status=0
# 1. Hostile inputs and earlier crashes, each run once (no length limit; the
# 1 MB ones take up to a minute each under the sanitizers). AEC_FUZZ_SPECIAL=0
# skips them.
once=()
[ "${AEC_FUZZ_SPECIAL:-1}" = 0 ] || python3 "$root/test/fuzz/make_special_inputs.py" "$work/special" || exit 1
[ "${AEC_FUZZ_SPECIAL:-1}" = 0 ] || once=("$work"/special/*.ae)
if compgen -G "$root/test/lit/fuzz-regressions/*.ae" > /dev/null; then
  once+=("$root"/test/lit/fuzz-regressions/*.ae)
fi
echo "fuzz: running ${#once[@]} special inputs and regressions once each"
start=$(date +%s)
for f in "${once[@]}"; do
  if ! "$fuzzer" -timeout=600 -rss_limit_mb=4096 -artifact_prefix="$work/artifacts/" \
      "$f" > "$work/once.log" 2>&1; then
    echo "fuzz: FAILED on $f (log: $work/once-$(basename "$f").log)"
    cp "$work/once.log" "$work/once-$(basename "$f").log"
    status=1
  fi
done
echo "fuzz: special inputs done in $(( $(date +%s) - start )) s"

# 2. Coverage-guided fuzzing, one worker.
echo "fuzz: fuzzing for $seconds s (log: $work/fuzz.log)"
"$fuzzer" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -dict="$root/test/fuzz/ae.dict" -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$work/seeds" 2>&1 | tee "$work/fuzz.log" | grep -E '^#[0-9]+ +(INITED|DONE|pulse)|ERROR|SUMMARY|stat::' 
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# 3. Minimize what crashed.
for a in "$work"/artifacts/crash-* "$work"/artifacts/timeout-* "$work"/artifacts/oom-* \
         "$work"/artifacts/leak-*; do
  [ -e "$a" ] || continue
  status=1
  min="$work/artifacts/min-$(basename "$a")"
  [ -e "$min" ] && continue
  "$fuzzer" "${flags[@]}" -minimize_crash=1 -max_total_time=120 -exact_artifact_path="$min" \
    "$a" > "$work/minimize.log" 2>&1 || true
  [ -e "$min" ] || cp "$a" "$min"
  echo "fuzz: $(basename "$a") -> $min ($(wc -c < "$min") bytes)"
done
[ $status -eq 0 ] && echo "fuzz: no crash" || echo "fuzz: FAILURES (see $work/artifacts)"
exit $status
