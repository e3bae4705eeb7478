//===- CudaSelftest.cpp - nnrt-selftest cuda: the driver wrapper ----------===//
//
// Run against the stub driver (test/Runtime/Inputs/stub_cuda.c, selected
// with NNRT_LIBCUDA), whose log the lit tests read to see which driver calls
// were made:
//   nnrt-selftest cuda unit         allocator, copies, the mgpu ABI, uploads
//   nnrt-selftest cuda run BYTES    start, allocate, launch, copy; then try
//                                   again to show that nothing runs after a
//                                   failure; prints the first error
//   nnrt-selftest cuda start ARCH   cudaStart for code built for ARCH
//   nnrt-selftest cuda align        an over-aligned _mlir allocation
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "nnrt/mgpu.h"

#include <cstdio>
#include <cstring>

using namespace nnrt;

// What generated code does before main: register the kernels (the runtime
// must not touch the driver for that).
static const char kPtx[] = "//\n.version 8.0\n.target sm_90\n"
                           ".address_size 64\n"
                           ".visible .entry nnrt_test_kernel(\n"
                           " .param .u64 a,\n .param .u64 b,\n"
                           " .param .u64 off,\n .param .u64 size,\n"
                           " .param .u64 stride\n)\n{\n ret;\n}\n";
static void *kernels;
__attribute__((constructor(123))) static void loadKernels() {
  kernels = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 2);
}
__attribute__((destructor(123))) static void unloadKernels() {
  mgpuModuleUnload(kernels);
}

static int report(nnrt_status s) {
  if (!s) {
    printf("ok\n");
    return 0;
  }
  printf("error: %s\n", nnrt_status_message(s));
  nnrt_status_free(s);
  return 1;
}

// One launch of the test kernel: a 1-D memref of 10 elements at `p`.
static void launch(void *p, int32_t smem) {
  void *f = mgpuModuleGetFunction(kernels, "nnrt_test_kernel");
  int64_t off = 0, size = 10, stride = 1;
  void *params[] = {&p, &p, &off, &size, &stride};
  mgpuLaunchKernel(f, 3, 2, 1, 128, 1, 1, smem, mgpuStreamCreate(), params,
                   nullptr, 5);
}

static int runUnit() {
  int failures = 0;
  auto expect = [&](bool ok, const char *what) {
    if (!ok) {
      printf("FAIL: %s\n", what);
      ++failures;
    }
  };
  expect(cudaCheck() == nullptr, "no error before the start");
  if (report(cudaStart("sm_90")))
    return 1;

  // The cache: a freed block is reused for the same size class.
  void *a = deviceAlloc(1000);
  deviceFree(a);
  void *b = deviceAlloc(1000);
  void *c = deviceAlloc(1000);
  expect(a && a == b && c && c != b, "a freed block is reused");
  deviceFree(c);
  expect(deviceAlloc(600) == c, "600 and 1000 bytes share a size class");
  void *big = deviceAlloc(3 << 20);
  deviceFree(big);
  expect(deviceAlloc((3 << 20) - 100) == big, "large blocks are reused");
  DeviceStats st = deviceStats();
  expect(st.driverAllocs == 3 && st.cacheHits == 3,
         "3 driver allocations, 3 reuses");

  // Copies round-trip.
  float host[256], back[256];
  for (int i = 0; i < 256; ++i)
    host[i] = (float)i * 0.5f;
  void *d1 = deviceAlloc(sizeof host), *d2 = deviceAlloc(sizeof host);
  memset(back, 0, sizeof back);
  expect(!copyToDevice(d1, host, sizeof host) &&
             !copyOnDevice(d2, d1, sizeof host) &&
             !copyToHost(back, d2, sizeof back) &&
             !memcmp(host, back, sizeof host),
         "host -> device -> device -> host");
  uint64_t syncs = deviceSyncCount();
  expect(!deviceSync(syncs) && deviceSyncCount() == syncs + 1 &&
             !deviceSync(syncs) && deviceSyncCount() == syncs + 1,
         "deviceSync waits only when nothing did since");

  // The mgpu ABI.
  void *stream = mgpuStreamCreate();
  expect(stream && stream == mgpuStreamCreate(), "one persistent stream");
  void *f = mgpuModuleGetFunction(kernels, "nnrt_test_kernel");
  expect(f && f == mgpuModuleGetFunction(kernels, "nnrt_test_kernel"),
         "functions are cached");
  launch(d1, 0);
  launch(d1, 64 * 1024);
  launch(d1, 64 * 1024);
  void *e = mgpuEventCreate();
  mgpuEventRecord(e, stream);
  mgpuStreamWaitEvent(stream, e);
  mgpuEventSynchronize(e);
  mgpuEventDestroy(e);
  void *m = mgpuMemAlloc(4096, stream, false);
  mgpuMemset32(m, 0x3f800000, 1024, stream); // 1.0f
  float ones[1024];
  mgpuMemcpy(ones, m, sizeof ones, stream);
  mgpuStreamSynchronize(stream);
  expect(ones[0] == 1.0f && ones[1023] == 1.0f, "memset32 + memcpy");
  mgpuMemset16(m, 0x0102, 2048, stream);
  uint16_t halves[2048];
  mgpuMemcpy(halves, m, sizeof halves, stream);
  mgpuStreamSynchronize(stream);
  expect(halves[0] == 0x0102 && halves[2047] == 0x0102, "memset16");
  mgpuMemFree(m, stream);
  void *shared = mgpuMemAlloc(100, stream, true);
  expect(shared != nullptr, "host-shared allocation");
  mgpuMemFree(shared, stream);
  mgpuStreamDestroy(stream);
  expect(mgpuStreamCreate() == stream, "the stream outlives a destroy");

  // Host-side memref allocations of generated code are device memory.
  void *g = _mlir_memref_to_llvm_alloc(100);
  void *h = _mlir_memref_to_llvm_aligned_alloc(64, 100);
  expect(g && h && (uintptr_t)h % 64 == 0, "_mlir allocations");
  _mlir_memref_to_llvm_free(g);
  _mlir_memref_to_llvm_free(h);

  // Placement: uploads reuse their device buffer; tensors move both ways.
  Tensor t;
  nnrt_status_free(t.alloc(NNRT_F32, {4, 8}));
  for (int i = 0; i < 32; ++i)
    t.as<float>()[i] = (float)i;
  Uploads uploads(Place::Device);
  const nnrt_tensor *u1 = nullptr, *u2 = nullptr;
  expect(!uploads.put(0, t.t, u1) && u1->data != t.t.data,
         "an upload is a device copy");
  void *first = u1->data;
  t.as<float>()[31] = 99;
  expect(!uploads.put(0, t.t, u2) && u2->data == first,
         "uploads reuse the slot's buffer");
  float last = 0;
  expect(!copyToHost(&last, (float *)u2->data + 31, 4) && last == 99,
         "the upload has the new data");
  Tensor moved;
  expect(!copyTo(t, Place::Device, moved) && moved.place == Place::Device &&
             !moveTo(moved, Place::Host) && moved.place == Place::Host &&
             !memcmp(moved.t.data, t.t.data, t.bytes()),
         "tensors move to the device and back");
  Uploads onHost(Place::Host);
  expect(!onHost.put(0, t.t, u1) && u1 == &t.t, "host uploads are views");

  nnrt_status s = cudaCheck();
  expect(!s, s ? nnrt_status_message(s) : "");
  nnrt_status_free(s);
  st = deviceStats();
  printf("driver allocations %llu, reuses %llu\n",
         (unsigned long long)st.driverAllocs, (unsigned long long)st.cacheHits);
  printf(failures ? "cuda unit: %d failures\n" : "cuda unit: ok\n", failures);
  return failures != 0;
}

// start, allocate, launch, copy, and everything once more: after a failure
// the second round must not reach the driver.
static int runSequence(size_t bytes) {
  nnrt_status start = cudaStart("sm_90");
  nnrt_status_free(start);
  for (int round = 0; round < 2; ++round) {
    void *p = deviceAlloc(bytes);
    launch(p, 0);
    float x = 1;
    nnrt_status_free(copyToDevice(p, &x, sizeof x));
    nnrt_status_free(copyToHost(&x, p, sizeof x));
    deviceFree(p);
  }
  return report(cudaCheck());
}

int runCudaSelftest(int argc, char **argv) {
  std::string what = argc > 2 ? argv[2] : "";
  if (what == "unit")
    return runUnit();
  if (what == "run" && argc == 4)
    return runSequence(strtoull(argv[3], nullptr, 10));
  if (what == "start" && argc == 4)
    return report(cudaStart(argv[3]));
  if (what == "align") {
    nnrt_status_free(cudaStart("sm_90"));
    _mlir_memref_to_llvm_aligned_alloc(4096, 100);
    return report(cudaCheck());
  }
  if (what == "free-host") {
    nnrt_status_free(cudaStart("sm_90"));
    float x;
    deviceFree(&x);
    return report(cudaCheck());
  }
  fprintf(stderr, "usage: nnrt-selftest cuda unit | run BYTES | start ARCH | "
                  "align | free-host\n");
  return 2;
}
