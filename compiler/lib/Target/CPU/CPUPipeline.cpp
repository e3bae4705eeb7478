//===- CPUPipeline.cpp - linalg on tensors to the LLVM dialect, host CPU --===//
//
// Built in C++ from textual pieces so that each stays readable and can be
// replayed pass by pass with nn-opt; registered as `nn-lower-cpu`.
//
//===----------------------------------------------------------------------===//

#include "../PipelineText.h"
#include "HostTarget.h"
#include "nn/Pipelines/Backend.h"
#include "nn/Target/Targets.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace {
/// Tensors to buffers with identity layouts at function boundaries (the
/// runtime passes contiguous buffers), deallocations made explicit.
constexpr llvm::StringLiteral kBufferize =
    "canonicalize,cse,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline";

/// Remaining linalg to loops, thread blocks to OpenMP, everything to the LLVM
/// dialect. The memref lowering must run before the CFG one (it lowers
/// OpenMP's alloca_scope bodies).
constexpr llvm::StringLiteral kHostToLLVM =
    "func.func(convert-linalg-to-loops),convert-vector-to-scf{full-unroll=true}"
    ","
    "scf-forall-to-parallel,convert-scf-to-openmp,"
    "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
    "convert-scf-to-cf,convert-vector-to-llvm,convert-arith-to-llvm,"
    "convert-math-to-llvm,convert-math-to-libm,convert-cf-to-llvm,"
    "convert-ub-to-llvm,convert-openmp-to-llvm,convert-func-to-llvm,"
    "llvm.func(nn-aligned-pointer-provenance),"
    "reconcile-unrealized-casts";
} // namespace

/// Pieces of a pipeline are fixed strings: a parse failure is a bug here.
void nn::addPipelineText(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("bad pipeline text: ") + text);
}

void nn::buildHostLLVMPipeline(OpPassManager &pm) {
  addPipelineText(pm, kHostToLLVM);
}

void nn::buildCPULoweringPipeline(OpPassManager &pm,
                                  const BackendOptions &options) {
  addPipelineText(pm, "func.func(nnc-cpu-write-updates-in-place,"
                      "nnc-cpu-collapse-dims,"
                      "nnc-cpu-interleave-reductions,"
                      "nnc-cpu-materialize-transposed-rhs)");
  // 16 zmm accumulators with AVX-512; 8 ymm ones leave room for operands in
  // the 16 registers of AVX2 (Transforms/cpu-tile.mlir).
  addPipelineText(pm, nn::targetHasAVX512(options)
                          ? "nnc-cpu-transform{stage=tile isa=avx512}"
                          : "nnc-cpu-transform{stage=tile isa=avx2}");
  addBufferizePipeline(pm, "func.func(nnc-cpu-return-updated-arguments)");
  addPipelineText(pm, "nnc-cpu-transform{stage=lower},"
                      "func.func(nnc-cpu-strided-copies-to-loops,"
                      "convert-linalg-to-loops,nn-accumulate-in-registers)");
  buildHostLLVMPipeline(pm);
}

void nn::addBufferizePipeline(OpPassManager &pm, StringRef afterDeallocation) {
  addPipelineText(pm, kBufferize);
  if (!afterDeallocation.empty())
    addPipelineText(pm, afterDeallocation);
  addPipelineText(pm, "convert-bufferization-to-memref");
}
