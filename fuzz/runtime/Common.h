//===- Common.h - shared by the runtime's libFuzzer targets -----*- C++ -*-===//
//
// Each target hands its input to a reader the way the file readers do after
// readFile (gzip data inflated first), then checks what comes back: a
// failure must be one message that names the input, a success a tensor
// whose rank, shape and size agree, and whatever the runtime does next with
// a loaded tensor must work on it. A crash, a sanitizer report, a hang, an
// allocation over -malloc_limit_mb or a failed check (abort) is a finding.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FUZZ_RUNTIME_COMMON_H
#define NNC_FUZZ_RUNTIME_COMMON_H

#include "Internal.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fuzz {

/// The name the input goes by; every error message must start with it.
constexpr const char *kPath = "fuzz-input";

[[noreturn]] inline void finding(const char *what, const char *detail) {
  fprintf(stderr, "nnrt-fuzz: %s: %s\n", what, detail);
  abort();
}

/// Consumes `st`. True when it is a failure, which must be a message that
/// starts with `prefix` and says something after it.
inline bool failed(nnrt::Status st, const char *prefix = kPath) {
  if (!st)
    return false;
  const char *msg = nnrt_status_message(st);
  size_t n = strlen(prefix);
  if (strncmp(msg, prefix, n) != 0 || strlen(msg) < n + 4)
    finding("an error that does not name the input", msg);
  nnrt_status_free(st);
  return true;
}

/// A call that must succeed on a tensor the readers accepted.
inline void mustSucceed(nnrt::Status st, const char *what) {
  if (st)
    finding(what, nnrt_status_message(st));
}

/// The input as readFile gives it to the readers: inflated when it starts
/// with the gzip magic. False (the error checked) when that fails.
inline bool fileBytes(const uint8_t *data, size_t size,
                      std::vector<uint8_t> &out) {
  out.assign(data, data + size);
  return !failed(nnrt::inflateIfGzip(kPath, out));
}

/// A tensor a reader returned: consistent, readable to its last byte, and
/// fit for what loadDataset and predict do with it next.
inline void checkTensor(const nnrt::Tensor &t) {
  if (t.t.rank < 0 || t.t.rank > NNRT_MAX_RANK)
    finding("a tensor of bad rank", std::to_string(t.t.rank).c_str());
  if (nnrt::checkedNumel(t.shape()) < 0)
    finding("a tensor of bad shape", nnrt::formatShape(t.shape()).c_str());
  if (!t.t.data || t.place != nnrt::Place::Host)
    finding("a tensor without host data", "");
  const uint8_t *p = t.as<uint8_t>();
  uint8_t sum = 0; // ASan sees a buffer shorter than the shape says
  for (size_t i = 0, n = t.bytes(); i < n; ++i)
    sum += p[i];
  volatile uint8_t sink = sum;
  (void)sink;
  failed(nnrt::checkFinite(kPath, t.t, 1.0));
  failed(nnrt::checkFinite(kPath, t.t, 1.0 / 255));
  nnrt::Tensor copy;
  mustSucceed(copy.alloc(t.t.dtype, t.shape()), "copying a loaded tensor");
  memcpy(copy.t.data, t.t.data, t.bytes());
  mustSucceed(nnrt::convertToF32(copy), "converting a loaded tensor to f32");
}

/// A target whose reader makes one tensor (parseIdx, parseNpy): reads the
/// input as the file reader would and checks the tensor. True when the
/// reader accepted it; `bytes` are what it read.
inline bool readTensor(nnrt::Status (*parse)(const char *,
                                             const std::vector<uint8_t> &,
                                             nnrt::Tensor &),
                       const uint8_t *data, size_t size,
                       std::vector<uint8_t> &bytes, nnrt::Tensor &t) {
  if (!fileBytes(data, size, bytes) || failed(parse(kPath, bytes, t)))
    return false;
  checkTensor(t);
  return true;
}

} // namespace fuzz

#endif // NNC_FUZZ_RUNTIME_COMMON_H
