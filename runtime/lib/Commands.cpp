//===- Commands.cpp - predict and gradcheck -------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

using namespace nnrt;

// gradcheck: relative error |g - fd| / max(floor, |g| + |fd|) per element.
// In float32 the step must be large (1e-2) and the bar low; in float64 (as
// PyTorch's gradcheck requires) a 1e-6 step gives 1e-5 agreement.
namespace {
struct Precision {
  const char *name;
  double step, tolerance, floor;
};
constexpr Precision kFloat32{"float32", 1e-2, 1e-2, 1e-2};
constexpr Precision kFloat64{"float64", 1e-6, 1e-5, 1e-3};
} // namespace
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

static double relError(double a, double b, const Precision &p) {
  return std::fabs(a - b) / std::max(p.floor, std::fabs(a) + std::fabs(b));
}

// The derivative at 0 from f(0), f(a), f(b) with a, b on one side (second
// order, for the uneven f32-rounded steps).
static double oneSided(double f0, double a, double fa, double b, double fb) {
  return -(a + b) / (a * b) * f0 + b / (a * (b - a)) * fa -
         a / (b * (b - a)) * fb;
}

// Loss and gradients for one batch: the float32 entry where the parameters
// live, or the float64 one on the host; results on the host.
static Status lossAndGrads(const Session &s, bool f64,
                           const std::vector<const nnrt_tensor *> &args,
                           std::vector<Tensor> &out) {
  nnrt_dtype dtype = f64 ? NNRT_F64 : NNRT_F32;
  TensorSpec lossSpec{"loss", dtype, {}};
  std::vector<TensorSpec> gradSpecs(s.m.params.begin(), s.m.params.end());
  std::vector<const TensorSpec *> specs = {&lossSpec};
  for (TensorSpec &g : gradSpecs) {
    g.dtype = dtype;
    specs.push_back(&g);
  }
  if (f64)
    NNRT_TRY(callEntry("gradients_f64", s.model->gradients_f64, args, specs,
                       out, Place::Host));
  else
    NNRT_TRY(
        callEntry("gradients", s.model->gradients, args, specs, out, s.place));
  for (Tensor &t : out)
    NNRT_TRY(moveTo(t, Place::Host));
  return nullptr;
}

static double lossValue(const Tensor &loss) {
  return loss.t.dtype == NNRT_F64 ? *loss.as<double>() : *loss.as<float>();
}

// Sets one element of an f32 tensor where it lives, or of an f64 host one.
static Status setElement(Tensor &t, int64_t i, double v) {
  if (t.t.dtype == NNRT_F64) {
    t.as<double>()[i] = v;
    return nullptr;
  }
  float f = (float)v;
  if (t.place == Place::Host) {
    t.as<float>()[i] = f;
    return nullptr;
  }
  return copyToDevice(t.as<float>() + i, &f, sizeof f);
}

// A float64 host copy of an f32 tensor; other dtypes are copied as they are.
static Status widened(const nnrt_tensor &from, Tensor &out) {
  if (from.dtype != NNRT_F32) {
    Tensor view;
    view.t = from;
    Status st = copyTo(view, Place::Host, out);
    view.t = nnrt_tensor{}; // not ours to free
    return st;
  }
  Shape shape(from.shape, from.shape + from.rank);
  NNRT_TRY(out.alloc(NNRT_F64, shape));
  const float *src = static_cast<const float *>(from.data);
  for (int64_t i = 0, n = out.numel(); i < n; ++i)
    out.as<double>()[i] = src[i];
  return nullptr;
}

namespace {
// The arguments of one precision's gradients entry, the parameters among
// them perturbed one element at a time.
struct GradientProblem {
  const Session &s;
  bool f64;
  std::vector<Tensor> owned;    // float64 copies
  std::vector<Tensor *> params; // the tensors perturbed
  std::vector<const nnrt_tensor *> args;

  Status loss(double &out) {
    std::vector<Tensor> r;
    NNRT_TRY(lossAndGrads(s, f64, args, r));
    out = lossValue(r[0]);
    return nullptr;
  }
};
} // namespace

// The float64 problem: copies of the batch, parameters, step and loss scale
// on the host.
static Status makeF64Problem(Session &s, const nnrt_tensor &x,
                             const nnrt_tensor &y, const nnrt_tensor &step,
                             const nnrt_tensor &scale, GradientProblem &out) {
  size_t n = s.params.size();
  out.owned.resize(4 + n);
  NNRT_TRY(widened(x, out.owned[0]));
  NNRT_TRY(widened(y, out.owned[1]));
  for (size_t p = 0; p < n; ++p) {
    Tensor host;
    NNRT_TRY(copyTo(s.params[p], Place::Host, host));
    NNRT_TRY(widened(host.t, out.owned[2 + p]));
  }
  NNRT_TRY(widened(step, out.owned[2 + n]));
  NNRT_TRY(widened(scale, out.owned[3 + n]));
  for (Tensor &t : out.owned)
    out.args.push_back(&t.t);
  for (size_t p = 0; p < s.params.size(); ++p)
    out.params.push_back(&out.owned[2 + p]);
  return nullptr;
}

// The worst error over the picked elements of parameter `p`, with the
// elements whose perturbation crossed a kink counted in `kinks`.
static Status checkParameter(GradientProblem &prob, const Precision &prec,
                             size_t p, const std::vector<int64_t> &picks,
                             const Tensor &grad, double loss0, double &worst,
                             int64_t &kinks) {
  Tensor &param = *prob.params[p];
  Tensor original;
  NNRT_TRY(copyTo(param, Place::Host, original));
  auto valueAt = [&](const Tensor &t, int64_t i) {
    return t.t.dtype == NNRT_F64 ? t.as<double>()[i] : (double)t.as<float>()[i];
  };
  worst = 0;
  kinks = 0;
  for (int64_t i : picks) {
    double w0 = valueAt(original, i), g = valueAt(grad, i);
    // The loss with w[i] moved to w0 + k*eps; `at` is the step as rounded to
    // the parameter's precision. Restored after each evaluation.
    auto lossAt = [&](double eps, int k, double &at, double &loss) -> Status {
      double moved = w0 + k * eps;
      at = (prob.f64 ? moved : (double)(float)moved) - w0;
      NNRT_TRY(setElement(param, i, moved));
      Status st = prob.loss(loss);
      if (Status restore = setElement(param, i, w0)) {
        if (!st)
          return restore;
        nnrt_status_free(restore);
      }
      return st;
    };
    // A kink (relu, max, abs) between w0 - eps and w0 + eps breaks the
    // central difference although g is right. When a one-sided difference
    // agrees with g and the two sides disagree, the step crossed a kink:
    // set apart, not a failure. A quarter step is tried as well, which
    // crosses fewer kinks.
    double err = 0;
    bool kink = false;
    double eps = prec.step * std::max(1.0, std::fabs(w0));
    for (int tries = 0; tries < 2 && !kink; ++tries, eps /= 4) {
      double hp = 0, hm = 0, lp = 0, lm = 0;
      NNRT_TRY(lossAt(eps, 1, hp, lp));
      NNRT_TRY(lossAt(eps, -1, hm, lm));
      double e = relError(g, (lp - lm) / (hp - hm), prec);
      err = tries ? std::min(err, e) : e;
      if (e <= prec.tolerance)
        break;
      double hp2 = 0, hm2 = 0, lp2 = 0, lm2 = 0;
      NNRT_TRY(lossAt(eps, 2, hp2, lp2));
      NNRT_TRY(lossAt(eps, -2, hm2, lm2));
      double right = oneSided(loss0, hp, lp, hp2, lp2);
      double left = oneSided(loss0, hm, lm, hm2, lm2);
      kink = relError(right, left, prec) > prec.tolerance &&
             std::min(relError(g, right, prec), relError(g, left, prec)) <=
                 prec.tolerance;
    }
    if (kink)
      ++kinks;
    else
      worst = std::max(worst, err);
  }
  return nullptr;
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
  NNRT_TRY(y.alloc(m.label.dtype, m.label.withBatch(b)));
  fillBatch(data, order.data(), b, x.as<float>(), y.t.data);
  Uploads uploads(s.place);
  // Step 0 for every call keeps the dropout masks the same; the loss is
  // not scaled.
  float zero = 0, one = 1;
  nnrt_tensor step = hostView(&zero, NNRT_F32, {});
  nnrt_tensor scale = hostView(&one, NNRT_F32, {});
  const nnrt_tensor *xa, *ya, *stepa, *scalea;
  NNRT_TRY(uploads.put(0, x.t, xa));
  NNRT_TRY(uploads.put(1, y.t, ya));
  NNRT_TRY(uploads.put(2, step, stepa));
  NNRT_TRY(uploads.put(3, scale, scalea));

  GradientProblem f32{s, false, {}, {}, {xa, ya}};
  for (Tensor &p : s.params) {
    f32.params.push_back(&p);
    f32.args.push_back(&p.t);
  }
  f32.args.push_back(stepa);
  f32.args.push_back(scalea);
  std::vector<Tensor> grads32, grads64;
  NNRT_TRY(lossAndGrads(s, false, f32.args, grads32));

  // Float64 differences where nnc made the float64 entry (CPU builds).
  bool f64 = s.model->gradients_f64 && s.place == Place::Host;
  GradientProblem wide{s, true, {}, {}, {}};
  if (f64) {
    NNRT_TRY(makeF64Problem(s, x.t, y.t, step, scale, wide));
    NNRT_TRY(lossAndGrads(s, true, wide.args, grads64));
  }
  GradientProblem &prob = f64 ? wide : f32;
  const Precision &prec = f64 ? kFloat64 : kFloat32;
  std::vector<Tensor> &grads = f64 ? grads64 : grads32;
  double loss0 = lossValue(grads[0]);
  printf("gradcheck: batch %lld, loss %s, %s differences, eps %g*max(1,|w|), "
         "tolerance %g\n",
         (long long)b, formatFixed(lossValue(grads32[0]), 6).c_str(), prec.name,
         prec.step, prec.tolerance);
  if (f64)
    printf("  (f32_err: the float32 gradient against the float64 one, "
           "tolerance %g)\n",
           kFloat32.tolerance);
  int failed = 0;
  int64_t kinks = 0;
  for (size_t p = 0; p < s.params.size(); ++p) {
    int64_t numel = s.params[p].numel();
    // Every element of small parameters, else 20 seeded picks.
    std::vector<int64_t> picks;
    Rng rng(streamSeed(0, "gradcheck." + m.params[p].name));
    for (int64_t k = 0; k < std::min<int64_t>(numel, kGradSamples); ++k)
      picks.push_back(numel <= kGradSamples ? k : (int64_t)rng.below(numel));
    double worst = 0;
    int64_t paramKinks = 0;
    NNRT_TRY(checkParameter(prob, prec, p, picks, grads[1 + p], loss0, worst,
                            paramKinks));
    bool ok = worst <= prec.tolerance;
    // The float32 build's gradient must match the float64 one it was
    // widened from, at float32's precision.
    double f32Err = 0;
    if (f64)
      for (int64_t i : picks)
        f32Err = std::max(f32Err,
                          relError(grads32[1 + p].as<float>()[i],
                                   grads64[1 + p].as<double>()[i], kFloat32));
    ok &= f32Err <= kFloat32.tolerance;
    failed += !ok;
    kinks += paramKinks;
    printf("  %-32s %s%s  checked %zu  max_rel_err %.3e",
           m.params[p].name.c_str(), nnrt_dtype_name(m.params[p].dtype),
           formatShape(m.params[p].shape).c_str(), picks.size(), worst);
    if (f64)
      printf("  f32_err %.3e", f32Err);
    printf("  %s", ok ? "ok" : "FAIL");
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
