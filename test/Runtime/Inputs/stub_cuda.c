/* stub_cuda.c - a stand-in for libcuda.so.1, for tests on machines with no
 * GPU: cc -shared -fPIC stub_cuda.c -o libcuda.so.1, then NNRT_LIBCUDA=...
 *
 * "Device memory" is host memory (malloc), so code that computes on device
 * pointers on the CPU (an emulated build, fake_linear.c -DFAKE_CUDA) runs.
 * Copies check that their device side lies in a live allocation, as the
 * real driver would refuse a host pointer. Kernels are not run: a launch
 * is recorded with the parameter values read as the PTX declares them.
 *
 * Environment:
 *   STUB_CUDA_LOG=FILE     one line per driver call of interest
 *   STUB_CUDA_ARCH=80      the compute capability (default 90)
 *   STUB_CUDA_NO_DEVICE=1  cuInit fails with CUDA_ERROR_NO_DEVICE
 *   STUB_CUDA_MEM=BYTES    device memory size (default 1 GiB)
 *   STUB_CUDA_FAIL=NAME[@K]  the driver function NAME fails from its K-th
 *                          call on (default 1) with a fitting error
 * stub_is_device(p) says whether p points into live device memory.
 * -DSTUB_OLD_DRIVER leaves out cuMemAlloc_v2, like a driver too old.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NO_DEVICE = 100,
  INVALID_PTX = 218,
  NOT_FOUND = 500,
  LAUNCH_FAILED = 719,
  UNKNOWN = 999,
};

static FILE *logFile(void) {
  static FILE *f;
  static int opened;
  if (!opened) {
    const char *path = getenv("STUB_CUDA_LOG");
    opened = 1;
    f = path ? fopen(path, "a") : NULL;
  }
  return f;
}

static void note(const char *fmt, ...) {
  FILE *f = logFile();
  va_list ap;
  if (!f)
    return;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
  fflush(f);
}

/* Whether `name` is told to fail now (STUB_CUDA_FAIL=name@K). */
static int failing(const char *name) {
  static char calls[64][40];
  static long counts[64];
  const char *spec = getenv("STUB_CUDA_FAIL");
  size_t n = strlen(name);
  long from = 1;
  int i;
  if (!spec || strncmp(spec, name, n) != 0 || (spec[n] && spec[n] != '@'))
    return 0;
  if (spec[n] == '@')
    from = atol(spec + n + 1);
  for (i = 0; i < 64 && calls[i][0] && strcmp(calls[i], name); ++i)
    ;
  if (i == 64)
    return 1;
  snprintf(calls[i], sizeof calls[i], "%s", name);
  return ++counts[i] >= from;
}

/* Live device allocations. */
struct Block {
  char *p;
  size_t size;
  struct Block *next;
};
static struct Block *blocks;
static size_t used;

static struct Block *findBlock(const void *p, size_t bytes) {
  struct Block *b;
  for (b = blocks; b; b = b->next)
    if ((const char *)p >= b->p && (const char *)p + bytes <= b->p + b->size)
      return b;
  return NULL;
}

int stub_is_device(const void *p) { return findBlock(p, 1) != NULL; }

static int arch(void) {
  const char *a = getenv("STUB_CUDA_ARCH");
  return a ? atoi(a) : 90;
}

CUresult cuGetErrorName(CUresult r, const char **out) {
  switch (r) {
  case SUCCESS:
    *out = "CUDA_SUCCESS";
    break;
  case INVALID_VALUE:
    *out = "CUDA_ERROR_INVALID_VALUE";
    break;
  case OUT_OF_MEMORY:
    *out = "CUDA_ERROR_OUT_OF_MEMORY";
    break;
  case NO_DEVICE:
    *out = "CUDA_ERROR_NO_DEVICE";
    break;
  case INVALID_PTX:
    *out = "CUDA_ERROR_INVALID_PTX";
    break;
  case NOT_FOUND:
    *out = "CUDA_ERROR_NOT_FOUND";
    break;
  case LAUNCH_FAILED:
    *out = "CUDA_ERROR_LAUNCH_FAILED";
    break;
  case UNKNOWN:
    *out = "CUDA_ERROR_UNKNOWN";
    break;
  default:
    *out = NULL;
    return INVALID_VALUE;
  }
  return SUCCESS;
}

CUresult cuGetErrorString(CUresult r, const char **out) {
  switch (r) {
  case OUT_OF_MEMORY:
    *out = "out of memory";
    break;
  case NO_DEVICE:
    *out = "no CUDA-capable device is detected";
    break;
  case INVALID_PTX:
    *out = "a PTX JIT compilation failed";
    break;
  case NOT_FOUND:
    *out = "named symbol not found";
    break;
  case LAUNCH_FAILED:
    *out = "unspecified launch failure";
    break;
  default:
    *out = "stub error";
    break;
  }
  return SUCCESS;
}

CUresult cuInit(unsigned flags) {
  note("cuInit %u", flags);
  if (getenv("STUB_CUDA_NO_DEVICE"))
    return NO_DEVICE;
  return failing("cuInit") ? UNKNOWN : SUCCESS;
}

CUresult cuDeviceGet(int *dev, int ordinal) {
  *dev = ordinal;
  return SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attr, int dev) {
  (void)dev;
  if (attr == 75)
    *value = arch() / 10;
  else if (attr == 76)
    *value = arch() % 10;
  else
    return INVALID_VALUE;
  return SUCCESS;
}

static int context, streams, events;

CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) {
  (void)dev;
  *ctx = &context;
  return SUCCESS;
}

CUresult cuCtxSetCurrent(void *ctx) {
  note("cuCtxSetCurrent");
  return ctx == &context ? SUCCESS : INVALID_VALUE;
}

CUresult cuStreamCreate(void **s, unsigned flags) {
  note("cuStreamCreate flags=%u", flags);
  *s = &streams;
  return SUCCESS;
}

CUresult cuStreamDestroy_v2(void *s) {
  note("cuStreamDestroy");
  return s == &streams ? SUCCESS : INVALID_VALUE;
}

CUresult cuStreamSynchronize(void *s) {
  note("cuStreamSynchronize");
  if (s != &streams)
    return INVALID_VALUE;
  return failing("cuStreamSynchronize") ? LAUNCH_FAILED : SUCCESS;
}

CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) {
  note("cuStreamWaitEvent");
  return s == &streams && e == &events && !flags ? SUCCESS : INVALID_VALUE;
}

CUresult cuEventCreate(void **e, unsigned flags) {
  note("cuEventCreate flags=%u", flags);
  *e = &events;
  return SUCCESS;
}

CUresult cuEventRecord(void *e, void *s) {
  note("cuEventRecord");
  return e == &events && s == &streams ? SUCCESS : INVALID_VALUE;
}

CUresult cuEventSynchronize(void *e) {
  note("cuEventSynchronize");
  return e == &events ? SUCCESS : INVALID_VALUE;
}

CUresult cuEventDestroy_v2(void *e) {
  note("cuEventDestroy");
  return e == &events ? SUCCESS : INVALID_VALUE;
}

static CUresult allocate(CUdeviceptr *out, size_t bytes, const char *what) {
  const char *limit = getenv("STUB_CUDA_MEM");
  size_t total = limit ? (size_t)strtoull(limit, NULL, 10) : (1ull << 30);
  struct Block *b;
  note("%s %zu", what, bytes);
  if (bytes == 0)
    return INVALID_VALUE;
  if (failing(what) || used + bytes > total)
    return OUT_OF_MEMORY;
  b = malloc(sizeof *b);
  /* The real driver hands out 256-byte aligned blocks. */
  if (posix_memalign((void **)&b->p, 256, bytes)) {
    free(b);
    return OUT_OF_MEMORY;
  }
  b->size = bytes;
  b->next = blocks;
  blocks = b;
  used += bytes;
  *out = (CUdeviceptr)(uintptr_t)b->p;
  return SUCCESS;
}

/* -DSTUB_OLD_DRIVER: a driver without the versioned symbol. */
#ifndef STUB_OLD_DRIVER
CUresult cuMemAlloc_v2(CUdeviceptr *out, size_t bytes) {
  return allocate(out, bytes, "cuMemAlloc_v2");
}
#endif

CUresult cuMemAllocManaged(CUdeviceptr *out, size_t bytes, unsigned flags) {
  (void)flags;
  return allocate(out, bytes, "cuMemAllocManaged");
}

CUresult cuMemFree_v2(CUdeviceptr p) {
  struct Block **at;
  note("cuMemFree_v2");
  for (at = &blocks; *at; at = &(*at)->next)
    if ((*at)->p == (char *)(uintptr_t)p) {
      struct Block *b = *at;
      *at = b->next;
      used -= b->size;
      free(b->p);
      free(b);
      return SUCCESS;
    }
  return INVALID_VALUE;
}

CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) {
  note("cuMemHostAlloc %zu flags=%u", bytes, flags);
  if (failing("cuMemHostAlloc"))
    return OUT_OF_MEMORY;
  *p = malloc(bytes);
  return *p ? SUCCESS : OUT_OF_MEMORY;
}

CUresult cuMemFreeHost(void *p) {
  note("cuMemFreeHost");
  free(p);
  return SUCCESS;
}

static CUresult copy(void *dst, const void *src, size_t bytes, int dstDevice,
                     int srcDevice, const char *what) {
  note("%s %zu", what, bytes);
  if (failing(what))
    return LAUNCH_FAILED;
  if ((dstDevice && !findBlock(dst, bytes)) ||
      (srcDevice && !findBlock(src, bytes)))
    return INVALID_VALUE;
  memcpy(dst, src, bytes);
  return SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes,
                              void *s) {
  (void)s;
  return copy((void *)(uintptr_t)dst, src, bytes, 1, 0, "cuMemcpyHtoDAsync_v2");
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes,
                              void *s) {
  (void)s;
  return copy(dst, (void *)(uintptr_t)src, bytes, 0, 1, "cuMemcpyDtoHAsync_v2");
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                              void *s) {
  (void)s;
  return copy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes, 1, 1,
              "cuMemcpyDtoDAsync_v2");
}

/* Unified addressing: either side may be host or device. */
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *s) {
  (void)s;
  return copy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes, 0, 0,
              "cuMemcpyAsync");
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, void *s) {
  uint32_t *p = (uint32_t *)(uintptr_t)dst;
  size_t i;
  (void)s;
  note("cuMemsetD32Async %u %zu", v, n);
  if (!findBlock(p, n * 4))
    return INVALID_VALUE;
  for (i = 0; i < n; ++i)
    p[i] = v;
  return SUCCESS;
}

CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n,
                          void *s) {
  uint16_t *p = (uint16_t *)(uintptr_t)dst;
  size_t i;
  (void)s;
  note("cuMemsetD16Async %u %zu", (unsigned)v, n);
  if (!findBlock(p, n * 2))
    return INVALID_VALUE;
  for (i = 0; i < n; ++i)
    p[i] = v;
  return SUCCESS;
}

/* A module is its PTX text; a function is an .entry in it. */
struct Function {
  char name[128];
  int params;
  int sizes[64];
};

CUresult cuModuleLoadDataEx(void **mod, const void *image, unsigned n,
                            int *options, void **values) {
  const char *ptx = image, *target = strstr(ptx, ".target sm_");
  char *log = NULL;
  size_t logSize = 0;
  unsigned i;
  int opt = -1;
  for (i = 0; i < n; ++i) {
    if (options[i] == 5)
      log = values[i];
    else if (options[i] == 6)
      logSize = (size_t)(uintptr_t)values[i];
    else if (options[i] == 7)
      opt = (int)(intptr_t)values[i];
  }
  note("cuModuleLoadDataEx options=%u opt=%d", n, opt);
  if (failing("cuModuleLoadDataEx") || (target && atoi(target + 11) > arch())) {
    if (log && logSize)
      snprintf(log, logSize,
               "ptxas application ptx input, line 2; fatal   : SM version "
               "specified by .target is higher than default SM version "
               "assumed\n");
    return INVALID_PTX;
  }
  *mod = strdup(ptx);
  return SUCCESS;
}

CUresult cuModuleUnload(void *mod) {
  note("cuModuleUnload");
  free(mod);
  return SUCCESS;
}

CUresult cuModuleGetFunction(void **out, void *mod, const char *name) {
  char key[160];
  const char *at, *end;
  struct Function *f;
  note("cuModuleGetFunction %s", name);
  snprintf(key, sizeof key, ".entry %s(", name);
  at = strstr((const char *)mod, key);
  if (!at)
    return NOT_FOUND;
  f = calloc(1, sizeof *f);
  snprintf(f->name, sizeof f->name, "%s", name);
  end = strchr(at, ')');
  /* ".param .u64 name": 32-bit types take 4 bytes, the others 8. */
  for (at = strstr(at, ".param"); at && at < end && f->params < 64;
       at = strstr(at + 1, ".param")) {
    const char *type = at + 6;
    while (*type == ' ')
      ++type;
    f->sizes[f->params++] = strncmp(type + 2, "32", 2) == 0 ? 4 : 8;
  }
  *out = f;
  return SUCCESS;
}

CUresult cuFuncSetAttribute(void *fn, int attr, int value) {
  note("cuFuncSetAttribute %s attr=%d value=%d", ((struct Function *)fn)->name,
       attr, value);
  return SUCCESS;
}

CUresult cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        void *s, void **params, void **extra) {
  struct Function *f = fn;
  char args[1024] = "";
  size_t len = 0;
  int i;
  for (i = 0; i < f->params && len < sizeof args - 32; ++i) {
    long long v =
        f->sizes[i] == 4 ? *(int32_t *)params[i] : *(long long *)params[i];
    len += snprintf(args + len, sizeof args - len, "%s%lld", i ? "," : "", v);
  }
  note("launch %s grid=%u,%u,%u block=%u,%u,%u smem=%u params=%d [%s]", f->name,
       gx, gy, gz, bx, by, bz, smem, f->params, args);
  if (s != &streams || extra)
    return INVALID_VALUE;
  return failing("cuLaunchKernel") ? LAUNCH_FAILED : SUCCESS;
}
