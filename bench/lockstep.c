/* The ceiling this machine puts on synchronous data-parallel training: the
 * same fixed chunks of work (one "step", about 2 ms of a 128x784 by 784x256
 * matrix product, like one rank's share of an mlp-train step at batch 256)
 * run by one process, and by K processes that each run their share and then
 * wait for the slowest at an MPI_Barrier, as ranks wait at the gradient
 * all-reduce. No data moves between ranks, so K=2's time over K=1's is the
 * loss from the cores' speeds varying step to step alone.
 *
 *   cc -O2 -march=native bench/lockstep.c -o lockstep -l:libmpi.so.40
 *   ./lockstep 400 2          one process, 2 chunks per step
 *   mpirun -np 2 ./lockstep 400 2   2 processes, 1 chunk each per step
 *   mpirun -np 2 ./lockstep 400 2 free   the same with no barrier between
 *       steps (one at the start and the end): what the cores do side by side
 *       when they never wait for each other, i.e. the loss from sharing the
 *       machine (caches, memory, the host) alone
 * prints: ranks, steps, ms per step (mean), and per-chunk p10/p50/p90 ms.
 * bench/run.py (mlp-mpi) runs both and reports the ratio. */
/* The few MPI calls used, declared for Open MPI's ABI (libmpi.so.40, as in
 * runtime/lib/Mpi.cpp), so that no MPI headers (libopenmpi-dev) are needed:
 * scripts/setup.sh installs only the library and mpirun. */
typedef struct ompi_communicator_t *MPI_Comm;
extern char ompi_mpi_comm_world[];
#define MPI_COMM_WORLD ((MPI_Comm)(void *)ompi_mpi_comm_world)
int MPI_Init(int *argc, char ***argv);
int MPI_Comm_rank(MPI_Comm comm, int *rank);
int MPI_Comm_size(MPI_Comm comm, int *size);
int MPI_Barrier(MPI_Comm comm);
int MPI_Abort(MPI_Comm comm, int code);
int MPI_Finalize(void);
double MPI_Wtime(void);
#include <stdio.h>
#include <stdlib.h>

enum { M = 128, K = 784, N = 256 };

static float a[M * K], b[K * N], c[M * N];

static void chunk(void) {
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) {
      float s = a[i * K + k];
      for (int j = 0; j < N; ++j)
        c[i * N + j] += s * b[k * N + j];
    }
}

static int byValue(const void *x, const void *y) {
  double d = *(const double *)x - *(const double *)y;
  return (d > 0) - (d < 0);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int steps = argc > 1 ? atoi(argv[1]) : 400;
  int perStep = argc > 2 ? atoi(argv[2]) : 2; /* chunks per global step */
  int lockstep = !(argc > 3 && argv[3][0] == 'f');
  if (steps < 10 || perStep < size || perStep % size) {
    fprintf(stderr, "usage: lockstep STEPS CHUNKS (a multiple of the ranks) [free]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  for (int i = 0; i < M * K; ++i)
    a[i] = (float)(i % 7) * 0.01f;
  for (int i = 0; i < K * N; ++i)
    b[i] = (float)(i % 5) * 0.01f;
  int mine = perStep / size;
  double *times = malloc(sizeof(double) * steps * mine);
  chunk(); /* warm up */
  MPI_Barrier(MPI_COMM_WORLD);
  double start = MPI_Wtime();
  for (int s = 0; s < steps; ++s) {
    for (int q = 0; q < mine; ++q) {
      double t = MPI_Wtime();
      chunk();
      times[s * mine + q] = MPI_Wtime() - t;
    }
    if (lockstep)
      MPI_Barrier(MPI_COMM_WORLD);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  double total = MPI_Wtime() - start;
  int n = steps * mine;
  qsort(times, n, sizeof(double), byValue);
  if (rank == 0)
    printf("ranks %d steps %d ms/step %.4f chunk p10 %.3f p50 %.3f p90 %.3f "
           "(checksum %g)\n",
           size, steps, total / steps * 1e3, times[n / 10] * 1e3,
           times[n / 2] * 1e3, times[n * 9 / 10] * 1e3, (double)c[7]);
  free(times);
  MPI_Finalize();
  return 0;
}
