#!/usr/bin/env bash
# Installs the Debian packages nnc needs to build, test and run its examples.
# Idempotent and silent when everything is already present.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache libzstd-dev zlib1g-dev
  # the runtime's JSON reader (header-only: built into libnnrt.a)
  nlohmann-json3-dev
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # LLVM's OpenMP runtime: generated code runs its thread blocks on it
  libomp-22-dev
  # tests and references (Debian's python3, not a pyenv one); the format check
  python3 python3-numpy python3-torch clang-14 libclang-rt-14-dev clang-format-22
  # a fast BLAS for the NumPy/PyTorch baselines (Debian otherwise uses reference BLAS)
  libopenblas0-pthread
  # Open MPI: mpirun and libmpi.so.40 for data-parallel training and its tests
  # (executables load libmpi with dlopen; no MPI headers are needed to build)
  openmpi-bin libopenmpi3
  # data sets used by the examples
  dataset-fashion-mnist python3-sklearn
)
# scripts/test.sh --sanitize: clang-22, whose sanitizer runtimes match LLVM
# 22's instrumentation of the generated code.
if [ "${1:-}" = --sanitize ]; then
  packages+=(clang-22 libclang-rt-22-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
