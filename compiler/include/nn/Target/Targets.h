//===- Targets.h - the lowering pipeline of each target ---------*- C++ -*-===//
//
// Each target turns linalg on tensors into the LLVM dialect with a pipeline
// built here in C++ and registered by name, so nnc, nn-opt and the lit tests
// run the same one:
//   nn-lower-cpu            vectorized, OpenMP-threaded host code
//   nn-lower-cuda           host code launching kernels of one PTX module
//   nn-lower-cuda-emulated  the CUDA mapping with kernels run as host loops
//                           (a test pipeline: the GPU code checked on a CPU)
// Kept free of heavy MLIR headers.
//
//===----------------------------------------------------------------------===//

#ifndef NN_TARGET_TARGETS_H
#define NN_TARGET_TARGETS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"
#include <string>

namespace mlir {
class ModuleOp;
class OpPassManager;
} // namespace mlir

namespace nn {
struct BackendOptions;

void buildCPULoweringPipeline(mlir::OpPassManager &pm,
                              const BackendOptions &options);
void buildCUDALoweringPipeline(mlir::OpPassManager &pm,
                               const BackendOptions &options);
void buildCUDAEmulatedLoweringPipeline(mlir::OpPassManager &pm,
                                       const BackendOptions &options);

/// Buffers to loops to the LLVM dialect on the host: the tail the CPU
/// pipeline and the emulated CUDA one share.
void buildHostLLVMPipeline(mlir::OpPassManager &pm);

/// The PTX of the one gpu.module of a module lowered by nn-lower-cuda.
llvm::FailureOr<std::string> extractPTX(mlir::ModuleOp module);

/// libdevice.10.bc: $CUDA_HOME, /usr/local/cuda, Debian's nvidia-cuda-toolkit;
/// empty when none is found.
std::string findLibdevice();

/// Registers the passes and named pipelines of every target.
void registerTargetPasses();

} // namespace nn

#endif // NN_TARGET_TARGETS_H
