#!/usr/bin/env bash
# Installs the Debian 12 packages aec needs, only those that are missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ python3 git
  llvm-19-dev llvm-19-tools clang-19 libclang-rt-19-dev
  antlr4 libantlr4-runtime-dev libfmt-dev zlib1g-dev libpng-dev libgtest-dev
  nlohmann-json3-dev                  # aec lsp, --format=json (issue 11)
  neovim                              # the real-client LSP test (test/lit/editors)
  libcairo2-dev
  dataset-fashion-mnist
  libopenmpi-dev openmpi-bin
  pkgconf
  python3-numpy python3-pytest python3-venv python3-pip python3-setuptools python3-wheel
  python3-torch
  python3-onnx                        # the ONNX export tests check our files with onnx.checker
)
if [ "${AEC_WITH_PEERS:-0}" = 1 ]; then
  packages+=(python3-torch python3-sklearn python3-numpy libopenblas0-pthread)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
