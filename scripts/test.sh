#!/usr/bin/env bash
# Sets up, builds and runs the whole nnc test suite (lit), printing its summary.
#   scripts/test.sh             the suite on build/
#   scripts/test.sh --sanitize  compiler, runtime and every executable the tests
#                               build with ASan and UBSan (clang-22), in
#                               build-sanitize/; any report fails its test
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --sanitize ]; then
  "$root/scripts/setup.sh" --sanitize
  export NNC_BUILD_DIR="${NNC_BUILD_DIR:-$root/build-sanitize}"
  export NNC_CMAKE_ARGS="-DNNC_SANITIZE=ON -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22"
elif [ $# -gt 0 ]; then
  echo "usage: scripts/test.sh [--sanitize]" >&2
  exit 2
else
  "$root/scripts/setup.sh"
fi
"$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
exec /usr/lib/llvm-22/bin/lit -sv "$build/test"
