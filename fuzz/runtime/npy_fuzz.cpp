//===- npy_fuzz.cpp - libFuzzer target for the .npy reader ----------------===//
//
// The input is a .npy file, gzip-compressed or not, as nnrt_npy_read reads
// it (Common.h says what counts as a finding).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes;
  nnrt::Tensor t;
  if (!fuzz::readTensor(nnrt::parseNpy, data, size, bytes, t))
    return 0;
  // The data fills the file after the header (its length is a u16 at byte 8
  // in version 1, a u32 in versions 2 and 3).
  size_t header = bytes[6] == 1
                      ? 10 + (bytes[8] | bytes[9] << 8)
                      : 12 + (bytes[8] | bytes[9] << 8 | bytes[10] << 16 |
                              (size_t)bytes[11] << 24);
  if (t.bytes() + header != bytes.size())
    fuzz::finding("a .npy payload that does not fill the file",
                  nnrt::formatShape(t.shape()).c_str());
  return 0;
}
