#!/usr/bin/env bash
# Builds aec, the runtime and the tests with AddressSanitizer + UBSan
# (-DAEC_SANITIZE=ON, in build-asan) and runs the unit tests and the lit suite
# under them. Separate from scripts/test.sh, which it does not slow down.
# See docs/robustness.md.
#
#   scripts/test-sanitized.sh [lit args...]    e.g. -v build-asan/test/lit/sema
#   AEC_TSAN_ONLY=1 scripts/test-sanitized.sh   only the ThreadSanitizer part
#   AEC_TSAN=0 scripts/test-sanitized.sh        without it
#
# ThreadSanitizer (last): the runtime compiled from source with
# -fsanitize=thread runs test/runtime/tsan_sessions.c -- the thread pool
# under concurrent callers and two sessions used from two threads -- with
# the reference model and with a model `aec build --emit=obj` generated
# (its kernels run on the pool).
#
# Generated programs link libaec_runtime.a, which is sanitized here too: the
# C compiler that aec (and the C-API tests) link with is `cc` from PATH, so
# this script puts a `cc` first on PATH that adds -fsanitize=address,undefined.
# Generated executables then run the runtime under the sanitizers as well.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${AEC_JOBS:-2}

tsan() {
  local dir=$build/tsan aec_bin=${AEC_TSAN_AEC:-$build/bin/aec} cc=${CC:-gcc}
  mkdir -p "$dir"
  local flags=(-std=gnu11 -O1 -g -fsanitize=thread -I"$root/runtime/include" -I"$root/runtime/src"
               -I"$root/test/runtime")
  local libs=(-lz -lpng -lpthread -lm) rc=0
  echo "== ThreadSanitizer: thread pool, two sessions from two threads"
  "$cc" "${flags[@]}" -DMODEL=ref_ae_model "$root"/runtime/src/*.c "$root/test/runtime/ref_model.c" \
    "$root/test/runtime/tsan_sessions.c" "${libs[@]}" -o "$dir/tsan_ref" || return 1
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$dir/tsan_ref" || rc=1
  if [ -x "$aec_bin" ]; then
    "$aec_bin" build "$root/test/lit/runtime/Inputs/pool_model.ae" --emit=obj -o "$dir/pool.o" || return 1
    "$cc" "${flags[@]}" -DMODEL=pool_model "$root"/runtime/src/*.c "$dir/pool.o" \
      "$root/test/runtime/tsan_sessions.c" "${libs[@]}" -o "$dir/tsan_gen" || return 1
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$dir/tsan_gen" || rc=1
  else
    echo "(no aec at $aec_bin: generated-model run skipped; AEC_TSAN_AEC=path/to/aec)"
  fi
  return $rc
}
if [ "${AEC_TSAN_ONLY:-0}" = 1 ]; then
  tsan
  exit $?
fi

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
if [ "${AEC_TSAN:-1}" != 0 ]; then
  PATH=${PATH#"$build/sanitize-bin:"} tsan || status=1
fi
exit $status
