#!/usr/bin/env bash
# Builds aec and runs every test: unit tests (GoogleTest), then the lit suite.
# Ends with one line `tests: N passed, M failed, K skipped; vector widths tested: ...`
# (the widths test/lit/widths ran at, from lit.cfg.py; the kernel unit tests
# always run all three natively compiled widths).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
# Every build the tests run shares one object cache, emptied for each run
# (test/lit/lit.cfg.py sets the same for lit).
export AEC_CACHE_DIR=$build/test-cache
rm -rf "$AEC_CACHE_DIR"
status=0

"$build/bin/aec_unit_tests" 2>&1 | tee "$logs/unit.log" || status=1
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv --show-unsupported "$build/test/lit" 2>&1 | tee "$logs/lit.log" || status=1

# The Python package's pytest suite (python/tests) with Debian's Python; pytest's
# exit 5 (no tests collected) is not a failure.
py=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c "import numpy, pytest" 2>/dev/null; then py=$p; break; fi
done
if [ -n "$py" ]; then
  rc=0
  (cd "$root/python" && AEC="$build/bin/aec" PYTHONPATH="$root/python" PYTHONDONTWRITEBYTECODE=1 \
     "$py" -m pytest -q -p no:cacheprovider tests) > "$logs/pytest.log" 2>&1 || rc=$?
  cat "$logs/pytest.log"
  [ "$rc" = 0 ] || [ "$rc" = 5 ] || status=1
else
  echo "pytest: skipped (no python3 with numpy and pytest)" | tee "$logs/pytest.log"
fi

count() { sed -n "$2" "$1" | awk '{s += $1} END {print s + 0}'; }
passed=$(( $(count "$logs/unit.log" 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\..*/\1/p') \
         + $(count "$logs/pytest.log" 's/^\(.* \)\{0,1\}\([0-9]*\) passed.* in .*/\2/p') \
         + $(count "$logs/lit.log" 's/^ *\(Passed\|Expectedly Failed\) *: *\([0-9]*\).*/\2/p') ))
failed=$(( $(count "$logs/unit.log" 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below.*/\1/p') \
         + $(count "$logs/pytest.log" 's/^\([0-9]*\) failed.* in .*/\1/p') \
         + $(count "$logs/lit.log" 's/^ *\(Failed\|Unresolved\|Timed Out\|Unexpectedly Passed\) *: *\([0-9]*\).*/\2/p') ))
skipped=$(count "$logs/lit.log" 's/^ *\(Unsupported\|Skipped\) *: *\([0-9]*\).*/\2/p')
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
widths=$(sed -n 's/.*note: vector widths tested: //p' "$logs/lit.log" | head -n 1)
echo "tests: $passed passed, $failed failed, $skipped skipped; vector widths tested: ${widths:-?}"
exit $status
