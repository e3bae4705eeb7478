//===- CPUPipeline.cpp - nn to the LLVM dialect for the host CPU ----------===//
//
// Each stage is a textual pipeline of upstream and nnc passes, so that what
// nnc runs can be replayed stage by stage with nn-opt.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"
#include "ObjectEmitter.h"
#include "nn/Pipelines/Backend.h"

#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

// The backend lives in ::nn; mlir::nn is the dialect.
namespace nnc = ::nn;

namespace {
/// Gradients and the training step, at the nn level (nn-train).
constexpr llvm::StringLiteral kTrainStage = "nn-autodiff,nn-build-train-step";

/// nn to linalg on tensors, elementwise chains fused.
constexpr llvm::StringLiteral kLinalgStage =
    "convert-nn-to-linalg,func.func(canonicalize,linalg-fuse-elementwise-ops,"
    "canonicalize),cse";

/// Tensors to buffers to loops to the LLVM dialect (after the tile stage,
/// whose register tile depends on the target).
constexpr llvm::StringLiteral kLLVMStage =
    "canonicalize,cse,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "nnc-cpu-transform{stage=lower},"
    "func.func(convert-linalg-to-loops),convert-vector-to-scf{full-unroll=true},"
    // Thread blocks become OpenMP worksharing loops; the memref lowering must
    // run before the CFG one (it lowers OpenMP's alloca_scope bodies).
    "scf-forall-to-parallel,convert-scf-to-openmp,"
    "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
    "convert-scf-to-cf,convert-vector-to-llvm,convert-arith-to-llvm,convert-math-to-llvm,"
    "convert-math-to-libm,convert-cf-to-llvm,convert-ub-to-llvm,"
    "convert-openmp-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts";
} // namespace

static LogicalResult runStage(ModuleOp module, StringRef pipeline,
                              const nnc::BackendOptions &options) {
  PassManager pm(module->getName());
  if (options.applyMLIRCommandLine && failed(applyPassManagerCLOptions(pm)))
    return failure();
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    return module.emitError() << "internal error: bad pipeline '" << pipeline
                              << "': " << errors;
  return pm.run(module);
}

static bool hasTrainBlock(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(mlir::nn::kTrainAttr))
      return true;
  return false;
}

/// The runtime calls entry points through MLIR's C interface wrappers.
static void markEntryPoints(ModuleOp module) {
  for (const nnc::EntryPoint &entry : nnc::findEntryPoints(module))
    if (auto func = module.lookupSymbol<func::FuncOp>(entry.symbol))
      func->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
}

/// The nn.* attributes have served the manifest; LLVM IR translation would
/// warn about each of them.
static void dropNNAttributes(ModuleOp module) {
  auto isNN = [](NamedAttribute attr) {
    return attr.getName().getValue().starts_with("nn.");
  };
  for (auto func : module.getOps<func::FuncOp>()) {
    for (NamedAttribute attr : llvm::to_vector(func->getDiscardableAttrs()))
      if (isNN(attr))
        func->removeDiscardableAttr(attr.getName());
    // Argument attributes only ever hold nn.* markers here.
    func.removeArgAttrsAttr();
  }
}

LogicalResult nnc::lowerModule(ModuleOp module, BackendStage first,
                               BackendStage last,
                               const BackendOptions &options) {
  auto runs = [&](BackendStage stage) { return first <= stage && stage <= last; };
  if (runs(BackendStage::NNTrain) && hasTrainBlock(module) &&
      failed(runStage(module, kTrainStage, options)))
    return failure();
  if (runs(BackendStage::Linalg) &&
      failed(runStage(module, kLinalgStage, options)))
    return failure();
  if (!runs(BackendStage::LLVM))
    return success();
  markEntryPoints(module);
  dropNNAttributes(module);
  // 16 zmm accumulators with AVX-512; 8 ymm ones leave room for operands in
  // the 16 registers of AVX2.
  bool avx512 = nnc::targetHasAVX512(options);
  std::string tile = llvm::formatv("nnc-cpu-transform{{stage=tile tile-m={0} "
                                   "tile-n={1}},",
                                   avx512 ? 8 : 4, avx512 ? 32 : 16);
  return runStage(module, tile + kLLVMStage.str(), options);
}
