#!/bin/sh
# Builds the libFuzzer targets for the runtime's readers with Debian's
# clang-14 (ASan + UBSan, every UBSan report fatal, libstdc++ assertions):
#   fuzz/build-runtime.sh OUT_DIR [TARGET...]
# TARGET is idx, csv, npy, safetensors or manifest (default: all); each
# becomes OUT_DIR/TARGET-fuzz. The runtime is plain C++ and zlib, compiled
# from runtime/lib directly: no configured build is needed.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
out=$1
if [ -z "$out" ]; then
  echo "usage: $0 OUT_DIR [idx|csv|npy|safetensors|manifest]..." >&2
  exit 2
fi
shift
targets=${*:-idx csv npy safetensors manifest}
for t in $targets; do
  if [ ! -f "$src/fuzz/runtime/${t}_fuzz.cpp" ]; then
    echo "$0: no target '$t' (fuzz/runtime/${t}_fuzz.cpp)" >&2
    exit 2
  fi
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
cxx=${CLANGXX:-clang++-14}
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT
flags="-std=c++17 -O1 -g -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS
  -fsanitize=address,undefined
  -fno-sanitize-recover=all -I$src/runtime/include -I$src/runtime/lib"
export cxx flags obj src out
# Two compiles at a time: the machines are shared. Main.cpp is the main() of
# the executables nnc makes; libFuzzer brings its own.
ls "$src"/runtime/lib/*.cpp | grep -v '/Main\.cpp$' |
  xargs -P 2 -I{} sh -c \
    '$cxx $flags -fsanitize=fuzzer-no-link -c "{}" -o "$obj/$(basename "{}" .cpp).o"'
ar rcs "$obj/libnnrt-fuzz.a" "$obj"/*.o
echo $targets | tr ' ' '\n' |
  xargs -P 2 -I{} sh -c '$cxx $flags -fsanitize=fuzzer \
    "$src/fuzz/runtime/{}_fuzz.cpp" "$obj/libnnrt-fuzz.a" -lz -ldl \
    -o "$out/{}-fuzz"'
