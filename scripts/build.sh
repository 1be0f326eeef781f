#!/usr/bin/env bash
# Configures and builds aec into ${AEC_BUILD_DIR:-build} (Release, Ninja).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AEC_BUILD_DIR:-$root/build}
"$root/scripts/deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${AEC_BUILD_TYPE:-Release} ${AEC_CMAKE_ARGS:-}
fi
cmake --build "$build" -j "$(nproc)"
