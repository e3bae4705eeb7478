#!/usr/bin/env bash
# Sets up, builds and runs the whole nnc test suite (lit), printing its summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
exec /usr/lib/llvm-22/bin/lit -sv "$build/test"
