#!/usr/bin/env bash
# Configures (once) and builds nnc into build/ ($NNC_BUILD_DIR). Extra
# arguments go to ninja; $NNC_CMAKE_ARGS to cmake when it configures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${NNC_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit ${NNC_CMAKE_ARGS:-} >/dev/null
fi
ninja -C "$build" "$@"
