//===- Mpi.h - the MPI job a process belongs to -----------------*- C++ -*-===//
//
// Data-parallel training (docs/distributed.md) needs four things from MPI:
// the rank and size, a sum over ranks, and a way to end every rank when one
// fails. libmpi is loaded with dlopen only when a launcher started the
// process, so executables neither link nor need it otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_LIB_MPI_H
#define NNRT_LIB_MPI_H

#include "Internal.h"

#include <cstddef>
#include <cstdint>

namespace nnrt {

/// This process's place in the job: rank 0 of 1 without MPI.
struct MpiJob {
  int rank = 0, size = 1;
  bool distributed() const { return size > 1; }
};
const MpiJob &mpiJob();

/// When the environment says an MPI launcher started this process
/// (OMPI_COMM_WORLD_SIZE from Open MPI's mpirun, PMI_SIZE from Hydra or
/// Slurm's PMI, PMIX_RANK from a PMIx launcher) and names more than one
/// process, loads libmpi.so.40 (or $NNRT_LIBMPI), initializes MPI and learns
/// the rank and size. Otherwise does nothing: one process, no MPI.
Status mpiStart();
/// Sums `count` values over all ranks, in place; every rank gets the same
/// bits (Open MPI reduces in one order for all ranks).
Status mpiSum(float *data, size_t count);
Status mpiSum(double *data, size_t count);
/// Whether `value` is the same on every rank.
Status mpiSame(uint64_t value, bool &out);
/// Ends MPI before the process exits with `exitCode`: MPI_Finalize after
/// success; after a failure MPI_Abort, which ends every rank of the job
/// (those waiting in a collective included), never a hang. Does nothing
/// without MPI.
void mpiFinish(int exitCode);

} // namespace nnrt

#endif // NNRT_LIB_MPI_H
