#!/usr/bin/env bash
# The GPU checks of docs/cuda.md: `prepare [DIR]` here, `run [DIR]` on the GPU machine
# (from the prepared folder: ./gpu_check.py run). See scripts/gpu_check.py.
set -euo pipefail
exec python3 "$(dirname "$0")/gpu_check.py" "$@"
