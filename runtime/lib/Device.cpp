//===- Device.cpp - device selection and the thread count -----------------===//
//
// Device access goes through selectDevice() only, so a CUDA backend (driver
// API loaded with dlopen) can be added here without touching the loop.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <atomic>

using namespace nnrt;

static std::atomic<int> threadCount{1};

extern "C" void nnrt_threads_set(int count) {
  threadCount = count > 0 ? count : 1;
}

extern "C" int nnrt_threads_get(void) { return threadCount; }

Status nnrt::selectDevice(const std::string &name) {
  if (name == "cpu")
    return nullptr;
  if (name == "cuda")
    return nnrt_status_make("no CUDA device: this executable was built for "
                            "--target=cpu and has no CUDA support (rebuild "
                            "with nnc --target=cuda)");
  return nnrt_status_make("unknown device '%s' (expected cpu or cuda)",
                          name.c_str());
}
