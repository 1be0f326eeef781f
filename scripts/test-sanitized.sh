#!/usr/bin/env bash
# Builds aec, the runtime and the tests with AddressSanitizer + UBSan
# (-DAEC_SANITIZE=ON, in build-asan) and runs the unit tests and the lit suite
# under them. Separate from scripts/test.sh, which it does not slow down.
# See docs/robustness.md.
#
#   scripts/test-sanitized.sh [lit args...]    e.g. -v build-asan/test/lit/sema
#
# Generated programs link libaec_runtime.a, which is sanitized here too: the
# C compiler that aec (and the C-API tests) link with is `cc` from PATH, so
# this script puts a `cc` first on PATH that adds -fsanitize=address,undefined.
# Generated executables then run the runtime under the sanitizers as well.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${AEC_JOBS:-2}

if [ ! -f "$build/build.ninja" ]; then
  CC=${CC:-gcc} CXX=${CXX:-g++} cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEC_SANITIZE=ON \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" || exit 1
fi
ninja -C "$build" -j"$jobs" || exit 1

# The linking `cc`: the compiler the runtime was built with, plus the sanitizers.
cc_real=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
mkdir -p "$build/sanitize-bin"
cat > "$build/sanitize-bin/cc" <<WRAP
#!/bin/sh
exec "${cc_real:-gcc}" -fsanitize=address,undefined "\$@"
WRAP
chmod +x "$build/sanitize-bin/cc"
export PATH="$build/sanitize-bin:$PATH"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
if [ -x "$build/bin/aec_unit_tests" ]; then
  echo "== unit tests (ASan+UBSan)"
  "$build/bin/aec_unit_tests" || status=1
fi
echo "== lit (ASan+UBSan)"
if [ $# -gt 0 ]; then
  python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$@" || status=1
else
  python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$build/test/lit" || status=1
fi
exit $status
