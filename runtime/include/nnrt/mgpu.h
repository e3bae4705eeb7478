/*===- mgpu.h - what MLIR 22's gpu-to-llvm lowering calls ---------*- C -*-===//
 *
 * libnnrt implements these (runtime/lib/Cuda.cpp) with exactly the
 * signatures LLVM 22 emits: gpu-to-llvm for streams, events, memory and
 * launches, the gpu.binary constructors/destructors for modules (format
 * isa: NUL-terminated PTX and the #nvvm.target O level; bin/fatbin: a
 * blob and its size), and finalize-memref-to-llvm{use-generic-functions}
 * for host-side memref allocations, which in a CUDA executable are device
 * memory. docs/runtime.md, "CUDA device", says what each one does.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NNRT_MGPU_H
#define NNRT_MGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void *mgpuModuleLoad(void *data, int64_t size);
void *mgpuModuleLoadJIT(void *ptx, int32_t optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);

void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventRecord(void *event, void *stream);
void mgpuEventSynchronize(void *event);
void mgpuEventDestroy(void *event);

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream);
void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream);

void *_mlir_memref_to_llvm_alloc(size_t bytes);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes);
void _mlir_memref_to_llvm_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* NNRT_MGPU_H */
