//===- Backend.h - from nn IR to objects and executables --------*- C++ -*-===//
//
// The stages after the frontend, each printable: nn -> nn-train (gradients and
// the training step) -> linalg on tensors -> LLVM dialect -> LLVM IR ->
// assembly/object -> executable. Kept free of heavy MLIR headers.
//
//===----------------------------------------------------------------------===//

#ifndef NN_PIPELINES_BACKEND_H
#define NN_PIPELINES_BACKEND_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class ModuleOp;
class OpPassManager;
} // namespace mlir

namespace nn {

/// How far the backend runs, in pipeline order.
/// PTX (CUDA only) is the kernels of the LLVM-dialect stage.
enum class BackendStage { NNTrain, Linalg, LLVM, PTX, LLVMIR, Asm, Obj, Exe };

/// Where the generated code runs. CUDAEmulated is a test target: the CUDA
/// mapping with every kernel run as host loops, checked against the CPU.
enum class Target { CPU, CUDA, CUDAEmulated };

struct BackendOptions {
  Target target = Target::CPU;
  unsigned optLevel = 2;
  /// `native` means the host CPU.
  std::string mcpu = "native";
  /// CUDA: the chip and PTX features of the one PTX module.
  std::string cudaArch = "sm_90";
  std::string cudaFeatures = "+ptx80";
  /// libdevice.10.bc for math functions: empty means search for it, "none"
  /// means do without.
  std::string libdevice;
  /// CUDAEmulated: a mutant that skips this many blocks along x (tests).
  unsigned emulationDropBlocks = 0;
  /// --sanitize=address: the generated code is checked by AddressSanitizer
  /// and the executable is linked with the sanitizer runtimes.
  bool sanitizeAddress = false;
  /// CPU: add @gradients_f64 for gradcheck's float64 differences.
  bool gradientsF64 = true;
  /// Passed to the MLIR pass managers (--mlir-print-ir-after-all etc.).
  bool applyMLIRCommandLine = true;
};

/// Registers the dialects, interfaces and translations the backend needs.
void registerBackendDialects(mlir::DialectRegistry &registry);

/// Registers the passes the backend's textual pipelines name.
void registerBackendPasses();

/// The target's pipeline from linalg on tensors to the LLVM dialect.
void buildLoweringPipeline(mlir::OpPassManager &pm,
                           const BackendOptions &options);

/// Runs the stages from `first` to `last` (at most BackendStage::LLVM) on
/// `module` in place.
llvm::LogicalResult lowerModule(mlir::ModuleOp module, BackendStage first,
                                BackendStage last,
                                const BackendOptions &options);

/// Runs every stage up to `stage` and writes the result: text kinds to `os`,
/// objects and executables to `outputPath` (required for those).
llvm::LogicalResult runBackend(mlir::ModuleOp module, BackendStage stage,
                               const BackendOptions &options,
                               llvm::raw_ostream &os,
                               llvm::StringRef outputPath);

} // namespace nn

#endif // NN_PIPELINES_BACKEND_H
