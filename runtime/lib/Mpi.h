//===- Mpi.h - the MPI job a process belongs to -----------------*- C++ -*-===//
//
// Data-parallel training (docs/distributed.md) needs from MPI the rank and
// size, sums over ranks (and node shared memory for them), and a way to end
// every rank when one fails. libmpi is loaded with dlopen only when a launcher
// started the process, so executables neither link nor need it otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_LIB_MPI_H
#define NNRT_LIB_MPI_H

#include "Internal.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

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
/// A sum over all ranks of the same list of float buffers on every rank (a
/// step's loss and gradients); every rank gets the same bits. When all ranks
/// run on this node it goes through node shared memory (an MPI-3 shared
/// window): each rank publishes the parts of its buffers that other ranks
/// own, and sums its own slice over the ranks into one shared result that
/// every rank reads, with two barriers: half the time of Open MPI's
/// MPI_Allreduce over its shared-memory transport (docs/distributed.md). On
/// several nodes, or with NNRT_MPI_SHARED_SUM=0, one MPI_Allreduce per buffer,
/// in place. Without MPI, does nothing.
class MpiBufferSum {
public:
  /// Collective: every rank calls it with the same sizes (in floats).
  static Status create(std::vector<size_t> sizes,
                       std::unique_ptr<MpiBufferSum> &out);
  /// Runs on each rank between the sum of its own slice [lo, hi) of the
  /// concatenation (at sums + lo) and the barrier after which every rank
  /// reads every sum: the update of what this rank owns.
  using OwnSlice =
      std::function<Status(size_t lo, size_t hi, const float *sums)>;
  /// Collective: sums buffers[i] (sizes[i] floats each) over the ranks;
  /// out[i] points to the sum of buffers[i] (in shared memory, valid until
  /// the next call, or buffers[i] itself). `ownSlice` runs when shared().
  Status sum(float *const *buffers, std::vector<const float *> &out,
             const OwnSlice &ownSlice = nullptr);
  bool shared() const { return node != nullptr; }
  /// Collective, when shared(): `floats` of node shared memory, the same
  /// array for every rank.
  Status sharedArray(size_t floats, float *&out);
  /// Collective, when shared(): a barrier of the ranks, after which each
  /// sees what the others wrote to shared memory before it.
  Status barrier();

private:
  MpiBufferSum() = default;
  Status allocate(size_t floats, const char *what,
                  std::vector<float *> &segments);
  std::vector<size_t> sizes, offsets; // offsets in the concatenation
  size_t total = 0;
  void *node = nullptr;           // MPI_Comm of the node's ranks
  std::vector<void *> ownWindows; // MPI_Win
  std::vector<float *> segments;  // each rank's, `total` floats
  float *result = nullptr;        // the summed concatenation
  uint32_t *turnstile = nullptr;  // the barrier's counter and generation
};

/// Ends MPI before the process exits with `exitCode`: after success frees
/// MpiBufferSum's windows and calls MPI_Finalize; after a failure MPI_Abort,
/// which ends every rank of the job (those waiting in a collective included),
/// never a hang. Does nothing without MPI.
void mpiFinish(int exitCode);

} // namespace nnrt

#endif // NNRT_LIB_MPI_H
