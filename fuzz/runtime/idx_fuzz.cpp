//===- idx_fuzz.cpp - libFuzzer target for the IDX reader -----------------===//
//
// The input is an IDX file, gzip-compressed or not, as nnrt_idx_read reads
// it (Common.h says what counts as a finding).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes;
  nnrt::Tensor t;
  // The payload follows a 4 + 4 * rank byte header, and nothing else does.
  if (fuzz::readTensor(nnrt::parseIdx, data, size, bytes, t) &&
      t.bytes() + 4 + 4 * (size_t)t.t.rank != bytes.size())
    fuzz::finding("IDX payload size differs from the file's",
                  nnrt::formatShape(t.shape()).c_str());
  return 0;
}
