#!/bin/sh
# Builds the libFuzzer target for the .nn frontend with Debian's clang-14:
#   fuzz/build.sh BUILD_DIR OUT_BINARY
# BUILD_DIR is a configured nnc build with libMLIRNN.a built (ninja MLIRNN).
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1
out=$2
llvm=/usr/lib/llvm-22
cxx=${CLANGXX:-clang++-14}
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT
export cxx src build llvm obj
# Two compiles at a time: the machines are shared.
ls "$src"/compiler/lib/Frontend/*.cpp "$src"/fuzz/nnc_fuzz.cpp |
  xargs -P 2 -I{} sh -c '"$cxx" -std=c++17 -O1 -g \
    -fsanitize=fuzzer-no-link,address -fno-exceptions \
    -D_GLIBCXX_USE_CXX11_ABI=1 -DNNC_STDLIB_SOURCE_DIR="\"$src/stdlib\"" \
    -I"$src/compiler/include" -I"$src/dialects/include" \
    -I"$build/dialects/include" -isystem "$llvm/include" \
    -c {} -o "$obj/$(basename {} .cpp).o"'
"$cxx" -fsanitize=fuzzer,address "$obj"/*.o "$build/lib/libMLIRNN.a" \
  -L"$llvm/lib" -Wl,-rpath,"$llvm/lib" -lMLIR -lLLVM -o "$out"
