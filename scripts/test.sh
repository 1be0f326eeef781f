#!/usr/bin/env bash
# Builds aec and runs every test: unit tests, then the lit suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
status=0
if [ -x "$build/bin/aec_unit_tests" ]; then
  "$build/bin/aec_unit_tests" || status=1
fi
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$build/test/lit" || status=1
exit $status
