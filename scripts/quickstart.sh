#!/usr/bin/env bash
# Sets up, builds nnc and runs the main job on an example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
cd "$root"
# The main job: compile the Fashion-MNIST MLP and train it on the real data.
"$build/bin/nnc" examples/fashion_mnist_mlp.nn -o "$build/fashion_mnist_mlp"
"$build/fashion_mnist_mlp" train --save "$build/fashion_mnist_mlp.safetensors"
