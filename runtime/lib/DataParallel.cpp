//===- DataParallel.cpp - one training step over the ranks of an MPI job --===//
//
// docs/distributed.md. The global batch (the same on every rank: the
// epoch's order is a function of the seed alone) is cut into K fixed slices,
// rank r taking samples [b*r/K, b*(r+1)/K). Each rank runs @gradients on its
// slice with the loss scaled by n_r/b, so that the sum over ranks is the
// mean over the global batch: sum_r (n_r/b) * (1/n_r) sum_{i in slice r} g_i
// = (1/b) sum_i g_i. MpiBufferSum sums the loss, a stop flag and the small
// gradients in one fused buffer, and each large gradient in place in the
// buffer @gradients returned (no copy). When all ranks share a node, the sums
// go through node shared memory, where the parameters and optimizer state
// are one copy that each rank updates its slice of (@apply_gradients_slice);
// otherwise one MPI_Allreduce per buffer, and each rank runs @apply_gradients
// on the same sums over its own copy, so the copies stay bit-identical.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "Mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace nnrt;

// Each small gradient starts on a 16-float boundary of the fused buffer,
// which @apply_gradients reads in place.
static constexpr size_t kSlot = 16;

// A gradient of this many elements (256 KiB) or more is summed where
// @gradients left it: one more all-reduce call (some microseconds) costs
// less than copying it into the fused buffer.
static constexpr int64_t kOwnBucketElements = 1 << 16;

static size_t roundUp(size_t n) { return (n + kSlot - 1) / kSlot * kSlot; }

static const TensorSpec kLossSpec{"loss", NNRT_F32, {}};

static double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

Status nnrt::callGradients(const Session &s, const nnrt_tensor *x,
                           const nnrt_tensor *y, const nnrt_tensor *step,
                           const nnrt_tensor *scale, std::vector<Tensor> &out) {
  std::vector<const nnrt_tensor *> args = {x, y};
  std::vector<const TensorSpec *> specs = {&kLossSpec};
  for (size_t i = 0; i < s.params.size(); ++i) {
    args.push_back(&s.params[i].t);
    specs.push_back(&s.m.params[i]);
  }
  args.push_back(step);
  args.push_back(scale);
  return callEntry("gradients", s.model->gradients, args, specs, out, s.place);
}

DataParallelStep::DataParallelStep(Session &s) : s(s), uploads(s.place) {
  const MpiJob &job = mpiJob();
  int64_t shard = (s.batch + job.size - 1) / job.size;
  x.resize(shard * s.m.inputs[0].sampleNumel());
  y.resize(shard * s.m.label.sampleNumel() * nnrt_dtype_size(s.m.label.dtype));
  size_t at = kSlot; // the loss and the stop flag
  for (const ParamSpec &p : s.m.params) {
    int64_t n = checkedNumel(p.shape);
    offsets.push_back(n >= kOwnBucketElements ? kOwnBucket : at);
    if (n < kOwnBucketElements)
      at += roundUp(n);
  }
  fused.resize(at);
}

DataParallelStep::~DataParallelStep() {
  const char *env = getenv("NNRT_DP_TIMES");
  if (!env || !*env || steps == 0)
    return;
  const MpiJob &job = mpiJob();
  fprintf(stderr,
          "rank %d of %d: %lld steps, sums through %s, updates %s, per "
          "step %.3f ms gradients, %.3f ms copy into the fused buffer, "
          "%.3f ms sums (with waiting for the slowest rank), %.3f ms "
          "update\n",
          job.rank, job.size, (long long)steps,
          sums->shared() ? "node shared memory" : "MPI_Allreduce",
          sharded ? "its slice" : "all parameters", seconds[0] / steps * 1e3,
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
  std::vector<Tensor> results(1 + offsets.size());
  if (n == 0) {
    std::fill(fused.begin(), fused.end(), 0.0f);
    for (size_t i = 0; i < offsets.size(); ++i)
      if (offsets[i] == kOwnBucket)
        NNRT_TRY(results[i + 1].alloc(NNRT_F32, m.params[i].shape)); // zeros
  }
  fused[1] = stopAsked ? 1.0f : 0.0f;
  if (n > 0) {
    fillBatch(data, order + lo, n, x.data(), y.data());
    // Dropout masks: a step number of its own for every (step, rank).
    float dropStep = (float)(s.step * job.size + job.rank + 1);
    float share = (float)((double)n / (double)count);
    nnrt_tensor xt = hostView(x.data(), NNRT_F32, m.inputs[0].withBatch(n));
    nnrt_tensor yt = hostView(y.data(), m.label.dtype, m.label.withBatch(n));
    nnrt_tensor st = hostView(&dropStep, NNRT_F32, {});
    nnrt_tensor wt = hostView(&share, NNRT_F32, {});
    const nnrt_tensor *xa, *ya, *sa, *wa;
    NNRT_TRY(uploads.put(0, xt, xa));
    NNRT_TRY(uploads.put(1, yt, ya));
    NNRT_TRY(uploads.put(2, st, sa));
    NNRT_TRY(uploads.put(3, wt, wa));
    NNRT_TRY(callGradients(s, xa, ya, sa, wa, results));
    copyStart = now();
    for (Tensor &r : results)
      NNRT_TRY(moveTo(r, Place::Host));
    fused[0] = *results[0].as<float>();
    for (size_t i = 0; i < offsets.size(); ++i)
      if (offsets[i] != kOwnBucket)
        std::copy_n(results[i + 1].as<float>(), results[i + 1].numel(),
                    fused.data() + offsets[i]);
  }
  double reduceStart = now();
  std::vector<float *> buffers = {fused.data()};
  for (size_t i = 0; i < offsets.size(); ++i)
    if (offsets[i] == kOwnBucket)
      buffers.push_back(results[i + 1].as<float>());
  if (!sums) // collective: the first step of every rank
    NNRT_TRY(startSums());
  std::vector<const float *> summed;
  double sliceSeconds = 0;
  MpiBufferSum::OwnSlice ownSlice;
  if (sharded)
    ownSlice = [&](size_t from, size_t to, const float *sums) {
      double t = now();
      Status st = updateSlice(from, to, sums, lr);
      sliceSeconds += now() - t;
      return st;
    };
  NNRT_TRY(sums->sum(buffers.data(), summed, ownSlice));
  double updateStart = now();
  out_loss = summed[0][0];
  out_stop = summed[0][1] > 0;
  if (!sharded)
    NNRT_TRY(updateAll(summed, lr));
  ++s.step;
  ++steps;
  seconds[0] += copyStart - start;
  seconds[1] += reduceStart - copyStart;
  seconds[2] += updateStart - reduceStart - sliceSeconds;
  seconds[3] += now() - updateStart + sliceSeconds;
  return nullptr;
}

Status DataParallelStep::startSums() {
  std::vector<size_t> sizes = {fused.size()};
  for (size_t i = 0; i < offsets.size(); ++i) {
    gradAt.push_back(offsets[i]);
    if (offsets[i] == kOwnBucket) {
      size_t at = 0;
      for (size_t n : sizes)
        at += n;
      gradAt.back() = at;
      sizes.push_back((size_t)checkedNumel(s.m.params[i].shape));
    }
  }
  NNRT_TRY(MpiBufferSum::create(std::move(sizes), sums));
  // The same on every rank: the sums' way, the place and the binary.
  sharded = sums->shared() && s.place == Place::Host &&
            s.model->apply_gradients_slice;
  if (!sharded)
    return nullptr;
  // One copy of the parameters and optimizer state for the node, rank 0's
  // (all ranks start from the same); each rank updates its own slice.
  size_t total = 0;
  for (const std::vector<Tensor> *group : {&s.params, &s.states})
    for (const Tensor &t : *group)
      total += (size_t)t.numel();
  float *shared = nullptr;
  NNRT_TRY(sums->sharedArray(total, shared));
  size_t at = 0;
  for (std::vector<Tensor> *group : {&s.params, &s.states})
    for (Tensor &t : *group) {
      if (mpiJob().rank == 0)
        std::copy_n(t.as<float>(), t.numel(), shared + at);
      Tensor view;
      view.t = hostView(shared + at, NNRT_F32, t.shape());
      view.t.allocation = nullptr; // the window's, freed by mpiFinish
      at += (size_t)t.numel();
      t = std::move(view);
    }
  return sums->barrier();
}

Status DataParallelStep::updateSlice(size_t from, size_t to, const float *sums,
                                     float lr) {
  size_t slots = s.params.empty() ? 0 : s.states.size() / s.params.size();
  float stepValue = (float)(s.step + 1);
  nnrt_tensor lrT = hostView(&lr, NNRT_F32, {}),
              stepT = hostView(&stepValue, NNRT_F32, {});
  for (size_t i = 0; i < s.params.size(); ++i) {
    size_t n = (size_t)s.params[i].numel();
    size_t begin = std::max(from, gradAt[i]), end = std::min(to, gradAt[i] + n);
    if (begin >= end)
      continue;
    // This rank's run [first, first + length) of parameter i.
    size_t first = begin - gradAt[i];
    Shape length = {(int64_t)(end - begin)};
    std::vector<nnrt_tensor> views = {
        hostView(s.params[i].as<float>() + first, NNRT_F32, length),
        hostView(const_cast<float *>(sums + begin), NNRT_F32, length)};
    for (size_t k = 0; k < slots; ++k)
      views.push_back(hostView(s.states[i * slots + k].as<float>() + first,
                               NNRT_F32, length));
    std::vector<const nnrt_tensor *> args;
    for (const nnrt_tensor &v : views)
      args.push_back(&v);
    args.push_back(&lrT);
    args.push_back(&stepT);
    TensorSpec spec{"slice", NNRT_F32, length};
    std::vector<const TensorSpec *> specs(1 + slots, &spec);
    std::vector<Tensor> updated;
    NNRT_TRY(callEntry("apply_gradients_slice", s.model->apply_gradients_slice,
                       args, specs, updated, Place::Host,
                       /*updatesInPlace=*/true));
    // Updated in place (nnc-cpu-write-updates-in-place); were one a fresh
    // buffer, its values go where the others read them.
    for (size_t r = 0; r < updated.size(); ++r) {
      const nnrt_tensor &arg = views[r == 0 ? 0 : r + 1];
      if (updated[r].t.data != arg.data)
        std::copy_n(updated[r].as<float>(), end - begin,
                    static_cast<float *>(arg.data));
    }
  }
  return nullptr;
}

Status DataParallelStep::updateAll(const std::vector<const float *> &summed,
                                   float lr) {
  const Manifest &m = s.m;
  float stepValue = (float)(s.step + 1);
  nnrt_tensor lrT = hostView(&lr, NNRT_F32, {}),
              stepT = hostView(&stepValue, NNRT_F32, {});
  std::vector<const nnrt_tensor *> args;
  std::vector<const TensorSpec *> specs;
  for (size_t i = 0; i < s.params.size(); ++i) {
    args.push_back(&s.params[i].t);
    specs.push_back(&m.params[i]);
  }
  // apply_gradients only reads them (nnc-cpu-write-updates-in-place): the
  // sums may be memory that every rank reads.
  std::vector<nnrt_tensor> grads(s.params.size());
  for (size_t i = 0, big = 1; i < grads.size(); ++i) {
    const float *g =
        offsets[i] == kOwnBucket ? summed[big++] : summed[0] + offsets[i];
    grads[i] = hostView(const_cast<float *>(g), NNRT_F32, m.params[i].shape);
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
  std::vector<Tensor> updated;
  NNRT_TRY(callEntry("apply_gradients", s.model->apply_gradients, args, specs,
                     updated, s.place, /*updatesInPlace=*/true));
  for (size_t i = 0; i < updated.size(); ++i)
    if (updated[i].shape() != specs[i]->shape)
      return nnrt_status_make(
          "apply_gradients returned %s for '%s', expected %s",
          formatShape(updated[i].shape()).c_str(), specs[i]->name.c_str(),
          formatShape(specs[i]->shape).c_str());
  return adoptResults(s.updated(), updated, 0);
}
