//===- Cuda.cpp - the CUDA driver, device memory and the mgpu ABI ---------===//
//
// The driver API is loaded at run time (dlopen of libcuda.so.1, or of
// $NNRT_LIBCUDA in tests), so nothing CUDA is needed to build libnnrt or to
// run a CPU executable. Nothing touches the driver until a CUDA session
// starts (cudaStart) or generated code asks for memory or a kernel: module
// "loads" from the global constructors only register the PTX, so `info` and
// `--help` work on any machine.
//
// Failures never abort: the first one is kept, every later call does
// nothing (allocations return NULL, launches are skipped), and cudaCheck()
// reports it as one message. The runtime checks it after each entry call.
//
// The state is heap-allocated and never destroyed: mgpuModuleUnload runs from
// the executable's destructors, after C++ statics are gone.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "nnrt/mgpu.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

using namespace nnrt;

namespace {
// The few driver types and constants used here, as in cuda.h (CUDA 12/13).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;

constexpr CUresult kOutOfMemory = 2;
constexpr int kAttrCcMajor = 75, kAttrCcMinor = 76;
constexpr int kFuncMaxDynamicShared = 8;
constexpr int kJitErrorLog = 5, kJitErrorLogSize = 6, kJitOptLevel = 7;
constexpr unsigned kStreamNonBlocking = 1, kEventDisableTiming = 2;
constexpr unsigned kMemAttachGlobal = 1;
// Dynamic shared memory above this needs an explicit opt-in per function.
constexpr int32_t kDefaultSharedLimit = 48 * 1024;

// Driver entry points, resolved by their versioned names: cuda.h #defines
// e.g. cuMemAlloc to cuMemAlloc_v2, and the plain symbol is the old ABI.
#define NNRT_CUDA_DRIVER(X)                                                    \
  X(cuInit, "cuInit", CUresult(unsigned))                                      \
  X(cuDeviceGet, "cuDeviceGet", CUresult(CUdevice *, int))                     \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute",                              \
    CUresult(int *, int, CUdevice))                                            \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain",                      \
    CUresult(CUcontext *, CUdevice))                                           \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUresult(CUcontext))                   \
  X(cuStreamCreate, "cuStreamCreate", CUresult(CUstream *, unsigned))          \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUresult(CUstream))                 \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult(CUstream))            \
  X(cuStreamWaitEvent, "cuStreamWaitEvent",                                    \
    CUresult(CUstream, CUevent, unsigned))                                     \
  X(cuEventCreate, "cuEventCreate", CUresult(CUevent *, unsigned))             \
  X(cuEventRecord, "cuEventRecord", CUresult(CUevent, CUstream))               \
  X(cuEventSynchronize, "cuEventSynchronize", CUresult(CUevent))               \
  X(cuEventDestroy, "cuEventDestroy_v2", CUresult(CUevent))                    \
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult(CUdeviceptr *, size_t))              \
  X(cuMemFree, "cuMemFree_v2", CUresult(CUdeviceptr))                          \
  X(cuMemAllocManaged, "cuMemAllocManaged",                                    \
    CUresult(CUdeviceptr *, size_t, unsigned))                                 \
  X(cuMemHostAlloc, "cuMemHostAlloc", CUresult(void **, size_t, unsigned))     \
  X(cuMemFreeHost, "cuMemFreeHost", CUresult(void *))                          \
  X(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2",                                 \
    CUresult(CUdeviceptr, const void *, size_t, CUstream))                     \
  X(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2",                                 \
    CUresult(void *, CUdeviceptr, size_t, CUstream))                           \
  X(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2",                                 \
    CUresult(CUdeviceptr, CUdeviceptr, size_t, CUstream))                      \
  X(cuMemcpyAsync, "cuMemcpyAsync",                                            \
    CUresult(CUdeviceptr, CUdeviceptr, size_t, CUstream))                      \
  X(cuMemsetD32Async, "cuMemsetD32Async",                                      \
    CUresult(CUdeviceptr, unsigned, size_t, CUstream))                         \
  X(cuMemsetD16Async, "cuMemsetD16Async",                                      \
    CUresult(CUdeviceptr, unsigned short, size_t, CUstream))                   \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx",                                  \
    CUresult(CUmodule *, const void *, unsigned, int *, void **))              \
  X(cuModuleGetFunction, "cuModuleGetFunction",                                \
    CUresult(CUfunction *, CUmodule, const char *))                            \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", CUresult(CUfunction, int, int))  \
  X(cuLaunchKernel, "cuLaunchKernel",                                          \
    CUresult(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,     \
             unsigned, unsigned, CUstream, void **, void **))                  \
  X(cuGetErrorName, "cuGetErrorName", CUresult(CUresult, const char **))       \
  X(cuGetErrorString, "cuGetErrorString", CUresult(CUresult, const char **))

struct Driver {
#define NNRT_FIELD(name, symbol, type) std::add_pointer_t<type> name = nullptr;
  NNRT_CUDA_DRIVER(NNRT_FIELD)
#undef NNRT_FIELD
};

/// A kernel module as generated code registered it; loaded on first use.
struct Module {
  const void *image = nullptr;
  bool jit = false; // PTX text (JIT-compiled by the driver), else cubin/fatbin
  int optLevel = 2;
  CUmodule handle = nullptr;
  bool unloaded = false;
  std::unordered_map<const char *, CUfunction> functions; // by name pointer
};

struct State {
  std::mutex mu;
  bool started = false; // the driver was asked for (successfully or not)
  std::string error;    // the first failure; sticky
  void *lib = nullptr;
  Driver d;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  int ccMajor = 0, ccMinor = 0;
  std::vector<Module *> modules;
  std::unordered_map<CUfunction, int32_t> sharedOptIn;
  // The caching allocator: live blocks with their size class, and free
  // blocks by size class. Freed blocks are reused by later work on the one
  // stream, which orders them after the work that used them.
  std::unordered_map<CUdeviceptr, size_t> live;
  std::map<size_t, std::vector<CUdeviceptr>> cache;
  std::unordered_set<CUdeviceptr> managed;
  DeviceStats stats;
  uint64_t syncs = 0;
  // An mgpuMemcpy (which may write host memory) was queued since the last
  // synchronization: generated code's next mgpuStreamSynchronize must wait.
  bool copyQueued = false;
};

State &state() {
  static State *s = new State;
  return *s;
}

void fail(State &s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(State &s, const char *fmt, ...) {
  if (!s.error.empty())
    return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  s.error = buf;
}

/// "CUDA_ERROR_NO_DEVICE in cuInit (no CUDA-capable device is detected)".
std::string describe(State &s, CUresult r, const char *call) {
  const char *name = nullptr, *text = nullptr;
  if (s.d.cuGetErrorName)
    s.d.cuGetErrorName(r, &name);
  if (s.d.cuGetErrorString)
    s.d.cuGetErrorString(r, &text);
  std::string out = name ? name : "error " + std::to_string(r);
  out += std::string(" in ") + call;
  if (text)
    out += std::string(" (") + text + ")";
  return out;
}

bool check(State &s, CUresult r, const char *call) {
  if (r == 0)
    return true;
  fail(s, "CUDA error %s", describe(s, r, call).c_str());
  return false;
}

bool loadDriver(State &s) {
  const char *path = getenv("NNRT_LIBCUDA");
  if (!path || !*path)
    path = "libcuda.so.1";
  s.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!s.lib) {
    const char *why = dlerror();
    if (!why || strstr(why, "No such file"))
      fail(s,
           "no NVIDIA driver: %s not found (this executable was built for "
           "--target=cuda)",
           path);
    else
      fail(s, "no NVIDIA driver: cannot load %s: %s", path, why);
    return false;
  }
#define NNRT_LOAD(name, symbol, type)                                          \
  s.d.name = reinterpret_cast<std::add_pointer_t<type>>(dlsym(s.lib, symbol)); \
  if (!s.d.name) {                                                             \
    fail(s,                                                                    \
         "the NVIDIA driver is too old: %s has no %s (a driver for CUDA 12 "   \
         "or newer is needed)",                                                \
         path, symbol);                                                        \
    return false;                                                              \
  }
  NNRT_CUDA_DRIVER(NNRT_LOAD)
#undef NNRT_LOAD
  return true;
}

/// Starts the driver once: device 0, its primary context made current once,
/// one non-blocking stream for all work. False after any failure.
bool ready(State &s) {
  if (!s.started) {
    s.started = true;
    if (!loadDriver(s))
      return false;
    Driver &d = s.d;
    if (!check(s, d.cuInit(0), "cuInit") ||
        !check(s, d.cuDeviceGet(&s.device, 0), "cuDeviceGet") ||
        !check(s, d.cuDeviceGetAttribute(&s.ccMajor, kAttrCcMajor, s.device),
               "cuDeviceGetAttribute") ||
        !check(s, d.cuDeviceGetAttribute(&s.ccMinor, kAttrCcMinor, s.device),
               "cuDeviceGetAttribute") ||
        !check(s, d.cuDevicePrimaryCtxRetain(&s.context, s.device),
               "cuDevicePrimaryCtxRetain") ||
        !check(s, d.cuCtxSetCurrent(s.context), "cuCtxSetCurrent") ||
        !check(s, d.cuStreamCreate(&s.stream, kStreamNonBlocking),
               "cuStreamCreate"))
      return false;
  }
  return s.error.empty();
}

bool loadModule(State &s, Module &m) {
  if (!ready(s))
    return false;
  if (m.handle)
    return true;
  if (m.unloaded) {
    fail(s, "a kernel module was used after it was unloaded");
    return false;
  }
  // The JIT's own log names the PTX line and the problem.
  char log[4096] = "";
  int options[] = {kJitErrorLog, kJitErrorLogSize, kJitOptLevel};
  void *values[] = {log, reinterpret_cast<void *>(sizeof log),
                    reinterpret_cast<void *>((intptr_t)m.optLevel)};
  CUresult r = s.d.cuModuleLoadDataEx(&m.handle, m.image, m.jit ? 3 : 0,
                                      m.jit ? options : nullptr,
                                      m.jit ? values : nullptr);
  if (r == 0)
    return true;
  m.handle = nullptr;
  log[sizeof log - 1] = 0;
  size_t n = strlen(log);
  while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
    log[--n] = 0;
  fail(s, "CUDA error %s while loading the kernels%s%s",
       describe(s, r, "cuModuleLoadDataEx").c_str(), n ? ": " : "", log);
  return false;
}

size_t sizeClass(size_t bytes) {
  if (bytes <= 512)
    return 512;
  if (bytes <= (1u << 20))
    return (bytes + 511) & ~size_t(511);
  // Quarter steps between powers of two: at most 25% unused.
  size_t p = size_t(1) << (63 - __builtin_clzll(bytes));
  size_t q = p / 4;
  return (bytes + q - 1) / q * q;
}

void releaseCache(State &s) {
  for (auto &[size, blocks] : s.cache)
    for (CUdeviceptr p : blocks) {
      s.d.cuMemFree(p);
      s.stats.cachedBytes -= size;
    }
  s.cache.clear();
}

CUdeviceptr allocate(State &s, size_t bytes) {
  if (!ready(s))
    return 0;
  size_t size = sizeClass(bytes);
  auto it = s.cache.find(size);
  CUdeviceptr p = 0;
  if (it != s.cache.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    s.stats.cachedBytes -= size;
    ++s.stats.cacheHits;
  } else {
    CUresult r = s.d.cuMemAlloc(&p, size);
    if (r == kOutOfMemory && !s.cache.empty()) {
      // Cached blocks of other sizes may be what stands in the way.
      releaseCache(s);
      r = s.d.cuMemAlloc(&p, size);
    }
    if (r == kOutOfMemory) {
      fail(s,
           "out of device memory (CUDA_ERROR_OUT_OF_MEMORY in cuMemAlloc, "
           "%s; %s already in use)",
           formatBytes((double)bytes).c_str(),
           formatBytes((double)s.stats.liveBytes).c_str());
      return 0;
    }
    if (!check(s, r, "cuMemAlloc"))
      return 0;
    ++s.stats.driverAllocs;
  }
  s.live[p] = size;
  s.stats.liveBytes += size;
  return p;
}

void release(State &s, CUdeviceptr p) {
  if (!p || !ready(s))
    return;
  auto it = s.live.find(p);
  if (it == s.live.end()) {
    if (s.managed.erase(p))
      check(s, s.d.cuMemFree(p), "cuMemFree");
    else
      fail(s, "device free of %p, which the device allocator did not hand out",
           reinterpret_cast<void *>(p));
    return;
  }
  s.cache[it->second].push_back(p);
  s.stats.liveBytes -= it->second;
  s.stats.cachedBytes += it->second;
  s.live.erase(it);
}

CUdeviceptr dev(const void *p) { return reinterpret_cast<CUdeviceptr>(p); }

bool synchronize(State &s) {
  if (!ready(s) ||
      !check(s, s.d.cuStreamSynchronize(s.stream), "cuStreamSynchronize"))
    return false;
  ++s.syncs;
  return true;
}

Status statusOf(State &s) {
  return s.error.empty() ? nullptr : nnrt_status_make("%s", s.error.c_str());
}

// Lock the state for the length of a call.
#define NNRT_LOCKED                                                            \
  State &s = state();                                                          \
  std::lock_guard<std::mutex> lock(s.mu)
} // namespace

//===- The runtime's side -------------------------------------------------===//

Status nnrt::cudaCheck() {
  NNRT_LOCKED;
  return statusOf(s);
}

Status nnrt::cudaStart(const std::string &arch) {
  NNRT_LOCKED;
  if (!ready(s))
    return statusOf(s);
  // "sm_90" runs on compute capability 9.0 and newer (the driver JITs the
  // PTX); "sm_90a" uses features of exactly 9.0.
  int want = 0;
  char suffix = 0;
  if (sscanf(arch.c_str(), "sm_%d%c", &want, &suffix) < 1 || want <= 0) {
    fail(s, "this executable names an unknown GPU architecture '%s'",
         arch.c_str());
    return statusOf(s);
  }
  int have = s.ccMajor * 10 + s.ccMinor;
  if (have < want || (suffix && have != want)) {
    fail(s,
         "the GPU is sm_%d but this executable was built for %s (rebuild "
         "with nnc --target=cuda --cuda-arch=sm_%d)",
         have, arch.c_str(), have);
    return statusOf(s);
  }
  for (Module *m : s.modules)
    if (!m->unloaded && !loadModule(s, *m))
      break;
  return statusOf(s);
}

void *nnrt::deviceAlloc(size_t bytes) {
  NNRT_LOCKED;
  return reinterpret_cast<void *>(allocate(s, bytes));
}

void nnrt::deviceFree(void *p) {
  NNRT_LOCKED;
  release(s, dev(p));
}

Status nnrt::copyToDevice(void *dst, const void *src, size_t bytes) {
  NNRT_LOCKED;
  if (bytes && ready(s))
    check(s, s.d.cuMemcpyHtoDAsync(dev(dst), src, bytes, s.stream),
          "cuMemcpyHtoDAsync");
  return statusOf(s);
}

Status nnrt::copyToHost(void *dst, const void *src, size_t bytes) {
  NNRT_LOCKED;
  if (bytes && ready(s) &&
      check(s, s.d.cuMemcpyDtoHAsync(dst, dev(src), bytes, s.stream),
            "cuMemcpyDtoHAsync"))
    synchronize(s);
  return statusOf(s);
}

Status nnrt::copyOnDevice(void *dst, const void *src, size_t bytes) {
  NNRT_LOCKED;
  if (bytes && ready(s))
    check(s, s.d.cuMemcpyDtoDAsync(dev(dst), dev(src), bytes, s.stream),
          "cuMemcpyDtoDAsync");
  return statusOf(s);
}

Status nnrt::deviceSync(uint64_t since) {
  NNRT_LOCKED;
  if (s.syncs == since)
    synchronize(s);
  return statusOf(s);
}

uint64_t nnrt::deviceSyncCount() {
  NNRT_LOCKED;
  return s.syncs;
}

void *nnrt::pinnedAlloc(size_t bytes) {
  NNRT_LOCKED;
  void *p = nullptr;
  // Not recorded: the caller falls back to ordinary host memory.
  if (!ready(s) || s.d.cuMemHostAlloc(&p, bytes ? bytes : 1, 0) != 0)
    return nullptr;
  return p;
}

void nnrt::pinnedFree(void *p) {
  NNRT_LOCKED;
  // Also after a failure (sticky, so ready() is false): the buffer came from
  // this driver and goes back to it.
  if (p && s.d.cuMemFreeHost)
    s.d.cuMemFreeHost(p);
}

DeviceStats nnrt::deviceStats() {
  NNRT_LOCKED;
  return s.stats;
}

//===- What generated code calls (MLIR 22's gpu-to-llvm ABI)
//---------------===//

extern "C" {

static void *registerModule(const void *image, bool jit, int optLevel) {
  NNRT_LOCKED;
  Module *m = new Module;
  m->image = image;
  m->jit = jit;
  m->optLevel = optLevel;
  s.modules.push_back(m);
  return m;
}

// The image lives in the executable's data for the whole run.
void *mgpuModuleLoad(void *data, int64_t /*size*/) {
  return registerModule(data, false, 0);
}

void *mgpuModuleLoadJIT(void *ptx, int32_t optLevel) {
  return registerModule(ptx, true, optLevel);
}

// Called from the executable's destructors at exit. The driver is not
// called: libcuda, loaded with dlopen after the executable, has been
// finalized by then, and its teardown frees the module anyway.
void mgpuModuleUnload(void *module) {
  NNRT_LOCKED;
  if (Module *m = static_cast<Module *>(module)) {
    m->handle = nullptr;
    m->functions.clear();
    m->unloaded = true;
  }
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  NNRT_LOCKED;
  Module *m = static_cast<Module *>(module);
  if (!m || !loadModule(s, *m))
    return nullptr;
  auto it = m->functions.find(name);
  if (it != m->functions.end())
    return it->second;
  CUfunction f = nullptr;
  CUresult r = s.d.cuModuleGetFunction(&f, m->handle, name);
  if (r != 0) {
    fail(s, "CUDA error %s for kernel '%s'",
         describe(s, r, "cuModuleGetFunction").c_str(), name);
    return nullptr;
  }
  m->functions[name] = f;
  return f;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  NNRT_LOCKED;
  if (!function || !ready(s))
    return;
  intptr_t dims[] = {gridX, gridY, gridZ, blockX, blockY, blockZ};
  for (intptr_t d : dims) {
    // An empty grid (a batch of 0 rows) has nothing to do.
    if (d == 0)
      return;
    if (d < 0 || d > 0x7fffffff) {
      fail(s,
           "kernel launch with an invalid grid %ldx%ldx%ld, block "
           "%ldx%ldx%ld",
           (long)gridX, (long)gridY, (long)gridZ, (long)blockX, (long)blockY,
           (long)blockZ);
      return;
    }
  }
  if (smem > kDefaultSharedLimit) {
    int32_t &optIn = s.sharedOptIn[function];
    if (optIn < smem) {
      if (!check(s,
                 s.d.cuFuncSetAttribute(function, kFuncMaxDynamicShared, smem),
                 "cuFuncSetAttribute"))
        return;
      optIn = smem;
    }
  }
  check(s,
        s.d.cuLaunchKernel(function, (unsigned)gridX, (unsigned)gridY,
                           (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                           (unsigned)blockZ, (unsigned)smem,
                           stream ? stream : s.stream, params, extra),
        "cuLaunchKernel");
}

// Every "stream" is the one persistent stream: creating and destroying one
// per launch, as non-async gpu.launch_func does, would cost a sync each.
void *mgpuStreamCreate() {
  NNRT_LOCKED;
  return ready(s) ? s.stream : nullptr;
}

void mgpuStreamDestroy(void *stream) {
  NNRT_LOCKED;
  if (stream && stream != s.stream && ready(s))
    check(s, s.d.cuStreamDestroy(stream), "cuStreamDestroy");
}

// Generated code synchronizes after every non-async launch. On the one
// in-order stream that wait buys nothing: the host never reads device memory
// between kernels (test/Target/CUDA/host-no-device-access.test), freed blocks
// are reused by later work on the same stream, and every download the runtime
// makes synchronizes first. So only a queued mgpuMemcpy is waited for; the
// host queues a whole step without waiting, and a kernel's fault shows at the
// next download.
void mgpuStreamSynchronize(void *stream) {
  NNRT_LOCKED;
  if (!stream || stream == s.stream) {
    if (s.copyQueued && synchronize(s))
      s.copyQueued = false;
  } else if (ready(s)) {
    check(s, s.d.cuStreamSynchronize(stream), "cuStreamSynchronize");
  }
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  NNRT_LOCKED;
  if (event && ready(s))
    check(s, s.d.cuStreamWaitEvent(stream ? stream : s.stream, event, 0),
          "cuStreamWaitEvent");
}

void *mgpuEventCreate() {
  NNRT_LOCKED;
  CUevent e = nullptr;
  if (ready(s))
    check(s, s.d.cuEventCreate(&e, kEventDisableTiming), "cuEventCreate");
  return e;
}

void mgpuEventDestroy(void *event) {
  NNRT_LOCKED;
  if (event && ready(s))
    check(s, s.d.cuEventDestroy(event), "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  NNRT_LOCKED;
  if (event && ready(s))
    check(s, s.d.cuEventSynchronize(event), "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  NNRT_LOCKED;
  if (event && ready(s))
    check(s, s.d.cuEventRecord(event, stream ? stream : s.stream),
          "cuEventRecord");
}

void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/, bool isHostShared) {
  NNRT_LOCKED;
  if (!isHostShared)
    return reinterpret_cast<void *>(allocate(s, bytes));
  CUdeviceptr p = 0;
  if (!ready(s) ||
      !check(s, s.d.cuMemAllocManaged(&p, bytes ? bytes : 1, kMemAttachGlobal),
             "cuMemAllocManaged"))
    return nullptr;
  s.managed.insert(p);
  return reinterpret_cast<void *>(p);
}

void mgpuMemFree(void *p, void * /*stream*/) {
  NNRT_LOCKED;
  release(s, dev(p));
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  NNRT_LOCKED;
  if (bytes && ready(s))
    check(s,
          s.d.cuMemcpyAsync(dev(dst), dev(src), bytes,
                            stream ? stream : s.stream),
          "cuMemcpyAsync");
  s.copyQueued = true;
}

void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  NNRT_LOCKED;
  if (count && ready(s))
    check(s,
          s.d.cuMemsetD32Async(dev(dst), value, count,
                               stream ? stream : s.stream),
          "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream) {
  NNRT_LOCKED;
  if (count && ready(s))
    check(s,
          s.d.cuMemsetD16Async(dev(dst), value, count,
                               stream ? stream : s.stream),
          "cuMemsetD16Async");
}

// finalize-memref-to-llvm{use-generic-functions} sends every host-side
// memref.alloc/dealloc of a CUDA executable here: its buffers are device
// memory. Blocks from cuMemAlloc are 256-byte aligned.
void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  NNRT_LOCKED;
  return reinterpret_cast<void *>(allocate(s, bytes));
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) {
  NNRT_LOCKED;
  if (alignment > 256) {
    fail(s, "device allocation with alignment %zu (at most 256 is supported)",
         alignment);
    return nullptr;
  }
  return reinterpret_cast<void *>(allocate(s, bytes));
}

void _mlir_memref_to_llvm_free(void *p) {
  NNRT_LOCKED;
  release(s, dev(p));
}

} // extern "C"
