//===- DataParallel.cpp - one training step over the ranks of an MPI job --===//
//
// docs/distributed.md. The global batch (the same on every rank: the
// epoch's order is a function of the seed alone) is cut into K fixed slices,
// rank r taking samples [b*r/K, b*(r+1)/K). Each rank computes the mean
// loss and its gradient on its slice with @gradients and scales both by
// n_r/b, so that their sum over ranks is the mean over the global batch:
// sum_r (n_r/b) * (1/n_r) sum_{i in slice r} g_i = (1/b) sum_i g_i. One
// MPI_Allreduce sums a single buffer holding the loss, a stop flag and every
// gradient; each rank then runs @apply_gradients on the same sum, so the
// parameters and optimizer state stay bit-identical on all ranks.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "Mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace nnrt;

// Each gradient starts on a 16-float boundary of the fused buffer, which
// @apply_gradients reads in place.
static constexpr size_t kSlot = 16;

static size_t roundUp(size_t n) { return (n + kSlot - 1) / kSlot * kSlot; }

static const TensorSpec kLossSpec{"loss", NNRT_F32, {}};

// Vectorized: GCC's -O2 leaves the plain loop scalar.
__attribute__((optimize("tree-vectorize"))) static void
scaleInto(float *__restrict dst, const float *__restrict src, int64_t n,
          float weight) {
  for (int64_t j = 0; j < n; ++j)
    dst[j] = src[j] * weight;
}

static double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

Status nnrt::callGradients(const Session &s, const nnrt_tensor *x,
                           const nnrt_tensor *y, const nnrt_tensor *step,
                           std::vector<Tensor> &out) {
  std::vector<const nnrt_tensor *> args = {x, y};
  std::vector<const TensorSpec *> specs = {&kLossSpec};
  for (size_t i = 0; i < s.params.size(); ++i) {
    args.push_back(&s.params[i].t);
    specs.push_back(&s.m.params[i]);
  }
  args.push_back(step);
  return callEntry("gradients", s.model->gradients, args, specs, out, s.place);
}

DataParallelStep::DataParallelStep(Session &s) : s(s), uploads(s.place) {
  const MpiJob &job = mpiJob();
  int64_t shard = (s.batch + job.size - 1) / job.size;
  x.resize(shard * s.m.inputs[0].sampleNumel());
  y.resize(shard * s.m.label.sampleNumel() * nnrt_dtype_size(s.m.label.dtype));
  size_t at = kSlot; // the loss and the stop flag
  for (const ParamSpec &p : s.m.params) {
    offsets.push_back(at);
    at += roundUp(checkedNumel(p.shape));
  }
  fused.resize(at);
}

DataParallelStep::~DataParallelStep() {
  const char *env = getenv("NNRT_DP_TIMES");
  if (!env || !*env || steps == 0)
    return;
  const MpiJob &job = mpiJob();
  fprintf(stderr,
          "rank %d of %d: %lld steps, per step %.3f ms gradients, %.3f ms "
          "copy into the fused buffer, %.3f ms all-reduce (with waiting for "
          "the slowest rank), %.3f ms update\n",
          job.rank, job.size, (long long)steps, seconds[0] / steps * 1e3,
          seconds[1] / steps * 1e3, seconds[2] / steps * 1e3,
          seconds[3] / steps * 1e3);
}

Status DataParallelStep::agreeStop(bool stopAsked, bool &out_stop) {
  double flag = stopAsked;
  NNRT_TRY(mpiSum(&flag, 1));
  out_stop = flag > 0;
  return nullptr;
}

Status DataParallelStep::checkInSync() {
  uint64_t hash = fnv1a(nullptr, 0);
  for (const std::vector<Tensor> *group : {&s.params, &s.states})
    for (const Tensor &t : *group) {
      Tensor host;
      NNRT_TRY(copyTo(t, Place::Host, host));
      hash = fnv1a(host.t.data, host.bytes(), hash);
    }
  bool same = false;
  NNRT_TRY(mpiSame(hash, same));
  if (!same)
    return nnrt_status_make("rank %d of %d: the parameters differ between "
                            "ranks after step %lld (the MPI library's sums "
                            "are not the same on every rank)",
                            mpiJob().rank, mpiJob().size, (long long)s.step);
  return nullptr;
}

Status DataParallelStep::run(const Dataset &data, const int64_t *order,
                             int64_t count, float lr, bool stopAsked,
                             float &out_loss, bool &out_stop) {
  const Manifest &m = s.m;
  const MpiJob &job = mpiJob();
  int64_t lo = count * job.rank / job.size;
  int64_t n = count * (job.rank + 1) / job.size - lo;
  double start = now(), copyStart = start;
  // The padding between gradients stays zero (the sum of zeros); a rank
  // whose slice is empty (a last batch smaller than K) adds zeros.
  if (n == 0)
    std::fill(fused.begin(), fused.end(), 0.0f);
  fused[1] = stopAsked ? 1.0f : 0.0f;
  if (n > 0) {
    fillBatch(data, order + lo, n, x.data(), y.data());
    // Dropout masks: a step number of its own for every (step, rank).
    float dropStep = (float)(s.step * job.size + job.rank + 1);
    nnrt_tensor xt = hostView(x.data(), NNRT_F32, m.inputs[0].withBatch(n));
    nnrt_tensor yt = hostView(y.data(), m.label.dtype, m.label.withBatch(n));
    nnrt_tensor st = hostView(&dropStep, NNRT_F32, {});
    const nnrt_tensor *xa, *ya, *sa;
    NNRT_TRY(uploads.put(0, xt, xa));
    NNRT_TRY(uploads.put(1, yt, ya));
    NNRT_TRY(uploads.put(2, st, sa));
    std::vector<Tensor> results;
    NNRT_TRY(callGradients(s, xa, ya, sa, results));
    copyStart = now();
    float weight = (float)((double)n / (double)count);
    for (size_t i = 0; i < results.size(); ++i) {
      NNRT_TRY(moveTo(results[i], Place::Host));
      const float *g = results[i].as<float>();
      float *dst = fused.data() + (i ? offsets[i - 1] : 0);
      scaleInto(dst, g, results[i].numel(), weight);
    }
  }
  double reduceStart = now();
  NNRT_TRY(mpiSum(fused.data(), fused.size()));
  double updateStart = now();
  out_loss = fused[0];
  out_stop = fused[1] > 0;

  float stepValue = (float)(s.step + 1);
  nnrt_tensor lrT = hostView(&lr, NNRT_F32, {}),
              stepT = hostView(&stepValue, NNRT_F32, {});
  std::vector<const nnrt_tensor *> args;
  std::vector<const TensorSpec *> specs;
  for (size_t i = 0; i < s.params.size(); ++i) {
    args.push_back(&s.params[i].t);
    specs.push_back(&m.params[i]);
  }
  std::vector<nnrt_tensor> grads(s.params.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    grads[i] = hostView(fused.data() + offsets[i], NNRT_F32, m.params[i].shape);
    args.emplace_back();
    NNRT_TRY(uploads.put(3 + i, grads[i], args.back()));
  }
  for (size_t i = 0; i < s.states.size(); ++i) {
    args.push_back(&s.states[i].t);
    specs.push_back(&m.states[i]);
  }
  size_t slot = 3 + grads.size();
  args.emplace_back();
  NNRT_TRY(uploads.put(slot, lrT, args.back()));
  args.emplace_back();
  NNRT_TRY(uploads.put(slot + 1, stepT, args.back()));
  std::vector<Tensor> results;
  NNRT_TRY(callEntry("apply_gradients", s.model->apply_gradients, args, specs,
                     results, s.place, /*updatesInPlace=*/true));
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].shape() != specs[i]->shape)
      return nnrt_status_make(
          "apply_gradients returned %s for '%s', expected %s",
          formatShape(results[i].shape()).c_str(), specs[i]->name.c_str(),
          formatShape(specs[i]->shape).c_str());
  NNRT_TRY(adoptResults(s.updated(), results, 0));
  ++s.step;
  ++steps;
  seconds[0] += copyStart - start;
  seconds[1] += reduceStart - copyStart;
  seconds[2] += updateStart - reduceStart;
  seconds[3] += now() - updateStart;
  return nullptr;
}
