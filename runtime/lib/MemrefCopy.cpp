//===- MemrefCopy.cpp - the strided copy that lowered memref.copy calls ---===//
//
// finalize-memref-to-llvm turns a memref.copy between non-contiguous layouts
// (from tensor.pad, tensor.concat, clones) into a call to `memrefCopy`, which
// MLIR ships in libmlir_c_runner_utils. Executables must not depend on MLIR,
// so the runtime provides the function with the same ABI.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>
#include <vector>

namespace {
/// An unranked memref: the rank and a pointer to a ranked descriptor
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
struct UnrankedMemref {
  int64_t rank;
  void *descriptor;
};

struct Strided {
  char *base;
  const int64_t *sizes;
  const int64_t *strides;
};

Strided view(const UnrankedMemref &m, int64_t elemSize) {
  auto *words = static_cast<int64_t *>(m.descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  return {aligned + words[2] * elemSize, words + 3, words + 3 + m.rank};
}
} // namespace

extern "C" void memrefCopy(int64_t elemSize, UnrankedMemref *src,
                           UnrankedMemref *dst) {
  int64_t rank = src->rank;
  Strided from = view(*src, elemSize), to = view(*dst, elemSize);
  for (int64_t d = 0; d < rank; ++d)
    if (from.sizes[d] == 0)
      return;
  // Walk every index in row-major order, like an odometer.
  std::vector<int64_t> index(rank, 0);
  while (true) {
    int64_t srcOff = 0, dstOff = 0;
    for (int64_t d = 0; d < rank; ++d) {
      srcOff += index[d] * from.strides[d];
      dstOff += index[d] * to.strides[d];
    }
    memcpy(to.base + dstOff * elemSize, from.base + srcOff * elemSize,
           elemSize);
    int64_t d = rank - 1;
    for (; d >= 0; --d) {
      if (++index[d] < from.sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
