//===- Device.cpp - device selection and the thread count -----------------===//
//
// Device access goes through selectDevice() only, so a CUDA backend (driver
// API loaded with dlopen) can be added here without touching the loop.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <atomic>
#include <sched.h>

using namespace nnrt;

static std::atomic<int> threadCount{1};

// Generated code with thread blocks runs them on LLVM's OpenMP runtime, which
// the executable links only then; weak, so the runtime works without it.
extern "C" void omp_set_num_threads(int) __attribute__((weak));

extern "C" int nnrt_threads_default(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  return 1;
}

extern "C" void nnrt_threads_set(int count) {
  threadCount = count > 0 ? count : 1;
  if (omp_set_num_threads)
    omp_set_num_threads(threadCount);
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
