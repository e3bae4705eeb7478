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
#include <string>

using namespace nnrt;

namespace {
using Handle = void *; // MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler

struct Api {
  int (*init)(int *, char ***);
  int (*commRank)(Handle, int *);
  int (*commSize)(Handle, int *);
  int (*commSetErrhandler)(Handle, Handle);
  int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
  int (*errorString)(int, char *, int *);
  int (*abort)(Handle, int);
  int (*finalize)();
  Handle world, f32, f64, u64, sum, min, max, errorsReturn;
};

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
  if (exitCode != 0)
    api.abort(api.world, exitCode);
  else
    api.finalize();
}
