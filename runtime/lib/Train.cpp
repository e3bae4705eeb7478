//===- Train.cpp - the training loop and evaluation -----------------------===//

#include "Internal.h"
#include "Mpi.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <signal.h>
#include <unistd.h>

using namespace nnrt;

static double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

nnrt_tensor nnrt::hostView(void *data, nnrt_dtype dtype, const Shape &shape) {
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
  // In an MPI job each rank takes a fixed slice of the set and the sums are
  // added over ranks.
  const MpiJob &job = mpiJob();
  int64_t begin = n * job.rank / job.size, end = n * (job.rank + 1) / job.size;
  std::vector<float> x(batch * per);
  std::vector<char> y(batch * ds.y.bytes() / n);
  std::vector<int64_t> order(batch);
  bool ce = m.loss != "mse";
  double lossSum = 0;
  int64_t correct = 0;
  Uploads uploads(s.place);
  for (int64_t start = begin; start < end; start += batch) {
    int64_t b = std::min(batch, end - start);
    for (int64_t i = 0; i < b; ++i)
      order[i] = start + i;
    fillBatch(ds, order.data(), b, x.data(), y.data());
    nnrt_tensor xt = hostView(x.data(), NNRT_F32, in.withBatch(b));
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
    for (int64_t i = 0; i < b * outPer; ++i)
      if (!std::isfinite(o[i]))
        return nnrt_status_make("the model's output for %s sample %lld is %s "
                                "(overflow in the forward pass?)",
                                ds.what.c_str(),
                                (long long)(start + i / outPer),
                                std::isnan(o[i]) ? "nan" : "inf");
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
  double sums[2] = {lossSum, (double)correct};
  NNRT_TRY(mpiSum(sums, 2));
  lossSum = sums[0];
  correct = (int64_t)sums[1];
  out.loss = lossSum / n;
  if (!std::isfinite(out.loss))
    return nnrt_status_make("the %s loss is not finite", ds.what.c_str());
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
              "\r\033[Kepoch %lld [%.*s%*s] %lld/%lld loss %s "
              "%.0f samples/s %.0fs left",
              (long long)epoch, fill, "========================", width - fill,
              "", (long long)done, (long long)total,
              formatFixed(loss, 4).c_str(), rate, left);
    } else {
      fprintf(stderr,
              "epoch %lld: %lld/%lld batches, loss %s, %.0f "
              "samples/s, %.0fs left\n",
              (long long)epoch, (long long)done, (long long)total,
              formatFixed(loss, 4).c_str(), rate, left);
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
  nnrt_tensor lrT = hostView(&lr, NNRT_F32, {}),
              stepT = hostView(&stepValue, NNRT_F32, {});
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
                     s.place, /*updatesInPlace=*/true));
  // The one download of a step: 4 bytes.
  NNRT_TRY(moveTo(results[0], Place::Host));
  for (size_t i = 1; i < results.size(); ++i)
    if (results[i].shape() != specs[i]->shape)
      return nnrt_status_make("train_step returned %s for '%s', expected %s",
                              formatShape(results[i].shape()).c_str(),
                              specs[i]->name.c_str(),
                              formatShape(specs[i]->shape).c_str());
  out_loss = *results[0].as<float>();
  NNRT_TRY(adoptResults(s.updated(), results, 1));
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

namespace {
std::atomic<int> stopSignal{0};

// The first SIGINT/SIGTERM asks the loop to stop after the current step; a
// second one ends the process at once (write and _exit are signal-safe).
extern "C" void onStopSignal(int sig) {
  bool again = stopSignal.exchange(sig) != 0;
  static const char first[] =
      "\ninterrupted: stopping after this step (again to stop at once)\n";
  static const char second[] = "interrupted again: stopping at once\n";
  ssize_t ignored = again ? write(2, second, sizeof second - 1)
                          : write(2, first, sizeof first - 1);
  (void)ignored;
  if (again)
    _exit(128 + sig);
}

/// Catches SIGINT and SIGTERM while training; a signal the caller ignores
/// (as nohup and background jobs do) stays ignored.
class StopSignals {
public:
  StopSignals() {
    stopSignal = 0;
    struct sigaction sa{};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; ++i) {
      sigaction(kSignals[i], nullptr, &old[i]);
      if (old[i].sa_handler != SIG_IGN)
        sigaction(kSignals[i], &sa, nullptr);
    }
  }
  ~StopSignals() {
    for (int i = 0; i < 2; ++i)
      sigaction(kSignals[i], &old[i], nullptr);
  }

private:
  static constexpr int kSignals[2] = {SIGINT, SIGTERM};
  struct sigaction old[2];
};
} // namespace

// After a stop signal: saves unless the last epoch's checkpoint is current
// or nothing was trained, and says what happened.
static Status stopOnSignal(const Session &s, const TrainOptions &opts,
                           int64_t stepsRun, bool saved, int &stoppedBy) {
  // In an MPI job, a rank may stop because another one got the signal.
  stoppedBy = stopSignal ? (int)stopSignal : SIGTERM;
  if (!opts.report)
    return nullptr;
  const char *name = stoppedBy == SIGINT ? "SIGINT" : "SIGTERM";
  std::string where =
      "step " + std::to_string(s.step) +
      (s.epochSamples > 0 ? " (in epoch " + std::to_string(s.epoch + 1)
                          : " (end of epoch " + std::to_string(s.epoch)) +
      ")";
  if (stepsRun == 0) {
    fprintf(stderr,
            "interrupted by %s before the first step: nothing to "
            "save\n",
            name);
    return nullptr;
  }
  if (opts.savePath.empty()) {
    fprintf(stderr, "interrupted by %s after %s: not saved (no --save)\n", name,
            where.c_str());
    return nullptr;
  }
  if (!saved)
    NNRT_TRY(s.save(opts.savePath));
  fprintf(stderr,
          "interrupted by %s after %s: checkpoint saved to %s "
          "(continue with --load %s)\n",
          name, where.c_str(), opts.savePath.c_str(), opts.savePath.c_str());
  return nullptr;
}

Status nnrt::train(Session &s, const TrainOptions &opts, int &stoppedBy) {
  const Manifest &m = s.m;
  stoppedBy = 0;
  StopSignals signals;
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
  // In an MPI job every step, and every decision to stop, is taken together.
  std::unique_ptr<DataParallelStep> dp;
  if (mpiJob().distributed())
    dp = std::make_unique<DataParallelStep>(s);
  bool stopAll = false;
  auto stopNow = [&] { return dp ? stopAll : stopSignal != 0; };
  if (s.epochSamples >= n)
    return nnrt_status_make("the checkpoint stopped after sample %lld of "
                            "epoch %lld, but the data has %lld samples",
                            (long long)s.epochSamples, (long long)s.epoch + 1,
                            (long long)n);
  int64_t stepsRun = 0;
  bool saved = false; // the checkpoint on disk is the current state
  for (int64_t e = 0; e < opts.epochs; ++e) {
    int64_t epochNo = s.epoch + 1;
    double start = now();
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (m.shuffle)
      order = shuffleOrder(n, s.seed, s.epoch);
    Progress progress(opts.quiet, epochNo, batches);
    // A checkpoint taken inside this epoch resumes at its next sample.
    double lossSum = s.epochLossSum;
    for (int64_t bi = s.epochSamples / batch, first = s.epochSamples; first < n;
         ++bi) {
      if (stopNow()) {
        progress.finish();
        return stopOnSignal(s, opts, stepsRun, saved, stoppedBy);
      }
      int64_t b = std::min(batch, n - first);
      float loss = 0;
      if (dp) {
        NNRT_TRY(dp->run(data, order.data() + first, b, (float)opts.lr,
                         stopSignal != 0, loss, stopAll));
      } else {
        fillBatch(data, order.data() + first, b, x.data(), y.data());
        nnrt_tensor xt = hostView(x.data(), NNRT_F32, in.withBatch(b));
        nnrt_tensor yt =
            hostView(y.data(), m.label.dtype, m.label.withBatch(b));
        NNRT_TRY(trainStep(s, uploads, xt, yt, (float)opts.lr, loss));
      }
      if (!std::isfinite(loss)) {
        progress.finish();
        return nnrt_status_make("loss is %s at epoch %lld step %lld",
                                std::isnan(loss) ? "nan" : "inf",
                                (long long)epochNo, (long long)bi + 1);
      }
      if (stepLog) {
        fprintf(stepLog, "%lld,%.9g\n", (long long)s.step, loss);
        fflush(stepLog); // complete up to the last step, even after a kill
      }
      lossSum += (double)loss * b;
      first += b;
      s.epochSamples = first;
      s.epochLossSum = lossSum;
      ++stepsRun;
      saved = false;
      progress.update(std::min(bi + 1, batches), lossSum / first, first);
    }
    progress.finish();
    ++s.epoch;
    s.epochSamples = 0;
    s.epochLossSum = 0;
    double trainLoss = lossSum / n;
    EvalResult ev;
    if (m.test.present)
      NNRT_TRY(evaluate(s, test, batch, ev));
    if (dp)
      NNRT_TRY(dp->checkInSync());
    double seconds = now() - start;
    if (opts.report) {
      printf("epoch %lld  train_loss %s", (long long)epochNo,
             formatFixed(trainLoss, 6).c_str());
      if (m.test.present) {
        printf("  test_loss %s", formatFixed(ev.loss, 6).c_str());
        if (ev.hasAccuracy)
          printf("  test_accuracy %.4f", ev.accuracy);
      }
      printf("  time %.2fs\n", seconds);
      fflush(stdout);
    }
    if (log) {
      fprintf(log, "%lld,%s,", (long long)epochNo,
              formatFixed(trainLoss, 6).c_str());
      if (m.test.present)
        fprintf(log, "%s", formatFixed(ev.loss, 6).c_str());
      fprintf(log, ",");
      if (m.test.present && ev.hasAccuracy)
        fprintf(log, "%.6f", ev.accuracy);
      fprintf(log, ",%.3f\n", seconds);
      fflush(log);
    }
    // Every epoch is saved, so a kill -9 loses at most one.
    if (!opts.savePath.empty()) {
      NNRT_TRY(s.save(opts.savePath));
      saved = true;
    }
    if (dp)
      NNRT_TRY(dp->agreeStop(stopSignal != 0, stopAll));
    if (stopNow())
      return stopOnSignal(s, opts, stepsRun, saved, stoppedBy);
  }
  if (!opts.savePath.empty() && !saved)
    NNRT_TRY(s.save(opts.savePath));
  return nullptr;
}
