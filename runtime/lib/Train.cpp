//===- Train.cpp - the training loop and evaluation -----------------------===//

#include "Internal.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <unistd.h>

using namespace nnrt;

static double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/// A view of a batch buffer (not owned: never freed).
static nnrt_tensor view(void *data, nnrt_dtype dtype, const Shape &shape) {
  nnrt_tensor t{};
  t.dtype = dtype;
  t.rank = (int32_t)shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    t.shape[i] = shape[i];
  t.data = t.allocation = data;
  return t;
}

Status nnrt::evaluate(const Session &s, const Dataset &ds, int64_t batch,
                      EvalResult &out) {
  const Manifest &m = s.m;
  const TensorSpec &in = m.inputs[0];
  int64_t n = ds.size(), per = in.sampleNumel();
  std::vector<float> x(batch * per);
  std::vector<char> y(batch * ds.y.bytes() / n);
  std::vector<int64_t> order(batch);
  bool ce = m.loss != "mse";
  double lossSum = 0;
  int64_t correct = 0;
  Uploads uploads(s.place);
  for (int64_t start = 0; start < n; start += batch) {
    int64_t b = std::min(batch, n - start);
    for (int64_t i = 0; i < b; ++i)
      order[i] = start + i;
    fillBatch(ds, order.data(), b, x.data(), y.data());
    nnrt_tensor xt = view(x.data(), NNRT_F32, in.withBatch(b));
    const nnrt_tensor *xa = nullptr;
    NNRT_TRY(uploads.put(0, xt, xa));
    std::vector<const nnrt_tensor *> args = {xa};
    for (const Tensor &p : s.params)
      args.push_back(&p.t);
    std::vector<Tensor> results;
    NNRT_TRY(callEntry("forward", s.model->forward, args, {&m.outputs[0]},
                       results, s.place));
    NNRT_TRY(moveTo(results[0], Place::Host));
    const float *o = results[0].as<float>();
    int64_t outPer = results[0].numel() / b;
    if (ce) {
      const int32_t *labels = reinterpret_cast<const int32_t *>(y.data());
      for (int64_t i = 0; i < b; ++i) {
        // Stable log-softmax: log sum exp(o - max) + max - o[label].
        const float *row = o + i * outPer;
        int64_t arg = 0;
        for (int64_t c = 1; c < outPer; ++c)
          if (row[c] > row[arg])
            arg = c;
        double sum = 0;
        for (int64_t c = 0; c < outPer; ++c)
          sum += std::exp((double)row[c] - row[arg]);
        lossSum += std::log(sum) + row[arg] - row[labels[i]];
        correct += arg == labels[i];
      }
    } else {
      const float *t = reinterpret_cast<const float *>(y.data());
      double sq = 0;
      for (int64_t i = 0; i < b * outPer; ++i)
        sq += ((double)o[i] - t[i]) * ((double)o[i] - t[i]);
      lossSum += sq / outPer;
    }
  }
  out.loss = lossSum / n;
  out.hasAccuracy = ce;
  out.accuracy = ce ? (double)correct / n : 0;
  return nullptr;
}

namespace {
/// The per-epoch progress display: a bar on a terminal, a plain line every
/// ~10% otherwise, nothing when quiet.
class Progress {
public:
  Progress(bool quiet, int64_t epoch, int64_t total)
      : quiet(quiet), tty(isatty(2)), epoch(epoch), total(total),
        nextPlain(std::max<int64_t>(1, total / 10)), start(now()) {}
  void update(int64_t done, double loss, int64_t samples) {
    if (quiet)
      return;
    double t = now(), elapsed = t - start;
    if (tty ? t - last < 0.1 && done != total : done < nextPlain)
      return;
    last = t;
    nextPlain = done + std::max<int64_t>(1, total / 10);
    double rate = samples / std::max(elapsed, 1e-9);
    double left = elapsed / done * (total - done);
    if (tty) {
      int width = 24, fill = (int)(width * done / total);
      fprintf(stderr,
              "\r\033[Kepoch %lld [%.*s%*s] %lld/%lld loss %.4f "
              "%.0f samples/s %.0fs left",
              (long long)epoch, fill, "========================", width - fill,
              "", (long long)done, (long long)total, loss, rate, left);
    } else {
      fprintf(stderr,
              "epoch %lld: %lld/%lld batches, loss %.4f, %.0f "
              "samples/s, %.0fs left\n",
              (long long)epoch, (long long)done, (long long)total, loss, rate,
              left);
    }
    fflush(stderr);
  }
  void finish() {
    if (!quiet && tty)
      fprintf(stderr, "\r\033[K");
  }

private:
  bool quiet, tty;
  int64_t epoch, total, nextPlain;
  double start, last = 0;
};
} // namespace

// One optimizer step; takes the new parameters and state.
static Status trainStep(Session &s, Uploads &uploads, nnrt_tensor &x,
                        nnrt_tensor &y, float lr, float &out_loss) {
  const Manifest &m = s.m;
  float stepValue = (float)(s.step + 1);
  nnrt_tensor lrT = view(&lr, NNRT_F32, {}),
              stepT = view(&stepValue, NNRT_F32, {});
  const nnrt_tensor *xa, *ya, *lra, *stepa;
  NNRT_TRY(uploads.put(0, x, xa));
  NNRT_TRY(uploads.put(1, y, ya));
  NNRT_TRY(uploads.put(2, lrT, lra));
  NNRT_TRY(uploads.put(3, stepT, stepa));
  std::vector<const nnrt_tensor *> args = {xa, ya};
  std::vector<const TensorSpec *> specs;
  static const TensorSpec lossSpec{"loss", NNRT_F32, {}};
  specs.push_back(&lossSpec);
  for (size_t i = 0; i < s.params.size(); ++i) {
    args.push_back(&s.params[i].t);
    specs.push_back(&m.params[i]);
  }
  for (size_t i = 0; i < s.states.size(); ++i) {
    args.push_back(&s.states[i].t);
    specs.push_back(&m.states[i]);
  }
  args.push_back(lra);
  args.push_back(stepa);
  std::vector<Tensor> results;
  NNRT_TRY(callEntry("train_step", s.model->train_step, args, specs, results,
                     s.place));
  // The one download of a step: 4 bytes.
  NNRT_TRY(moveTo(results[0], Place::Host));
  for (size_t i = 1; i < results.size(); ++i)
    if (results[i].shape() != specs[i]->shape)
      return nnrt_status_make("train_step returned %s for '%s', expected %s",
                              formatShape(results[i].shape()).c_str(),
                              specs[i]->name.c_str(),
                              formatShape(specs[i]->shape).c_str());
  out_loss = *results[0].as<float>();
  for (size_t i = 0; i < s.params.size(); ++i)
    s.params[i] = std::move(results[1 + i]);
  for (size_t i = 0; i < s.states.size(); ++i)
    s.states[i] = std::move(results[1 + s.params.size() + i]);
  ++s.step;
  return nullptr;
}

static int closeIfOpen(FILE *f) { return f ? fclose(f) : 0; }

/// Opens a CSV log with its header line; no file when `path` is empty.
static Status openCsv(const std::string &path, const char *header, FILE *&out) {
  out = nullptr;
  if (path.empty())
    return nullptr;
  out = fopen(path.c_str(), "w");
  if (!out)
    return nnrt_status_make("%s: cannot write: %s", path.c_str(),
                            strerror(errno));
  fprintf(out, "%s\n", header);
  return nullptr;
}

Status nnrt::train(Session &s, const TrainOptions &opts) {
  const Manifest &m = s.m;
  Dataset data, test;
  NNRT_TRY(loadDataset(m.data, opts.dataDir, m, "data", data));
  if (m.test.present)
    NNRT_TRY(loadDataset(m.test, opts.dataDir, m, "test", test));
  if (!opts.savePath.empty())
    NNRT_TRY(checkWritable(opts.savePath));
  FILE *log = nullptr, *stepLog = nullptr;
  NNRT_TRY(openCsv(opts.logPath,
                   "epoch,train_loss,test_loss,test_accuracy,seconds", log));
  std::unique_ptr<FILE, int (*)(FILE *)> logGuard(log, closeIfOpen);
  NNRT_TRY(openCsv(opts.stepLogPath, "step,loss", stepLog));
  std::unique_ptr<FILE, int (*)(FILE *)> stepLogGuard(stepLog, closeIfOpen);

  const TensorSpec &in = m.inputs[0];
  int64_t n = data.size(), batch = s.batch;
  int64_t batches = (n + batch - 1) / batch;
  std::vector<float> x(batch * in.sampleNumel());
  std::vector<char> y(batch * data.y.bytes() / n);
  Uploads uploads(s.place);
  for (int64_t e = 0; e < opts.epochs; ++e) {
    int64_t epochNo = s.epoch + 1;
    double start = now();
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (m.shuffle)
      order = shuffleOrder(n, s.seed, s.epoch);
    Progress progress(opts.quiet, epochNo, batches);
    double lossSum = 0;
    for (int64_t bi = 0; bi < batches; ++bi) {
      int64_t first = bi * batch, b = std::min(batch, n - first);
      fillBatch(data, order.data() + first, b, x.data(), y.data());
      nnrt_tensor xt = view(x.data(), NNRT_F32, in.withBatch(b));
      nnrt_tensor yt = view(y.data(), m.target.dtype, m.target.withBatch(b));
      float loss = 0;
      NNRT_TRY(trainStep(s, uploads, xt, yt, (float)opts.lr, loss));
      if (!std::isfinite(loss)) {
        progress.finish();
        return nnrt_status_make("loss is %s at epoch %lld step %lld",
                                std::isnan(loss) ? "nan" : "inf",
                                (long long)epochNo, (long long)bi + 1);
      }
      if (stepLog)
        fprintf(stepLog, "%lld,%.9g\n", (long long)s.step, loss);
      lossSum += (double)loss * b;
      progress.update(bi + 1, lossSum / (first + b), first + b);
    }
    progress.finish();
    ++s.epoch;
    double trainLoss = lossSum / n;
    EvalResult ev;
    if (m.test.present)
      NNRT_TRY(evaluate(s, test, batch, ev));
    double seconds = now() - start;
    printf("epoch %lld  train_loss %.6f", (long long)epochNo, trainLoss);
    if (m.test.present) {
      printf("  test_loss %.6f", ev.loss);
      if (ev.hasAccuracy)
        printf("  test_accuracy %.4f", ev.accuracy);
    }
    printf("  time %.2fs\n", seconds);
    fflush(stdout);
    if (log) {
      fprintf(log, "%lld,%.6f,", (long long)epochNo, trainLoss);
      if (m.test.present)
        fprintf(log, "%.6f", ev.loss);
      fprintf(log, ",");
      if (m.test.present && ev.hasAccuracy)
        fprintf(log, "%.6f", ev.accuracy);
      fprintf(log, ",%.3f\n", seconds);
      fflush(log);
    }
  }
  if (!opts.savePath.empty())
    NNRT_TRY(s.save(opts.savePath));
  return nullptr;
}
