//===- Commands.cpp - predict and gradcheck -------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

using namespace nnrt;

// gradcheck: relative error |g - fd| / max(floor, |g| + |fd|) per element.
static constexpr double kGradTolerance = 1e-2;
static constexpr double kGradFloor = 1e-2;
static constexpr int64_t kGradSamples = 20;

Status nnrt::predict(const Session &s, const std::vector<std::string> &inputs,
                     const std::string &output) {
  const Manifest &m = s.m;
  if (inputs.size() != m.inputs.size())
    return nnrt_status_make("the model takes %zu input%s, got %zu --input",
                            m.inputs.size(), m.inputs.size() == 1 ? "" : "s",
                            inputs.size());
  NNRT_TRY(checkWritable(output));
  std::vector<Tensor> xs(inputs.size());
  int64_t n = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &spec = m.inputs[i];
    NNRT_TRY(nnrt_npy_read(inputs[i].c_str(), &xs[i].t));
    if (spec.dtype == NNRT_F32)
      NNRT_TRY(convertToF32(xs[i]));
    else if (xs[i].t.dtype != spec.dtype)
      return nnrt_status_make("%s: dtype %s, expected %s for input '%s'",
                              inputs[i].c_str(), nnrt_dtype_name(xs[i].t.dtype),
                              nnrt_dtype_name(spec.dtype), spec.name.c_str());
    int64_t rows = xs[i].t.rank ? xs[i].t.shape[0] : 0;
    if (xs[i].t.rank > 0 && rows == 0)
      return nnrt_status_make("%s: no rows to predict (shape %s)",
                              inputs[i].c_str(),
                              formatShape(xs[i].shape()).c_str());
    if (xs[i].t.rank == 0 || xs[i].numel() / rows != spec.sampleNumel())
      return nnrt_status_make(
          "%s: shape %s does not match model input '%s' %s%s",
          inputs[i].c_str(), formatShape(xs[i].shape()).c_str(),
          spec.name.c_str(), nnrt_dtype_name(spec.dtype),
          formatShape(spec.shape).c_str());
    if (n >= 0 && rows != n)
      return nnrt_status_make("%s has %lld rows but %s has %lld",
                              inputs[i].c_str(), (long long)rows,
                              inputs[0].c_str(), (long long)n);
    n = rows;
    NNRT_TRY(checkFinite(inputs[i], xs[i].t, 1.0));
  }
  const TensorSpec &outSpec = m.outputs[0];
  Tensor out;
  NNRT_TRY(out.alloc(NNRT_F32, outSpec.withBatch(n)));
  int64_t outPer = outSpec.sampleNumel();
  int64_t batch = m.hasTrain && m.batch > 0 ? m.batch : 256;
  Uploads uploads(s.place);
  for (int64_t start = 0; start < n; start += batch) {
    int64_t b = std::min(batch, n - start);
    std::vector<nnrt_tensor> views(xs.size());
    std::vector<const nnrt_tensor *> args;
    for (size_t i = 0; i < xs.size(); ++i) {
      const TensorSpec &spec = m.inputs[i];
      Shape shape = spec.withBatch(b);
      nnrt_tensor &v = views[i];
      v.dtype = spec.dtype;
      v.rank = (int32_t)shape.size();
      for (size_t d = 0; d < shape.size(); ++d)
        v.shape[d] = shape[d];
      v.data = v.allocation = xs[i].as<char>() + start * spec.sampleNumel() *
                                                     nnrt_dtype_size(v.dtype);
      args.emplace_back();
      NNRT_TRY(uploads.put(i, v, args.back()));
    }
    for (const Tensor &p : s.params)
      args.push_back(&p.t);
    std::vector<Tensor> results;
    NNRT_TRY(callEntry("forward", s.model->forward, args, {&outSpec}, results,
                       s.place));
    NNRT_TRY(moveTo(results[0], Place::Host));
    if (results[0].numel() != b * outPer)
      return nnrt_status_make("forward returned %s, expected %s",
                              formatShape(results[0].shape()).c_str(),
                              formatShape(outSpec.withBatch(b)).c_str());
    // The output file is f32 (TOOLS.md); i32 outputs such as argmax convert.
    float *dst = out.as<float>() + start * outPer;
    if (outSpec.dtype == NNRT_I32)
      std::copy(results[0].as<int32_t>(), results[0].as<int32_t>() + b * outPer,
                dst);
    else
      std::copy(results[0].as<float>(), results[0].as<float>() + b * outPer,
                dst);
  }
  return nnrt_npy_write(output.c_str(), &out.t);
}

static double relError(double a, double b) {
  return std::fabs(a - b) / std::max(kGradFloor, std::fabs(a) + std::fabs(b));
}

// The derivative at 0 from f(0), f(a), f(b) with a, b on one side (second
// order, for the uneven f32-rounded steps).
static double oneSided(double f0, double a, double fa, double b, double fb) {
  return -(a + b) / (a * b) * f0 + b / (a * (b - a)) * fa -
         a / (b * (b - a)) * fb;
}

// Loss and gradients for one batch through nnc_call_gradients, on the host.
// `step` (0 for every call) keeps the dropout masks the same.
static Status lossAndGrads(const Session &s, const nnrt_tensor &x,
                           const nnrt_tensor &y, const nnrt_tensor &step,
                           std::vector<Tensor> &out) {
  NNRT_TRY(callGradients(s, &x, &y, &step, out));
  for (Tensor &t : out)
    NNRT_TRY(moveTo(t, Place::Host));
  return nullptr;
}

// Sets one element of an f32 tensor where it lives.
static Status setF32(Tensor &t, int64_t i, float v) {
  if (t.place == Place::Host) {
    t.as<float>()[i] = v;
    return nullptr;
  }
  return copyToDevice(t.as<float>() + i, &v, sizeof v);
}

Status nnrt::gradcheck(Session &s, const std::string &dataDir, int64_t batch,
                       bool &out_ok) {
  const Manifest &m = s.m;
  out_ok = false;
  Dataset data;
  NNRT_TRY(loadDataset(m.data, dataDir, m, "data", data));
  int64_t b = std::min(batch, data.size());
  std::vector<int64_t> order(b);
  for (int64_t i = 0; i < b; ++i)
    order[i] = i;
  Tensor x, y;
  NNRT_TRY(x.alloc(NNRT_F32, m.inputs[0].withBatch(b)));
  NNRT_TRY(y.alloc(m.target.dtype, m.target.withBatch(b)));
  fillBatch(data, order.data(), b, x.as<float>(), y.t.data);
  Uploads uploads(s.place);
  float zero = 0;
  nnrt_tensor stepT = hostView(&zero, NNRT_F32, {});
  const nnrt_tensor *xa, *ya, *stepa;
  NNRT_TRY(uploads.put(0, x.t, xa));
  NNRT_TRY(uploads.put(1, y.t, ya));
  NNRT_TRY(uploads.put(2, stepT, stepa));

  std::vector<Tensor> grads;
  NNRT_TRY(lossAndGrads(s, *xa, *ya, *stepa, grads));
  printf("gradcheck: batch %lld, loss %s, eps 1e-2*max(1,|w|), "
         "tolerance %g\n",
         (long long)b, formatFixed(*grads[0].as<float>(), 6).c_str(),
         kGradTolerance);
  double loss0 = *grads[0].as<float>();
  int failed = 0;
  int64_t kinks = 0;
  for (size_t p = 0; p < s.params.size(); ++p) {
    // Read from a copy; perturbed one element at a time where it lives.
    Tensor original;
    NNRT_TRY(copyTo(s.params[p], Place::Host, original));
    const float *w = original.as<float>();
    const float *g = grads[1 + p].as<float>();
    int64_t numel = s.params[p].numel();
    // Every element of small parameters, else 20 seeded picks.
    std::vector<int64_t> picks;
    Rng rng(streamSeed(0, "gradcheck." + m.params[p].name));
    for (int64_t k = 0; k < std::min<int64_t>(numel, kGradSamples); ++k)
      picks.push_back(numel <= kGradSamples ? k : (int64_t)rng.below(numel));
    double worst = 0;
    int64_t paramKinks = 0;
    for (int64_t i : picks) {
      float w0 = w[i];
      // The loss with w[i] moved to w0 + k*eps; `at` is the f32-rounded step.
      // The parameter is set where it lives (setF32: the host buffer, or one
      // element uploaded to the device) and restored after each evaluation.
      auto lossAt = [&](float eps, int k, double &at, double &loss) -> Status {
        float moved = w0 + (float)k * eps;
        at = (double)moved - (double)w0;
        NNRT_TRY(setF32(s.params[p], i, moved));
        std::vector<Tensor> r;
        Status st = lossAndGrads(s, *xa, *ya, *stepa, r);
        if (Status restore = setF32(s.params[p], i, w0)) {
          if (!st)
            return restore;
          nnrt_status_free(restore);
        }
        if (!st)
          loss = *r[0].as<float>();
        return st;
      };
      // A kink (relu, max, abs) between w0 - eps and w0 + eps breaks the
      // central difference although g is right. When a one-sided difference
      // agrees with g and the two sides disagree, the step crossed a kink:
      // set apart, not a failure. A quarter step is tried as well, which
      // crosses fewer kinks (f32 rounding allows no smaller one).
      double err = 0;
      bool kink = false;
      float eps = 1e-2f * std::max(1.0f, std::fabs(w0));
      for (int tries = 0; tries < 2 && !kink; ++tries, eps /= 4) {
        double hp = 0, hm = 0, lp = 0, lm = 0;
        NNRT_TRY(lossAt(eps, 1, hp, lp));
        NNRT_TRY(lossAt(eps, -1, hm, lm));
        double e = relError(g[i], (lp - lm) / (hp - hm));
        err = tries ? std::min(err, e) : e;
        if (e <= kGradTolerance)
          break;
        double hp2 = 0, hm2 = 0, lp2 = 0, lm2 = 0;
        NNRT_TRY(lossAt(eps, 2, hp2, lp2));
        NNRT_TRY(lossAt(eps, -2, hm2, lm2));
        double right = oneSided(loss0, hp, lp, hp2, lp2);
        double left = oneSided(loss0, hm, lm, hm2, lm2);
        kink = relError(right, left) > kGradTolerance &&
               std::min(relError(g[i], right), relError(g[i], left)) <=
                   kGradTolerance;
      }
      if (kink) {
        ++paramKinks;
        continue;
      }
      worst = std::max(worst, err);
    }
    bool ok = worst <= kGradTolerance;
    failed += !ok;
    kinks += paramKinks;
    printf("  %-32s %s%s  checked %zu  max_rel_err %.3e  %s",
           m.params[p].name.c_str(), nnrt_dtype_name(m.params[p].dtype),
           formatShape(m.params[p].shape).c_str(), picks.size(), worst,
           ok ? "ok" : "FAIL");
    if (paramKinks)
      printf("  (%lld at a kink)", (long long)paramKinks);
    printf("\n");
  }
  if (failed)
    printf("gradcheck: %d of %zu parameters over tolerance\n", failed,
           s.params.size());
  else
    printf("gradcheck: all %zu parameters within tolerance\n", s.params.size());
  if (kinks)
    printf("gradcheck: %lld elements not judged: the perturbation crossed a "
           "kink (g matches the one-sided difference of the smooth side)\n",
           (long long)kinks);
  out_ok = failed == 0;
  return nullptr;
}

Status nnrt::benchForward(const Session &s, int64_t batch, int64_t iters) {
  const Manifest &m = s.m;
  std::vector<Tensor> xs(m.inputs.size());
  std::vector<const nnrt_tensor *> args;
  Uploads uploads(s.place);
  for (size_t i = 0; i < xs.size(); ++i) {
    NNRT_TRY(xs[i].alloc(m.inputs[i].dtype, m.inputs[i].withBatch(batch)));
    // Inputs in [0, 1) like scaled images; the values do not change the time.
    if (m.inputs[i].dtype == NNRT_F32)
      for (int64_t j = 0, e = xs[i].numel(); j < e; ++j)
        xs[i].as<float>()[j] = (float)(j % 251) / 251.0f;
    args.emplace_back();
    NNRT_TRY(uploads.put(i, xs[i].t, args.back()));
  }
  for (const Tensor &p : s.params)
    args.push_back(&p.t);
  std::vector<const TensorSpec *> specs;
  for (const TensorSpec &out : m.outputs)
    specs.push_back(&out);
  std::vector<double> seconds;
  for (int64_t i = 0; i < iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Tensor> results;
    NNRT_TRY(
        callEntry("forward", s.model->forward, args, specs, results, s.place));
    // Device work is asynchronous: the call is done when the stream is.
    if (s.place == Place::Device)
      NNRT_TRY(deviceSync(deviceSyncCount()));
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  printf("batch %lld  iters %lld  median %.2f us  throughput %.0f samples/s\n",
         (long long)batch, (long long)iters, median * 1e6, batch / median);
  return nullptr;
}
