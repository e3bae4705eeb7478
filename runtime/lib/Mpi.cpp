//===- Mpi.cpp - MPI through dlopen, Open MPI's ABI -----------------------===//
//
// The few MPI functions and handles the runtime uses are declared here for
// Open MPI's ABI (libmpi.so.40, Open MPI 3.x to 5.x): handles are pointers
// to predefined objects exported by the library (MPI_COMM_WORLD is
// &ompi_mpi_comm_world, MPI_FLOAT &ompi_mpi_float, MPI_SUM
// &ompi_mpi_op_sum), found with dlsym, and MPI_IN_PLACE is (void *)1.
// MPICH and its ABI relatives (Intel MPI, MVAPICH; libmpi.so.12) differ:
// handles are ints (MPI_COMM_WORLD 0x44000000, MPI_FLOAT 0x4c00040a,
// MPI_SUM 0x58000003) and MPI_IN_PLACE is (void *)-1; supporting them means
// a second table of these constants, chosen by the library loaded.
//
// The library is loaded RTLD_GLOBAL: Open MPI's own plugins, which it
// dlopens in MPI_Init, resolve their symbols against it.
//
//===----------------------------------------------------------------------===//

#include "Mpi.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <sched.h>
#include <string>
#include <vector>

using namespace nnrt;

namespace {
using Handle = void *;  // MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler,
                        // MPI_Info, MPI_Win
using Aint = ptrdiff_t; // MPI_Aint

struct Api {
  int (*init)(int *, char ***);
  int (*commRank)(Handle, int *);
  int (*commSize)(Handle, int *);
  int (*commSetErrhandler)(Handle, Handle);
  int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
  int (*barrier)(Handle);
  int (*commSplitType)(Handle, int, int, Handle, Handle *);
  int (*winAllocateShared)(Aint, int, Handle, Handle, void *, Handle *);
  int (*winSharedQuery)(Handle, int, Aint *, int *, void *);
  int (*winLockAll)(int, Handle);
  int (*winUnlockAll)(Handle);
  int (*winSync)(Handle);
  int (*winFree)(Handle *);
  int (*errorString)(int, char *, int *);
  int (*abort)(Handle, int);
  int (*finalize)();
  Handle world, f32, f64, u64, sum, min, max, errorsReturn, infoNull;
};

/// Open MPI's MPI_COMM_TYPE_SHARED (the first of its split types).
constexpr int kCommTypeShared = 0;

/// A cache line, in floats.
constexpr size_t kLineFloats = 16;

/// Tens of microseconds of pauses (x86: 65 to 140 cycles each).
constexpr unsigned kSpinsBeforeYield = 1000;

/// Tells the core that this is a spin-wait (x86 `pause`, Arm `yield`).
inline void spinPause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

Api api;
MpiJob job;
bool started = false;
void *const kInPlace = reinterpret_cast<void *>(1);

/// The launcher variable that says this process is part of an MPI job, and
/// whether it names a job of one process (then MPI is not needed).
const char *launcherVariable(bool &single) {
  single = false;
  for (const char *size : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char *v = getenv(size); v && *v) {
      single = strcmp(v, "1") == 0;
      return size;
    }
  if (const char *v = getenv("PMIX_RANK"); v && *v)
    return "PMIX_RANK";
  return nullptr;
}

Status mpiError(const char *what, int code) {
  char text[512] = {0};
  int length = 0;
  if (api.errorString && api.errorString(code, text, &length) != 0)
    snprintf(text, sizeof text, "error code %d", code);
  return nnrt_status_make("rank %d of %d: %s failed: %s", job.rank, job.size,
                          what, text);
}

Status load(const char *variable) {
  const char *path = getenv("NNRT_LIBMPI");
  if (!path || !*path)
    path = "libmpi.so.40";
  void *lib = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!lib) {
    const char *why = dlerror();
    return nnrt_status_make(
        "started by an MPI launcher (%s=%s) but the MPI library %s cannot "
        "be loaded (%s): install Open MPI (Debian: libopenmpi3, "
        "openmpi-bin), or run without mpirun",
        variable, getenv(variable), path, why ? why : "not found");
  }
  std::string missing;
  auto sym = [&](const char *name) {
    void *p = dlsym(lib, name);
    if (!p && missing.empty())
      missing = name;
    return p;
  };
#define NNRT_MPI_FN(field, name)                                               \
  api.field = reinterpret_cast<decltype(api.field)>(sym(name))
  NNRT_MPI_FN(init, "MPI_Init");
  NNRT_MPI_FN(commRank, "MPI_Comm_rank");
  NNRT_MPI_FN(commSize, "MPI_Comm_size");
  NNRT_MPI_FN(commSetErrhandler, "MPI_Comm_set_errhandler");
  NNRT_MPI_FN(allreduce, "MPI_Allreduce");
  NNRT_MPI_FN(barrier, "MPI_Barrier");
  NNRT_MPI_FN(commSplitType, "MPI_Comm_split_type");
  NNRT_MPI_FN(winAllocateShared, "MPI_Win_allocate_shared");
  NNRT_MPI_FN(winSharedQuery, "MPI_Win_shared_query");
  NNRT_MPI_FN(winLockAll, "MPI_Win_lock_all");
  NNRT_MPI_FN(winUnlockAll, "MPI_Win_unlock_all");
  NNRT_MPI_FN(winSync, "MPI_Win_sync");
  NNRT_MPI_FN(winFree, "MPI_Win_free");
  NNRT_MPI_FN(errorString, "MPI_Error_string");
  NNRT_MPI_FN(abort, "MPI_Abort");
  NNRT_MPI_FN(finalize, "MPI_Finalize");
#undef NNRT_MPI_FN
  api.world = sym("ompi_mpi_comm_world");
  api.f32 = sym("ompi_mpi_float");
  api.f64 = sym("ompi_mpi_double");
  api.u64 = sym("ompi_mpi_uint64_t");
  api.sum = sym("ompi_mpi_op_sum");
  api.min = sym("ompi_mpi_op_min");
  api.max = sym("ompi_mpi_op_max");
  api.errorsReturn = sym("ompi_mpi_errors_return");
  api.infoNull = sym("ompi_mpi_info_null");
  if (!missing.empty())
    return nnrt_status_make("%s is not Open MPI's libmpi.so.40 (no %s); this "
                            "executable speaks Open MPI's ABI",
                            path, missing.c_str());
  return nullptr;
}

/// Sums in pieces of at most 2^30 elements (MPI counts are ints).
Status allreduce(void *data, size_t count, size_t elementBytes, Handle type,
                 Handle op) {
  char *p = static_cast<char *>(data);
  for (size_t done = 0; done < count;) {
    int n = (int)std::min<size_t>(count - done, size_t(1) << 30);
    if (int rc = api.allreduce(kInPlace, p + done * elementBytes, n, type, op,
                               api.world))
      return mpiError("MPI_Allreduce", rc);
    done += n;
  }
  return nullptr;
}
/// The shared-memory windows of MpiBufferSum, freed before MPI_Finalize.
std::vector<Handle> windows;
} // namespace

const MpiJob &nnrt::mpiJob() { return job; }

Status nnrt::mpiStart() {
  bool single = false;
  const char *variable = launcherVariable(single);
  if (!variable || single || started)
    return nullptr;
  NNRT_TRY(load(variable));
  if (int rc = api.init(nullptr, nullptr))
    return mpiError("MPI_Init", rc);
  started = true;
  // Failures come back as codes, to be reported with the rank, not as
  // Open MPI's own abort.
  api.commSetErrhandler(api.world, api.errorsReturn);
  if (int rc = api.commRank(api.world, &job.rank))
    return mpiError("MPI_Comm_rank", rc);
  if (int rc = api.commSize(api.world, &job.size))
    return mpiError("MPI_Comm_size", rc);
  return nullptr;
}

Status nnrt::mpiSum(float *data, size_t count) {
  return started ? allreduce(data, count, sizeof(float), api.f32, api.sum)
                 : nullptr;
}

Status nnrt::mpiSum(double *data, size_t count) {
  return started ? allreduce(data, count, sizeof(double), api.f64, api.sum)
                 : nullptr;
}

Status nnrt::mpiSame(uint64_t value, bool &out) {
  out = true;
  if (!started)
    return nullptr;
  uint64_t low = value, high = value;
  NNRT_TRY(allreduce(&low, 1, sizeof low, api.u64, api.min));
  NNRT_TRY(allreduce(&high, 1, sizeof high, api.u64, api.max));
  out = low == high;
  return nullptr;
}

void nnrt::mpiFinish(int exitCode) {
  if (!started)
    return;
  started = false;
  if (exitCode != 0) {
    api.abort(api.world, exitCode);
    return;
  }
  // Collective, like MPI_Finalize: every rank gets here after success.
  for (Handle &w : windows) {
    api.winUnlockAll(w);
    api.winFree(&w);
  }
  windows.clear();
  api.finalize();
}

Status MpiBufferSum::create(std::vector<size_t> sizes,
                            std::unique_ptr<MpiBufferSum> &out) {
  auto sum = std::unique_ptr<MpiBufferSum>(new MpiBufferSum);
  sum->sizes = std::move(sizes);
  for (size_t n : sum->sizes) {
    sum->offsets.push_back(sum->total);
    sum->total += n;
  }
  out = std::move(sum);
  if (!started)
    return nullptr;
  const char *env = getenv("NNRT_MPI_SHARED_SUM");
  uint64_t wanted = !(env && !strcmp(env, "0"));
  // Every rank must take the same way, whatever its environment.
  NNRT_TRY(allreduce(&wanted, 1, sizeof wanted, api.u64, api.min));
  if (!wanted)
    return nullptr;
  Handle node = nullptr;
  if (int rc = api.commSplitType(api.world, kCommTypeShared, job.rank,
                                 api.infoNull, &node))
    return mpiError("MPI_Comm_split_type", rc);
  int nodeSize = 0;
  if (int rc = api.commSize(node, &nodeSize))
    return mpiError("MPI_Comm_size", rc);
  if (nodeSize != job.size)
    return nullptr; // ranks on several nodes: MPI_Allreduce
  // Ordered by world rank (the split key), so node rank = world rank.
  MpiBufferSum &m = *out;
  m.node = node;
  // Every rank's segment holds what it publishes (its own slice unused);
  // rank 0's holds the summed concatenation after it.
  // Rank 0's also holds the barrier's counter and generation, a cache
  // line before the result.
  size_t floats = std::max<size_t>(m.total, 1) * (job.rank == 0 ? 2 : 1) +
                  (job.rank == 0 ? kLineFloats : 0);
  NNRT_TRY(m.allocate(floats, "the gradient sums", m.segments));
  m.turnstile = reinterpret_cast<uint32_t *>(m.segments[0] +
                                             std::max<size_t>(m.total, 1));
  m.result = m.segments[0] + std::max<size_t>(m.total, 1) + kLineFloats;
  if (job.rank == 0)
    m.turnstile[0] = m.turnstile[1] = 0;
  // Everyone sees the zeroed counter before the first barrier.
  if (int rc = api.barrier(node))
    return mpiError("MPI_Barrier", rc);
  return nullptr;
}

Status MpiBufferSum::allocate(size_t floats, const char *what,
                              std::vector<float *> &segments) {
  float *base = nullptr;
  Handle win = nullptr;
  if (int rc =
          api.winAllocateShared((Aint)(floats * sizeof(float)), sizeof(float),
                                api.infoNull, node, &base, &win)) {
    std::string call = std::string("MPI_Win_allocate_shared (node shared "
                                   "memory for ") +
                       what +
                       "; NNRT_MPI_SHARED_SUM=0 sums with MPI_Allreduce "
                       "instead)";
    return mpiError(call.c_str(), rc);
  }
  windows.push_back(win);
  ownWindows.push_back(win);
  segments.clear();
  for (int k = 0; k < job.size; ++k) {
    Aint bytes = 0;
    int unit = 0;
    float *segment = nullptr;
    if (int rc = api.winSharedQuery(win, k, &bytes, &unit, &segment))
      return mpiError("MPI_Win_shared_query", rc);
    segments.push_back(segment);
  }
  if (int rc = api.winLockAll(0, win))
    return mpiError("MPI_Win_lock_all", rc);
  return nullptr;
}

Status MpiBufferSum::sharedArray(size_t floats, float *&out) {
  std::vector<float *> segments;
  NNRT_TRY(allocate(job.rank == 0 ? std::max<size_t>(floats, 1) : 0,
                    "the parameters and optimizer state", segments));
  out = segments[0];
  return nullptr;
}

Status MpiBufferSum::barrier() {
  // Win_sync orders this rank's stores to the windows before the barrier
  // and the other ranks' stores before this rank's loads after it.
  for (Handle w : ownWindows)
    api.winSync(w);
  // A counter in the window, the last rank to arrive opening the next
  // generation. The waiting ranks spin with a pause: on a machine whose
  // cores share a physical core or a power budget, MPI_Barrier's plain
  // spinning slowed the rank still computing by 10% (a pausing spin: 3%),
  // and that is the rank everyone waits for. A rank that dies is noticed by
  // the launcher, which ends the others.
  uint32_t *count = turnstile, *generation = turnstile + 1;
  uint32_t mine = __atomic_load_n(generation, __ATOMIC_ACQUIRE);
  if (__atomic_add_fetch(count, 1, __ATOMIC_ACQ_REL) == (uint32_t)job.size) {
    __atomic_store_n(count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(generation, mine + 1, __ATOMIC_RELEASE);
  } else {
    // After a while (more ranks than cores: the awaited one may not be
    // running), the core goes to others.
    for (unsigned spins = 0;
         __atomic_load_n(generation, __ATOMIC_ACQUIRE) == mine; ++spins)
      if (spins < kSpinsBeforeYield)
        spinPause();
      else
        sched_yield();
  }
  for (Handle w : ownWindows)
    api.winSync(w);
  return nullptr;
}

/// Calls f(buffer index, begin, end) for the pieces of the buffers that the
/// flat index range [lo, hi) of their concatenation covers.
template <typename F>
static void forPieces(const std::vector<size_t> &offsets,
                      const std::vector<size_t> &sizes, size_t lo, size_t hi,
                      F f) {
  for (size_t i = 0; i < sizes.size(); ++i) {
    size_t begin = std::max(lo, offsets[i]),
           end = std::min(hi, offsets[i] + sizes[i]);
    if (begin < end)
      f(i, begin, end);
  }
}

/// dst[j] = a[j] + b[j] (dst may be a or b), eight lanes at a time: the
/// runtime is built -O2, at which GCC leaves such a loop scalar.
static void addInto(float *dst, const float *a, const float *b, size_t n) {
  typedef float Lanes __attribute__((vector_size(32)));
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    Lanes x, y;
    memcpy(&x, a + j, sizeof x);
    memcpy(&y, b + j, sizeof y);
    x += y;
    memcpy(dst + j, &x, sizeof x);
  }
  for (; j < n; ++j)
    dst[j] = a[j] + b[j];
}

Status MpiBufferSum::sum(float *const *buffers, std::vector<const float *> &out,
                         const OwnSlice &ownSlice) {
  out.assign(buffers, buffers + sizes.size());
  if (!started)
    return nullptr;
  if (!shared()) {
    for (size_t i = 0; i < sizes.size(); ++i)
      NNRT_TRY(mpiSum(buffers[i], sizes[i]));
    return nullptr;
  }
  // Rank r owns the flat slice [T r/K, T (r+1)/K) of the concatenation: it
  // publishes the rest of its buffers in its segment, then sums its slice
  // over the ranks in rank order (so the bits do not depend on which rank
  // sums) into the shared result, which every rank reads after the second
  // barrier. Two barriers per step keep the next step's writes off what a
  // slower rank may still be reading.
  const int K = job.size, R = job.rank;
  size_t lo = total * R / K, hi = total * (R + 1) / K;
  float *mine = segments[R];
  auto publish = [&](size_t i, size_t begin, size_t end) {
    std::copy(buffers[i] + (begin - offsets[i]),
              buffers[i] + (end - offsets[i]), mine + begin);
  };
  forPieces(offsets, sizes, 0, lo, publish);
  forPieces(offsets, sizes, hi, total, publish);
  NNRT_TRY(barrier());
  forPieces(offsets, sizes, lo, hi, [&](size_t i, size_t begin, size_t end) {
    const float *own = buffers[i] + (begin - offsets[i]);
    auto term = [&](int k) { return k == R ? own : segments[k] + begin; };
    float *sum = result + begin;
    size_t n = end - begin;
    addInto(sum, term(0), term(1), n);
    for (int k = 2; k < K; ++k)
      addInto(sum, sum, term(k), n);
  });
  if (ownSlice)
    NNRT_TRY(ownSlice(lo, hi, result));
  NNRT_TRY(barrier());
  for (size_t i = 0; i < sizes.size(); ++i)
    out[i] = result + offsets[i];
  return nullptr;
}
