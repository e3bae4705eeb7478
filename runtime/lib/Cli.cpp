//===- Cli.cpp - the command line of the executables nnc makes ------------===//
//
// train / eval / predict / info / gradcheck, as in shared/TOOLS.md and
// docs/runtime.md. Usage errors exit 2, every other failure exits 1 with
// one "error: ..." line on stderr.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "Mpi.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace nnrt;

namespace {
struct Flag {
  const char *name, *value, *help; // value: NULL for a switch
};
struct Command {
  const char *name, *summary;
  std::vector<Flag> flags;
};

const std::vector<Command> &commands() {
  static const std::vector<Command> all = {
      {"train",
       "train the model (resumes from a --load file written by --save)",
       {{"--epochs", "E", "epochs to run now (default: the train block's)"},
        {"--batch", "B", "batch size (default: the train block's)"},
        {"--lr", "X", "learning rate (default: the optimizer's)"},
        {"--seed", "S", "seed for initial weights and shuffling"},
        {"--data", "DIR", "folder holding the data files"},
        {"--load", "W.safetensors", "start from these weights"},
        {"--save", "W.safetensors", "save weights and optimizer state"},
        {"--log", "metrics.csv", "write one CSV row per epoch"},
        {"--log-steps", "steps.csv",
         "write the loss of every step (step,loss)"},
        {"--device", "cpu|cuda", "where to run (default: the build's target)"},
        {"--threads", "T", "worker threads (default: the CPUs available)"},
        {"--quiet", nullptr, "only the per-epoch lines"}}},
      {"eval",
       "loss and accuracy on the test source (or the data source)",
       {{"--load", "W.safetensors", "the weights (required)"},
        {"--data", "DIR", "folder holding the data files"},
        {"--batch", "B", "batch size"},
        {"--threads", "T", "worker threads"}}},
      {"predict",
       "run the model on .npy inputs and write the output as f32 .npy",
       {{"--load", "W.safetensors", "the weights (required)"},
        {"--input", "X.npy", "one per model input, in order"},
        {"--output", "Y.npy", "where to write the output (required)"},
        {"--threads", "T", "worker threads"}}},
      {"info", "parameters, shapes, target and build flags", {}},
      {"bench",
       "time the forward pass in this process (inference benchmarks)",
       {{"--batch", "B", "samples per call (default 1)"},
        {"--iters", "K", "calls to time (default 1000)"},
        {"--load", "W.safetensors", "weights (default: initialized)"},
        {"--threads", "T", "worker threads"}}},
      {"gradcheck",
       "compare gradients with finite differences on one batch",
       {{"--load", "W.safetensors", "weights (default: initialized)"},
        {"--batch", "B", "samples (default: the train block's batch)"},
        {"--seed", "S", "seed for initial weights"},
        {"--data", "DIR", "folder holding the data files"}}},
  };
  return all;
}

const Command *findCommand(const std::string &name) {
  for (const Command &c : commands())
    if (name == c.name)
      return &c;
  return nullptr;
}

void printUsage(FILE *out, const char *prog) {
  fprintf(out, "usage: %s <command> [options]\n\ncommands:\n", prog);
  for (const Command &c : commands())
    fprintf(out, "  %-10s %s\n", c.name, c.summary);
  fprintf(out, "\n'%s <command> --help' lists the command's options.\n", prog);
}

void printCommandHelp(FILE *out, const char *prog, const Command &c) {
  fprintf(out, "usage: %s %s", prog, c.name);
  for (const Flag &f : c.flags)
    fprintf(out, f.value ? " [%s %s]" : " [%s]", f.name, f.value);
  fprintf(out, "\n\n%s\n", c.summary);
  if (!c.flags.empty())
    fprintf(out, "\noptions:\n");
  for (const Flag &f : c.flags) {
    std::string lhs =
        std::string(f.name) + (f.value ? " " : "") + (f.value ? f.value : "");
    fprintf(out, "  %-28s %s\n", lhs.c_str(), f.help);
  }
}

/// Parsed options: every value of every flag given, and the first usage
/// error met while parsing or converting them (exit code 2).
struct Options {
  std::map<std::string, std::vector<std::string>> values;
  mutable std::string error;
  void fail(const std::string &message) const {
    if (error.empty())
      error = message;
  }
  bool has(const char *f) const { return values.count(f) != 0; }
  std::string get(const char *f, const std::string &def = "") const {
    auto it = values.find(f);
    return it == values.end() ? def : it->second.back();
  }
};

Options parseOptions(const Command &c, int argc, char **argv) {
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool inlineValue = false;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inlineValue = true;
    }
    const Flag *flag = nullptr;
    for (const Flag &f : c.flags)
      if (arg == f.name)
        flag = &f;
    if (!flag) {
      o.fail(arg.rfind("-", 0) == 0
                 ? "unknown option '" + arg + "' for '" + c.name + "'"
                 : "unexpected argument '" + arg + "'");
      return o;
    }
    if (!flag->value) {
      if (inlineValue)
        o.fail("option '" + arg + "' takes no value");
      o.values[arg].push_back("1");
      continue;
    }
    if (!inlineValue && i + 1 < argc)
      value = argv[++i];
    if (value.empty()) {
      o.fail("option '" + arg + "' needs a value (" + flag->value + ")");
      return o;
    }
    o.values[arg].push_back(value);
  }
  return o;
}

int64_t intFlag(const Options &o, const char *flag, int64_t def, int64_t min) {
  if (!o.has(flag))
    return def;
  std::string v = o.get(flag);
  char *end = nullptr;
  errno = 0;
  long long n = strtoll(v.c_str(), &end, 10);
  if (*end || errno || n < min)
    o.fail("invalid value '" + v + "' for " + flag +
           " (expected an integer >= " + std::to_string(min) + ")");
  return n;
}

double floatFlag(const Options &o, const char *flag, double def) {
  if (!o.has(flag))
    return def;
  std::string v = o.get(flag);
  char *end = nullptr;
  double x = strtod(v.c_str(), &end);
  if (*end || !std::isfinite(x) || x <= 0)
    o.fail("invalid value '" + v + "' for " + flag +
           " (expected a positive number)");
  return x;
}

static double specBytes(const TensorSpec &t) {
  return (double)checkedNumel(t.shape) * (double)nnrt_dtype_size(t.dtype);
}

/// FLOPs and memory at the train block's batch, from nnc's count.
static void printCost(const Manifest &m) {
  if (m.forwardFlops < 0)
    return;
  double batch = (double)std::max<int64_t>(1, m.costBatch);
  printf("compute at batch %lld (a multiply-add is 2 FLOPs):\n",
         (long long)batch);
  printf("  forward     %10sFLOPs per sample  %10sFLOPs per batch\n",
         formatSI(m.forwardFlops / batch).c_str(),
         formatSI(m.forwardFlops).c_str());
  if (m.stepFlops >= 0)
    printf("  train step  %10sFLOPs per sample  %10sFLOPs per step\n",
           formatSI(m.stepFlops / batch).c_str(),
           formatSI(m.stepFlops).c_str());
  if (!m.lineCosts.empty()) {
    printf("  forward by source line, per sample:\n");
    for (const LineCost &c : m.lineCosts) {
      std::string where = c.file.substr(c.file.find_last_of('/') + 1) + ":" +
                          std::to_string(c.line);
      printf("    %-24s %10sFLOPs %5.1f%%  %s\n", where.c_str(),
             formatSI(c.flops / batch).c_str(),
             m.forwardFlops > 0 ? 100.0 * c.flops / m.forwardFlops : 0.0,
             c.text.c_str());
    }
  }
  double params = 0, state = 0;
  for (const ParamSpec &p : m.params)
    params += specBytes(p);
  for (const StateSpec &st : m.states)
    state += specBytes(st);
  printf("memory at batch %lld:\n", (long long)batch);
  printf("  parameters       %12s\n", formatBytes(params).c_str());
  if (m.hasTrain) {
    printf("  gradients        %12s\n", formatBytes(params).c_str());
    printf("  optimizer state  %12s\n", formatBytes(state).c_str());
  }
  if (m.activationBytes >= 0)
    printf(
        "  activations      %12s  (every tensor the forward pass computes)\n",
        formatBytes(m.activationBytes).c_str());
}

void printInfo(const Manifest &m) {
  printf("model %s\n", m.model.c_str());
  for (const TensorSpec &t : m.inputs)
    printf("input  %s %s%s\n", t.name.c_str(), nnrt_dtype_name(t.dtype),
           formatShape(t.shape).c_str());
  for (const TensorSpec &t : m.outputs)
    printf("output %s%s\n", nnrt_dtype_name(t.dtype),
           formatShape(t.shape).c_str());
  printf("parameters:\n");
  int64_t total = 0;
  for (const ParamSpec &p : m.params) {
    int64_t n = checkedNumel(p.shape);
    total += n;
    printf("  %-32s %s%-16s %10lld  %s\n", p.name.c_str(),
           nnrt_dtype_name(p.dtype), formatShape(p.shape).c_str(), (long long)n,
           p.init.c_str());
  }
  printf("total parameters: %lld\n", (long long)total);
  if (m.hasTrain) {
    printf("train: loss %s, batch %lld, epochs %lld, seed %llu, shuffle %s\n",
           m.loss.c_str(), (long long)m.batch, (long long)m.epochs,
           (unsigned long long)m.seed, m.shuffle ? "on" : "off");
    printf("optimizer: %s", m.optimizer.c_str());
    for (auto &[k, v] : m.optimizerArgs)
      printf(" %s=%s", k.c_str(), v.c_str());
    printf("\n");
    for (const DataSpec *d : {&m.data, &m.test}) {
      if (!d->present)
        continue;
      printf("%s: %s", d == &m.data ? "data" : "test", d->kind.c_str());
      for (const std::string &f : d->files)
        printf(" %s", f.c_str());
      printf(" (in %s)", d->dir.c_str());
      if (d->scale != 1.0)
        printf(" scale %s", formatNumber(d->scale).c_str());
      printf("\n");
    }
  } else {
    printf("train: none (no train block)\n");
  }
  printCost(m);
  if (m.buildFlags.empty()) {
    // A manifest without build flags (hand-written, as in test/Runtime).
    printf("target: %s%s%s\n", m.device.c_str(),
           m.deviceArch.empty() ? "" : " ", m.deviceArch.c_str());
  } else {
    printf("build:");
    for (auto &[k, v] : m.buildFlags)
      printf(" %s=%s", k.c_str(), v.c_str());
    printf("\n");
  }
  for (const std::string &line : m.other)
    printf("%s\n", line.c_str());
}

int fail(nnrt_status st) {
  // In an MPI job the message names the rank (MPI's own ones already do).
  const MpiJob &job = mpiJob();
  const char *message = nnrt_status_message(st);
  if (job.distributed() && strncmp(message, "rank ", 5) != 0)
    fprintf(stderr, "error: rank %d of %d: %s\n", job.rank, job.size, message);
  else
    fprintf(stderr, "error: %s\n", message);
  nnrt_status_free(st);
  return 1;
}

/// The body of each command; returns the exit code, or -1 after a usage
/// error (left in o.error).
int runCommand(const nnrt_model *model, const Command &c, const Options &o,
               Session &s) {
  std::string cmd = c.name;
  const Manifest &m = s.m;
  if (cmd == "info") {
    printInfo(m);
    return 0;
  }
  bool distributed = mpiJob().distributed(), rank0 = mpiJob().rank == 0;
  if (distributed && cmd != "train" && cmd != "eval") {
    if (rank0)
      fprintf(stderr,
              "error: '%s' runs in one process; start it without mpirun "
              "(only train and eval run over MPI ranks)\n",
              cmd.c_str());
    return 1;
  }
  if ((cmd == "train" || cmd == "gradcheck") &&
      (!m.hasTrain || !model->train_step || !model->gradients)) {
    fprintf(stderr,
            "error: '%s' needs a train block, and model '%s' has "
            "none (add 'train %s { ... }' to the .nn file)\n",
            cmd.c_str(), m.model.c_str(), m.model.c_str());
    return 1;
  }
  if ((cmd == "eval" || cmd == "predict") && !o.has("--load"))
    o.fail("'" + cmd + "' needs --load W.safetensors");
  if (cmd == "predict" && (!o.has("--input") || !o.has("--output")))
    o.fail("'predict' needs --input X.npy and --output Y.npy");

  s.seed = m.seed;
  s.batch = m.batch > 0 ? m.batch : 32;
  int64_t seedFlag = intFlag(o, "--seed", -1, 0);
  int64_t batchFlag = intFlag(o, "--batch", -1, 1);
  int64_t epochs = intFlag(o, "--epochs", m.epochs, 0);
  int64_t threads = intFlag(o, "--threads", nnrt_threads_default(), 1);
  double lr = floatFlag(o, "--lr", m.lr);
  if (!o.error.empty())
    return -1;
  if (nnrt_status st = selectDevice(m, o.get("--device", m.device), s.place))
    return fail(st);
  // Far more threads than CPUs only adds switching, and libomp aborts
  // (100000) or crawls (2000) on absurd counts; results do not depend on it.
  int64_t cpus = nnrt_threads_default(), maxThreads = 4 * cpus;
  if (threads > maxThreads) {
    fprintf(stderr,
            "warning: --threads %lld is more than 4 per CPU (%lld "
            "available); using %lld\n",
            (long long)threads, (long long)cpus, (long long)maxThreads);
    threads = maxThreads;
  }
  nnrt_threads_set((int)threads);

  if (o.has("--load")) {
    if (nnrt_status st = s.load(o.get("--load")))
      return fail(st);
  } else if (nnrt_status st =
                 s.initParams(seedFlag >= 0 ? (uint64_t)seedFlag : m.seed)) {
    return fail(st);
  }
  // Flags win over what a resumed file recorded.
  if (seedFlag >= 0)
    s.seed = (uint64_t)seedFlag;
  if (batchFlag > 0)
    s.batch = batchFlag;

  std::string dataDir = o.get("--data");
  if (cmd == "train") {
    TrainOptions t;
    t.epochs = epochs;
    t.lr = lr;
    t.logPath = o.get("--log");
    t.stepLogPath = o.get("--log-steps");
    t.savePath = o.get("--save");
    t.dataDir = dataDir;
    t.quiet = o.has("--quiet");
    if (distributed && !model->apply_gradients) {
      fprintf(stderr,
              "error: rank %d of %d: this executable has no "
              "apply_gradients entry point (rebuild it with this nnc to "
              "train over MPI ranks)\n",
              mpiJob().rank, mpiJob().size);
      return 1;
    }
    // Rank 0 alone writes files and reports.
    if (!rank0) {
      t.logPath = t.stepLogPath = t.savePath = "";
      t.quiet = true;
      t.report = false;
    }
    int stoppedBy = 0;
    if (nnrt_status st = train(s, t, stoppedBy))
      return fail(st);
    return stoppedBy ? 128 + stoppedBy : 0; // as a shell reports a signal
  }
  if (cmd == "eval") {
    Dataset ds;
    bool test = m.test.present;
    if (nnrt_status st = loadDataset(test ? m.test : m.data, dataDir, m,
                                     test ? "test" : "data", ds))
      return fail(st);
    EvalResult r;
    if (nnrt_status st = evaluate(s, ds, s.batch, r))
      return fail(st);
    if (!rank0)
      return 0;
    printf("%s: %lld samples  loss %s", test ? "test" : "data",
           (long long)ds.size(), formatFixed(r.loss, 6).c_str());
    if (r.hasAccuracy)
      printf("  accuracy %.4f", r.accuracy);
    printf("\n");
    return 0;
  }
  if (cmd == "predict") {
    if (nnrt_status st = predict(s, o.values.at("--input"), o.get("--output")))
      return fail(st);
    return 0;
  }
  if (cmd == "bench") {
    int64_t batch = batchFlag > 0 ? batchFlag : 1;
    int64_t iters = intFlag(o, "--iters", 1000, 1);
    if (!o.error.empty())
      return -1;
    if (nnrt_status st = benchForward(s, batch, iters))
      return fail(st);
    return 0;
  }
  bool ok = false;
  if (nnrt_status st = gradcheck(s, dataDir, s.batch, ok))
    return fail(st);
  return ok ? 0 : 1;
}
} // namespace

extern "C" int nnrt_cli_main(const nnrt_model *model, int argc, char **argv) {
  const char *prog = argc > 0 ? argv[0] : "model";
  if (argc < 2) {
    printUsage(stderr, prog);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    printUsage(stdout, prog);
    return 0;
  }
  const Command *c = findCommand(cmd);
  if (!c) {
    fprintf(stderr, "error: unknown command '%s' (see '%s --help')\n",
            cmd.c_str(), prog);
    return 2;
  }
  for (int i = 2; i < argc; ++i)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printCommandHelp(stdout, prog, *c);
      return 0;
    }
  Session s;
  s.model = model;
  if (nnrt_status st = parseManifest(model->manifest, s.m))
    return fail(st);
  // Under an MPI launcher every rank joins the job before anything else can
  // fail; after a failure, mpiFinish ends the other ranks too.
  if (nnrt_status st = mpiStart()) {
    int rc = fail(st);
    mpiFinish(rc);
    return rc;
  }
  Options o = parseOptions(*c, argc, argv);
  int rc = o.error.empty() ? runCommand(model, *c, o, s) : -1;
  if (rc < 0) {
    fprintf(stderr, "error: %s (see '%s %s --help')\n", o.error.c_str(), prog,
            c->name);
    rc = 2;
  }
  mpiFinish(rc);
  return rc;
}
