//===- Internal.h - C++ helpers shared by the runtime's files ---*- C++ -*-===//
//
// Not installed: the public surface is nnrt/nnrt.h. These are the C++
// pieces the loaders, the training loop and the CLI share.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_LIB_INTERNAL_H
#define NNRT_LIB_INTERNAL_H

#include "nnrt/nnrt.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#define NNRT_TRY(expr)                                                         \
  do {                                                                         \
    if (nnrt_status nnrtTryStatus = (expr))                                    \
      return nnrtTryStatus;                                                    \
  } while (0)

namespace nnrt {

using Status = nnrt_status;
using Shape = std::vector<int64_t>;

/// Where a buffer lives: host memory (malloc/free), or CUDA device memory
/// from the caching allocator of Cuda.cpp (CUDA builds).
enum class Place { Host, Device };

/// An owning nnrt_tensor (freed on destruction, movable).
class Tensor {
public:
  Tensor() = default;
  ~Tensor() { release(); }
  Tensor(Tensor &&o) noexcept : t(o.t), place(o.place) {
    o.t = nnrt_tensor{};
    o.place = Place::Host;
  }
  Tensor &operator=(Tensor &&o) noexcept {
    std::swap(t, o.t);
    std::swap(place, o.place);
    return *this;
  }
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;

  /// A zero-filled host tensor.
  Status alloc(nnrt_dtype dtype, const Shape &shape) {
    release();
    return nnrt_tensor_alloc(dtype, (int32_t)shape.size(), shape.data(), &t);
  }
  /// Frees the buffer where it lives.
  void release();
  int64_t numel() const { return nnrt_tensor_numel(&t); }
  Shape shape() const { return Shape(t.shape, t.shape + t.rank); }
  template <typename T> T *as() const { return static_cast<T *>(t.data); }
  size_t bytes() const { return numel() * nnrt_dtype_size(t.dtype); }

  nnrt_tensor t{};
  Place place = Place::Host;
};

/// A copy of `from` in a fresh buffer at `to`.
Status copyTo(const Tensor &from, Place to, Tensor &out);
/// Moves the tensor's data to `to` (a copy, then the old buffer is freed).
Status moveTo(Tensor &t, Place to);

/// "[784,256]"; a batch dimension (-1) prints as N.
std::string formatShape(const Shape &shape);
/// The shortest text that reads back as `v` (0.1, 1e-08, 3e+38).
std::string formatNumber(double v);
/// `decimals` digits after the point ("0.441200"), or %g-style from 1e6 on
/// ("1.234568e+20"), never a 21-digit integer.
std::string formatFixed(double v, int decimals);
/// "427.3 KiB", "512 bytes".
std::string formatBytes(double bytes);
/// With an SI prefix and a space for the unit: "14.0 M", "950 ".
std::string formatSI(double x);
/// Element count with overflow and negative checks; -1 on failure.
int64_t checkedNumel(const Shape &shape);

/// Allocates the tensor a file's header announces once the `have` payload
/// bytes are known to match it exactly (truncated and oversized files fail).
Status allocPayload(const char *path, nnrt_dtype dtype, const Shape &shape,
                    size_t have, Tensor &out);

//===- Files ----------------------------------------------------------===//

/// Reads a whole file, inflating it when it starts with the gzip magic.
Status readFile(const std::string &path, std::vector<uint8_t> &out);
/// readFile, then `parse` on the bytes. Running out of memory in either (a
/// file, or the data it inflates to, larger than memory) is an error that
/// names the file, not an uncaught std::bad_alloc.
Status
readAndParse(const std::string &path,
             const std::function<Status(const std::vector<uint8_t> &)> &parse);
/// readAndParse with a reader that makes one tensor (parseIdx, parseNpy);
/// `out` gets the tensor, for the caller to free, or nothing on failure.
Status readTensorFile(const char *path,
                      Status (*parse)(const char *,
                                      const std::vector<uint8_t> &, Tensor &),
                      nnrt_tensor *out);
/// What readFile does after reading: replaces `bytes` by their inflated
/// content when they start with the gzip magic (`path` names them in errors).
Status inflateIfGzip(const std::string &path, std::vector<uint8_t> &bytes);

/// The readers over a file's bytes (as readFile returns them), `path` naming
/// them in errors. nnrt_idx_read and the others are readFile + these; the
/// libFuzzer targets in fuzz/runtime call them directly.
Status parseIdx(const char *path, const std::vector<uint8_t> &bytes,
                Tensor &out);
Status parseNpy(const char *path, const std::vector<uint8_t> &bytes,
                Tensor &out);
Status parseCsv(const char *path, const std::vector<uint8_t> &bytes,
                int64_t label, nnrt_csv_header header, Tensor &features,
                Tensor &labels);
Status parseSafetensors(const char *path, const std::vector<uint8_t> &bytes,
                        nnrt_safetensors &out);
/// Fails early when `path` could not be written later (missing or read-only
/// directory), so a long run does not end in a lost result.
Status checkWritable(const std::string &path);
/// Writes the chunks to `path` atomically (temp file, fsync, rename).
Status
writeFileAtomic(const std::string &path,
                const std::vector<std::pair<const void *, size_t>> &chunks);

//===- JSON (nlohmann-json: the manifest, safetensors headers) -------===//

/// Parses `text` into `out`, or returns false with `error` saying what is
/// wrong and where ("line 1, column 6: syntax error ..."). Refuses, besides
/// what RFC 8259 does, a key repeated in one object (the parser would keep
/// only the last) and nesting deeper than 64 levels.
bool parseJson(const std::string &text, nlohmann::ordered_json &out,
               std::string &error);

//===- Random streams (docs/runtime.md, "Random numbers") -------------===//

class Rng {
public:
  explicit Rng(uint64_t state) : state(state) {}
  uint64_t next();
  /// In [0, 1), from the top 24 bits of one draw.
  double uniform();
  /// Box-Muller on two uniforms, keeping the cosine branch.
  double normal();
  /// In [0, bound), unbiased enough for shuffles (multiply-high).
  uint64_t below(uint64_t bound);

private:
  uint64_t state;
};

uint64_t fnv1a(const std::string &s);
/// Continues the hash `h` over `bytes` bytes.
uint64_t fnv1a(const void *data, size_t bytes,
               uint64_t h = 0xcbf29ce484222325ull);
uint64_t streamSeed(uint64_t seed, const std::string &name);
/// The epoch's sample order: a pure function of (seed, epoch).
std::vector<int64_t> shuffleOrder(int64_t n, uint64_t seed, int64_t epoch);

//===- Manifest -------------------------------------------------------===//

struct TensorSpec {
  std::string name;
  nnrt_dtype dtype = NNRT_F32;
  Shape shape; // -1 is the batch dimension
  /// Elements per sample (the shape without the batch dimension).
  int64_t sampleNumel() const;
  Shape withBatch(int64_t n) const;
};

struct ParamSpec : TensorSpec {
  std::string init; // "glorot_uniform fan_in=784 fan_out=256"
};

struct StateSpec : TensorSpec {
  std::string param, slot; // name is "optimizer.<param>.<slot>"
};

struct DataSpec {
  bool present = false;
  std::string kind, dir;
  std::vector<std::string> files;
  double scale = 1.0;
  int64_t label = 0;
  std::string header = "auto";
};

/// Forward FLOPs charged to one line of the model's source (nnc's count).
struct LineCost {
  std::string file, text;
  int64_t line = 0;
  double flops = 0; // at Manifest::costBatch
};

struct Manifest {
  std::string model;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<ParamSpec> params;
  bool hasTrain = false;
  std::string loss;
  int64_t batch = 32, epochs = 1;
  uint64_t seed = 0;
  bool shuffle = true;
  std::string optimizer = "sgd";
  std::vector<std::pair<std::string, std::string>> optimizerArgs;
  double lr = 0.01;
  DataSpec data, test;
  TensorSpec label; // the training target
  std::vector<StateSpec> states;
  std::vector<std::string> entries;
  std::string device = "cpu"; // "cuda" for --target=cuda builds
  std::string deviceArch;     // "sm_90"
  /// nnc's count at costBatch: FLOPs of a forward pass and of a training
  /// step, and bytes of the tensors the forward pass computes (-1: absent).
  int64_t costBatch = 0;
  double forwardFlops = -1, stepFlops = -1, activationBytes = -1;
  std::vector<LineCost> lineCosts;
  std::vector<std::pair<std::string, std::string>> buildFlags;
  std::vector<std::string> other; // "key json" of top-level keys not read here
};

Status parseManifest(const char *text, Manifest &out);

//===- Data sets ------------------------------------------------------===//

struct Dataset {
  std::string what; // "data" or "test", for messages
  Tensor x;         // [N, ...] as stored (u8 for IDX)
  double scale = 1.0;
  Tensor y; // the manifest's label dtype, [N] or [N, ...]
  int64_t size() const { return x.t.rank ? x.t.shape[0] : 0; }
};

/// Loads the source and checks it against the model's input and label.
Status loadDataset(const DataSpec &spec, const std::string &dataDir,
                   const Manifest &m, const char *what, Dataset &out);
/// Copies the samples `order[0..count)` into the batch buffers (x as f32
/// times the source's scale).
void fillBatch(const Dataset &ds, const int64_t *order, int64_t count, float *x,
               void *y);
/// Fails, naming `what` and the element ("x.npy: element [12,7] is nan"),
/// when a value times `scale` is not a finite f32.
Status checkFinite(const std::string &what, const nnrt_tensor &t, double scale);
/// Converts any loaded tensor to f32 in place (predict's inputs).
Status convertToF32(Tensor &t);

//===- Calling the generated code ------------------------------------===//

/// Calls `fn` with descriptors for `args` and takes its results (malloc'ed
/// by the generated code) as owned tensors. `resultSpecs` gives each result's
/// dtype and rank. With `where` = Device the arguments are device buffers,
/// the results are device memory from _mlir_memref_to_llvm_alloc, and a CUDA
/// failure during the call is returned. With `updatesInPlace`, a result that
/// is one of the arguments (a parameter updated in place by train_step) comes
/// back as an unowned view of it, for `adoptResult`; otherwise it is copied.
Status callEntry(const char *entry, nnrt_entry_fn fn,
                 const std::vector<const nnrt_tensor *> &args,
                 const std::vector<const TensorSpec *> &resultSpecs,
                 std::vector<Tensor> &results, Place where = Place::Host,
                 bool updatesInPlace = false);

/// Each of `owners` takes its new value from `results` (from `first` on):
/// the result's buffer, or nothing where the result is a view of the owner's
/// own buffer, updated in place. A view of any other buffer is copied first.
Status adoptResults(const std::vector<Tensor *> &owners,
                    std::vector<Tensor> &results, size_t first);

/// A tensor that views `data` (not owned: never freed).
nnrt_tensor hostView(void *data, nnrt_dtype dtype, const Shape &shape);

/// Makes host buffers (batches, scalars) arguments where a session's tensors
/// live: on the host, the buffer itself; on the device, a copy in a device
/// buffer kept per slot and reused from call to call, uploaded on the stream
/// from pinned memory.
class Uploads {
public:
  explicit Uploads(Place where) : where(where) {}
  ~Uploads();
  Uploads(const Uploads &) = delete;
  Uploads &operator=(const Uploads &) = delete;
  /// `host` as an argument; valid until the next put() to the same slot.
  Status put(size_t slot, const nnrt_tensor &host, const nnrt_tensor *&out);

private:
  struct Slot {
    void *pinned = nullptr, *device = nullptr;
    size_t pinnedBytes = 0, deviceBytes = 0;
    bool pinnedIsHeap = false;
    uint64_t uploadedAt = ~uint64_t(0); // deviceSyncCount() at the upload
    nnrt_tensor view{};
  };
  Place where;
  std::deque<Slot> slots; // growing keeps earlier slots' views in place
};

//===- Sessions: the model, its parameters and optimizer state ---------===//

struct Session {
  const nnrt_model *model = nullptr;
  Manifest m;
  /// Where params, states and entry results live (Device for CUDA builds,
  /// from selectDevice); initParams and load place what they make there.
  Place place = Place::Host;
  std::vector<Tensor> params, states;
  int64_t step = 0, epoch = 0;
  uint64_t seed = 0;
  int64_t batch = 0;
  bool resumed = false; // optimizer state came from the loaded file
  // A checkpoint written on an interrupt stops inside epoch `epoch + 1`:
  // the samples of it already trained on and the sum of their losses.
  int64_t epochSamples = 0;
  double epochLossSum = 0;

  Status initParams(uint64_t seed);
  /// Loads parameters (and optimizer state, step and epoch when present).
  Status load(const std::string &path);
  /// load() after the read: `bytes` are the file's (inflated) content.
  Status loadBytes(const std::string &path, const std::vector<uint8_t> &bytes);
  Status save(const std::string &path) const;
  void zeroStates();
  std::vector<const nnrt_tensor *> paramArgs() const;
  /// The parameters, then the states: what train_step and apply_gradients
  /// return new values of.
  std::vector<Tensor *> updated();

private:
  Status placeAll();
};

/// Mean loss and accuracy of the model on a data set, via nnc_call_forward.
struct EvalResult {
  double loss = 0, accuracy = 0;
  bool hasAccuracy = false;
};
Status evaluate(const Session &s, const Dataset &ds, int64_t batch,
                EvalResult &out);

struct TrainOptions {
  int64_t epochs = 0;
  double lr = 0;
  std::string logPath, stepLogPath, savePath, dataDir;
  bool quiet = false;
  /// Prints the per-epoch lines and the stop messages (rank 0 of an MPI job).
  bool report = true;
};
/// `stoppedBy` gets the signal (SIGINT, SIGTERM) that stopped training
/// early after saving, 0 when it ran to the end.
Status train(Session &s, const TrainOptions &opts, int &stoppedBy);
/// `scale` times the loss of one batch, and its gradients, through
/// nnc_call_gradients; `step` (an f32 scalar, like x, y and `scale` where the
/// session's tensors live) picks the dropout masks. The results stay where
/// the session's tensors live.
Status callGradients(const Session &s, const nnrt_tensor *x,
                     const nnrt_tensor *y, const nnrt_tensor *step,
                     const nnrt_tensor *scale, std::vector<Tensor> &out);

class MpiBufferSum; // Mpi.h

/// The steps of data-parallel training (DataParallel.cpp, docs/
/// distributed.md) for one session: rank r of K takes its fixed slice of
/// each global batch through @gradients, with its share of the batch as the
/// loss scale; the gradients of all ranks are summed over a few buckets
/// (MpiBufferSum), and the update applied: on one node each rank updates its
/// slice of the one shared copy, across nodes every rank all of its own.
class DataParallelStep {
public:
  explicit DataParallelStep(Session &s);
  /// With NNRT_DP_TIMES set, prints where this rank's step time went.
  ~DataParallelStep();
  /// Trains on the global batch `order[0..count)` of `data`. `out_loss` is
  /// the global batch's mean loss; `out_stop` whether any rank has asked to
  /// stop (a signal), the same on every rank.
  Status run(const Dataset &data, const int64_t *order, int64_t count, float lr,
             bool stopAsked, float &out_loss, bool &out_stop);
  /// Whether any rank asked to stop, agreed by all ranks.
  Status agreeStop(bool stopAsked, bool &out_stop);
  /// Fails when the parameters and optimizer state are not bit-identical
  /// on every rank (an MPI whose sums differ between ranks).
  Status checkInSync();

private:
  Session &s;
  Uploads uploads;
  std::vector<float> x;
  std::vector<char> y;
  /// Where each gradient is summed: at this offset of `fused`, or, for a
  /// large one (kOwnBucket), in place in the buffer @gradients returned.
  static constexpr size_t kOwnBucket = ~size_t(0);
  std::vector<size_t> offsets;
  std::vector<float> fused; // loss, stop flag, small gradients; 16-float slots
  std::unique_ptr<MpiBufferSum> sums; // fused, then the large gradients
  /// Each parameter's gradient's offset in the concatenation that `sums`
  /// sums.
  std::vector<size_t> gradAt;
  /// Whether the parameters and optimizer state are one node-shared copy
  /// that each rank updates its slice of (@apply_gradients_slice), or each
  /// rank's own, updated whole (@apply_gradients).
  bool sharded = false;
  Status startSums();
  Status updateSlice(size_t from, size_t to, const float *sums, float lr);
  Status updateAll(const std::vector<const float *> &summed, float lr);
  int64_t steps = 0;
  double seconds[4] = {0, 0, 0, 0}; // gradients, copy, all-reduce, update
};

/// Returns via `out_ok` whether every parameter passed.
Status gradcheck(Session &s, const std::string &dataDir, int64_t batch,
                 bool &out_ok);
/// Times `iters` forward calls on a batch of `batch` samples and prints the
/// median latency and the throughput.
Status benchForward(const Session &s, int64_t batch, int64_t iters);
Status predict(const Session &s, const std::vector<std::string> &inputs,
               const std::string &output);

//===- Devices ---------------------------------------------------------===//

/// The one place the runtime asks for a device: "cpu" or "cuda", which
/// must match how the executable was built (the manifest's device key).
/// Starts the driver for "cuda" and says where the session's tensors live.
Status selectDevice(const Manifest &m, const std::string &name, Place &out);

//===- CUDA (Cuda.cpp): the driver, loaded with dlopen on first use ----===//

/// Starts the driver (device 0, its primary context, one stream), checks
/// that the GPU runs code built for `arch` ("sm_90") and loads the kernels.
Status cudaStart(const std::string &arch);
/// The first CUDA failure of the run as one message, or NULL. Failures are
/// sticky: after one, every device call does nothing.
Status cudaCheck();
/// Device memory through the caching allocator (cuMemAlloc only when no
/// freed block of the size class is cached); NULL after a failure.
void *deviceAlloc(size_t bytes);
void deviceFree(void *p);
/// Queued on the stream; `src` may be reused as soon as this returns.
Status copyToDevice(void *dst, const void *src, size_t bytes);
/// Waits for the stream, then for the copy.
Status copyToHost(void *dst, const void *src, size_t bytes);
Status copyOnDevice(void *dst, const void *src, size_t bytes);
/// The number of stream synchronizations so far, and a wait for the stream
/// unless it was synchronized after deviceSyncCount() returned `since`.
uint64_t deviceSyncCount();
Status deviceSync(uint64_t since);
/// Page-locked host memory, or NULL (then use ordinary memory).
void *pinnedAlloc(size_t bytes);
void pinnedFree(void *p);
struct DeviceStats {
  uint64_t driverAllocs = 0, cacheHits = 0; // cuMemAlloc calls; reuses
  size_t liveBytes = 0, cachedBytes = 0;    // in use; freed and kept
};
DeviceStats deviceStats();

} // namespace nnrt

#endif // NNRT_LIB_INTERNAL_H
