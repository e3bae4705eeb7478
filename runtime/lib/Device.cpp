//===- Device.cpp - device selection and the thread count -----------------===//
//
// Device selection goes through selectDevice() only: a CUDA build (the
// manifest's device key) runs on the GPU through Cuda.cpp, a CPU build on
// the host.
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

Status nnrt::selectDevice(const Manifest &m, const std::string &name,
                          Place &out) {
  out = Place::Host;
  bool cudaBuild = m.device == "cuda";
  if (name == "cpu" && !cudaBuild)
    return nullptr;
  if (name == "cpu")
    return nnrt_status_make("this executable was built for --target=cuda "
                            "(%s): its code runs on an NVIDIA GPU only "
                            "(rebuild with nnc --target=cpu for the CPU)",
                            m.deviceArch.c_str());
  if (name == "cuda" && !cudaBuild)
    return nnrt_status_make("no CUDA device: this executable was built for "
                            "--target=cpu and has no CUDA support (rebuild "
                            "with nnc --target=cuda)");
  if (name == "cuda") {
    out = Place::Device;
    return cudaStart(m.deviceArch);
  }
  return nnrt_status_make("unknown device '%s' (expected cpu or cuda)",
                          name.c_str());
}
