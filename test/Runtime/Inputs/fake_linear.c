/* fake_linear.c - a hand-written stand-in for the object nnc emits.
 *
 * Softmax regression x[N,D] @ w[D,C] + b[C] with cross-entropy and SGD with
 * momentum, honouring the runtime ABI of docs/design.md: nnc_manifest,
 * nnc_call_forward, nnc_call_train_step, nnc_call_gradients, memref
 * descriptors, results malloc'ed here and freed by the runtime.
 *
 * -DFAKE_D=784 -DFAKE_C=10 sizes it for MNIST; -DFAKE_CSV / -DFAKE_NPY pick
 * the data source; -DFAKE_NO_TRAIN leaves out the train block. For gradcheck:
 * -DFAKE_L1 adds 0.1*sum|b| to the loss (a kink at b = 0), -DFAKE_BAD_GRAD
 * returns a wrong gradient for b, -DFAKE_F64 adds nnc_call_gradients_f64 (the
 * float64 copy nnc makes for CPU builds), -DFAKE_BAD_GRAD32 gets b's gradient
 * wrong in the float32 entry only.
 * FAKE_STEP_SLEEP_MS=ms in the environment makes every train step take that
 * long, so interrupt tests can signal a run that is surely mid-epoch.
 *
 * -DFAKE_CUDA makes it an "emulated" --target=cuda build, for tests with
 * the stub driver (stub_cuda.c, whose device memory is host memory): a
 * device key in the manifest, buffers from _mlir_memref_to_llvm_alloc,
 * kernels registered from a priority-123 constructor and one launch per
 * call (recorded by the stub, computed here on the CPU), and a check that
 * every argument the runtime passes is device memory.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef FAKE_CUDA
#include "nnrt/mgpu.h" /* -I runtime/include */
#include <dlfcn.h>
#ifndef FAKE_ARCH
#define FAKE_ARCH sm_90
#endif
#define DEVICE                                                                 \
  "\"device\": {\"kind\": \"cuda\", \"arch\": \"" STR(FAKE_ARCH) "\"},\n"
#define ALLOC _mlir_memref_to_llvm_alloc
#define FREE _mlir_memref_to_llvm_free
#else
#define DEVICE ""
#define ALLOC malloc
#define FREE free
#endif

#ifndef FAKE_D
#define FAKE_D 16
#endif
#ifndef FAKE_C
#define FAKE_C 3
#endif
#define STR2(x) #x
#define STR(x) STR2(x)
#define D FAKE_D
#define C FAKE_C

/* clang-format off */
#if defined(FAKE_CSV)
#define DATA "  \"data\": {\"kind\": \"csv\", \"dir\": \"/nonexistent\", \"label\": -1, \"header\": \"auto\",\n" \
             "           \"files\": [\"train.csv\"]}\n"
#elif defined(FAKE_NPY)
#define DATA "  \"data\": {\"kind\": \"npy\", \"dir\": \"/nonexistent\", \"files\": [\"x.npy\", \"y.npy\"]}\n"
#else
#define DATA "  \"data\": {\"kind\": \"idx\", \"dir\": \"/nonexistent\", \"scale\": 0.00392156862,\n" \
             "           \"files\": [\"train-images-idx3-ubyte.gz\", \"train-labels-idx1-ubyte.gz\"]},\n" \
             "  \"test\": {\"kind\": \"idx\", \"dir\": \"/nonexistent\", \"scale\": 0.00392156862,\n" \
             "           \"files\": [\"t10k-images-idx3-ubyte.gz\", \"t10k-labels-idx1-ubyte.gz\"]}\n"
#endif
/* clang-format on */

/* clang-format off */
const char nnc_manifest[] =
    "{\"format\": \"nnc-manifest\", \"version\": 2, \"model\": \"FakeLinear\",\n"
    DEVICE
    "\"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [-1, " STR(D) "]}],\n"
    "\"outputs\": [{\"dtype\": \"f32\", \"shape\": [-1, " STR(C) "]}],\n"
    "\"params\": [\n"
    "  {\"name\": \"lin.w\", \"dtype\": \"f32\", \"shape\": [" STR(D) ", " STR(C) "],\n"
    "   \"init\": {\"kind\": \"glorot_uniform\", \"fan_in\": " STR(D) ", \"fan_out\": " STR(C) "}},\n"
    "  {\"name\": \"lin.b\", \"dtype\": \"f32\", \"shape\": [" STR(C) "], \"init\": {\"kind\": \"zeros\"}}],\n"
#ifndef FAKE_NO_TRAIN
    "\"train\": {\"loss\": \"cross_entropy\", \"batch\": 8, \"epochs\": 2, \"seed\": 42, \"shuffle\": true,\n"
    "  \"optimizer\": {\"kind\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.9, \"nesterov\": false, \"weight_decay\": 0},\n"
    DATA "},\n"
    "\"label\": {\"dtype\": \"i32\", \"shape\": [-1]},\n"
    "\"optimizer_state\": [\n"
    "  {\"param\": \"lin.w\", \"slot\": \"momentum\", \"dtype\": \"f32\", \"shape\": [" STR(D) ", " STR(C) "]},\n"
    "  {\"param\": \"lin.b\", \"slot\": \"momentum\", \"dtype\": \"f32\", \"shape\": [" STR(C) "]}],\n"
#define TRAIN_ENTRIES "\"train_step\", \"gradients\", "
#else
#define TRAIN_ENTRIES ""
#endif
#ifdef FAKE_F64
#define F64_ENTRY "\"gradients_f64\", "
#else
#define F64_ENTRY ""
#endif
    "\"entries\": [" TRAIN_ENTRIES F64_ENTRY "\"forward\"]}\n";
/* clang-format on */

typedef struct {
  float *alloc, *data;
  int64_t off;
} M0;
typedef struct {
  float *alloc, *data;
  int64_t off, size[1], stride[1];
} M1;
typedef struct {
  int32_t *alloc, *data;
  int64_t off, size[1], stride[1];
} M1i;
typedef struct {
  float *alloc, *data;
  int64_t off, size[2], stride[2];
} M2;

static float at2(const M2 *m, int64_t i, int64_t j) {
  return m->data[m->off + i * m->stride[0] + j * m->stride[1]];
}
static float at1(const M1 *m, int64_t i) {
  return m->data[m->off + i * m->stride[0]];
}

static void make2(M2 *m, int64_t r, int64_t c) {
  m->alloc = m->data = ALLOC(sizeof(float) * r * c);
  m->off = 0;
  m->size[0] = r, m->size[1] = c, m->stride[0] = c, m->stride[1] = 1;
}
static void make1(M1 *m, int64_t n) {
  m->alloc = m->data = ALLOC(sizeof(float) * n);
  m->off = 0, m->size[0] = n, m->stride[0] = 1;
}
static void make0(M0 *m, float v) {
  m->alloc = m->data = ALLOC(sizeof(float));
  m->off = 0;
  if (m->data)
    m->data[0] = v;
}

/* logits() and lossGrad() in float, for the model's entries. */
#define T float
#define TM1 M1
#define TM2 M2
#define NAME(f) f
#include "fake_linear_loss.inc"
#undef T
#undef TM1
#undef TM2
#undef NAME

#ifdef FAKE_CUDA
static const char ptx[] = "//\n.version 8.0\n.target " STR(
    FAKE_ARCH) "\n.address_size 64\n"
               ".visible .entry FakeLinear_forward(\n .param .u64 x,\n .param "
               ".u64 n,\n"
               " .param .u32 c\n)\n{\n ret;\n}\n"
               ".visible .entry FakeLinear_train_step(\n .param .u64 x,\n "
               ".param .u64 n,\n"
               " .param .u32 c\n)\n{\n ret;\n}\n"
               ".visible .entry FakeLinear_gradients(\n .param .u64 x,\n "
               ".param .u64 n,\n"
               " .param .u32 c\n)\n{\n ret;\n}\n";
static void *module;

/* What MLIR's gpu-to-llvm puts in llvm.global_ctors/dtors. */
__attribute__((constructor(123))) static void loadKernels(void) {
  module = mgpuModuleLoadJIT((void *)ptx, 3);
}
__attribute__((destructor(123))) static void unloadKernels(void) {
  mgpuModuleUnload(module);
}

/* The runtime must pass device memory only; the stub knows which it is. */
static void checkDevice(const char *entry, void **args, int count) {
  static int (*isDevice)(const void *);
  int i;
  if (!isDevice) {
    void *lib = dlopen(getenv("NNRT_LIBCUDA"), RTLD_NOW | RTLD_NOLOAD);
    isDevice = lib ? (int (*)(const void *))dlsym(lib, "stub_is_device") : 0;
  }
  for (i = 1; i <= count; ++i)
    if (!isDevice || !isDevice(((M0 *)args[i])->data)) {
      fprintf(stderr, "fake: argument %d of %s is not device memory\n", i,
              entry);
      exit(3);
    }
}

/* One launch per call, as a kernel of the entry would be; its work is done
 * on the CPU by the caller. */
static void launch(const char *name, const M2 *x) {
  void *stream = mgpuStreamCreate();
  void *f = mgpuModuleGetFunction(module, name);
  void *data = x->data;
  int64_t n = x->size[0];
  int32_t c = C;
  void *params[] = {&data, &n, &c};
  mgpuLaunchKernel(f, n, 1, 1, C, 1, 1, 0, stream, params, NULL, 3);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
#define DEVICE_CALL(name, args, count)                                         \
  checkDevice(name, args, count);                                              \
  launch(name, (const M2 *)args[1])
#else
#define DEVICE_CALL(name, args, count)
#endif

void nnc_call_forward(void **args) {
  M2 *r = args[0];
  const M2 *x = args[1], *w = args[2];
  const M1 *b = args[3];
  DEVICE_CALL("FakeLinear_forward", args, 3);
  make2(r, x->size[0], C);
  /* After a device failure allocations return NULL and kernels are skipped. */
  if (r->data)
    logits(x, w, b, r->data);
}

#ifndef FAKE_NO_TRAIN
void nnc_call_gradients(void **args) {
  struct {
    M0 loss;
    M2 gw;
    M1 gb;
  } *r = args[0];
  const M2 *x = args[1], *w = args[3];
  const M1i *y = args[2];
  const M1 *b = args[4];
  DEVICE_CALL("FakeLinear_gradients", args, 4);
  make2(&r->gw, D, C);
  make1(&r->gb, C);
  make0(&r->loss, 0);
  if (r->gw.data && r->gb.data && r->loss.data) {
    r->loss.data[0] = lossGrad(x, y, w, b, r->gw.data, r->gb.data);
    /* args[5] is the step, args[6] the loss scale. */
    float scale = ((const M0 *)args[6])->data[0];
    r->loss.data[0] *= scale;
    for (int i = 0; i < D * C; ++i)
      r->gw.data[i] *= scale;
    for (int i = 0; i < C; ++i)
      r->gb.data[i] *= scale;
  }
#if defined(FAKE_BAD_GRAD) || defined(FAKE_BAD_GRAD32)
  if (r->gb.data)
    r->gb.data[2] += 0.5f;
#endif
}

#ifdef FAKE_F64
/* gradients_f64: the same loss and gradients in double. */
typedef struct {
  double *alloc, *data;
  int64_t off;
} D0;
typedef struct {
  double *alloc, *data;
  int64_t off, size[1], stride[1];
} D1;
typedef struct {
  double *alloc, *data;
  int64_t off, size[2], stride[2];
} D2;
#define T double
#define TM1 D1
#define TM2 D2
#define NAME(f) f##_f64
#include "fake_linear_loss.inc"
#undef T
#undef TM1
#undef TM2
#undef NAME

void nnc_call_gradients_f64(void **args) {
  struct {
    D0 loss;
    D2 gw;
    D1 gb;
  } *r = args[0];
  const D2 *x = args[1], *w = args[3];
  const M1i *y = args[2];
  const D1 *b = args[4];
  double *gw = malloc(sizeof(double) * D * C), *gb = malloc(sizeof(double) * C);
  double *loss = malloc(sizeof(double));
  r->loss = (D0){loss, loss, 0};
  r->gw = (D2){gw, gw, 0, {D, C}, {C, 1}};
  r->gb = (D1){gb, gb, 0, {C}, {1}};
  loss[0] = lossGrad_f64(x, y, w, b, gw, gb);
  double scale = ((const D0 *)args[6])->data[0];
  loss[0] *= scale;
  for (int i = 0; i < D * C; ++i)
    gw[i] *= scale;
  for (int i = 0; i < C; ++i)
    gb[i] *= scale;
#ifdef FAKE_BAD_GRAD
  gb[2] += 0.5;
#endif
}
#endif

static void stepDelay(void) {
  const char *ms = getenv("FAKE_STEP_SLEEP_MS");
  if (!ms)
    return;
  long v = atol(ms);
  struct timespec t = {v / 1000, (v % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

void nnc_call_train_step(void **args) {
  stepDelay();
  struct {
    M0 loss;
    M2 w;
    M1 b;
    M2 mw;
    M1 mb;
  } *r = args[0];
  const M2 *x = args[1], *w = args[3], *mw = args[5];
  const M1i *y = args[2];
  const M1 *b = args[4], *mb = args[6];
  float lr = ((M0 *)args[7])->data[0], momentum = 0.9f;
  float gw[D * C], gb[C];
  DEVICE_CALL("FakeLinear_train_step", args, 8);
  make0(&r->loss, 0);
  make2(&r->w, D, C);
  make1(&r->b, C);
  make2(&r->mw, D, C);
  make1(&r->mb, C);
  if (!r->loss.data || !r->w.data || !r->b.data || !r->mw.data || !r->mb.data)
    return;
  r->loss.data[0] = lossGrad(x, y, w, b, gw, gb);
  /* PyTorch SGD: buf = momentum * buf + g; p -= lr * buf. */
  for (int64_t d = 0; d < D; ++d)
    for (int64_t c = 0; c < C; ++c) {
      float m = momentum * at2(mw, d, c) + gw[d * C + c];
      r->mw.data[d * C + c] = m;
      r->w.data[d * C + c] = at2(w, d, c) - lr * m;
    }
  for (int64_t c = 0; c < C; ++c) {
    float m = momentum * at1(mb, c) + gb[c];
    r->mb.data[c] = m;
    r->b.data[c] = at1(b, c) - lr * m;
  }
}
#endif
