//===- CPUCodegen.cpp - transform-dialect codegen for the host CPU --------===//
//
// `nnc-cpu-transform{stage=... isa=...}` runs a named sequence of one of the
// transform scripts in Transforms/ (embedded at build time) on the module.
//
//  stage=tile  (linalg on tensors, before bufferization)
//    Matmuls: 64x64 blocks of C are shared out to threads (scf.forall, later
//    OpenMP), then each block is tiled to a register tile of tile-m x tile-n:
//    8x32 (16 zmm accumulators) on AVX-512, 4x16 (8 ymm) otherwise. 8x32 on
//    AVX2 spills: the MLP step ran 1.8x slower than with 4x16. M and N loops
//    that are not multiples of the tile (the dynamic batch) are peeled so that
//    the main loops have static tiles; the remainders stay scalar. The K loop
//    is tiled by 1, the static tiles are vectorized and the C tile is hoisted
//    into the K loop's iter_args (vector<8x32xf32>).
//    Convolutions: direct, threads over blocks of 8 images, OW in tiles of 8
//    with a vector<F x OW> accumulator; filter gradients (marked
//    nnc.conv_filter_grad) with threads over KH and a vector<F x KW>
//    accumulator over N, OH and OW.
//
//  stage=lower (after bufferization)
//    vector.contract -> outer products -> FMAs; transfers to rank 1.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"
#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

namespace nn::cpu {
#define GEN_PASS_DEF_CPUTRANSFORMPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kTileScript =
#include "cpu-tile.mlir.inc"
    ;
constexpr llvm::StringLiteral kLowerScript =
#include "cpu-lower.mlir.inc"
    ;

/// The register tiling of the tile script assumes no dimension of a matmul
/// is 1: a unit dimension (dense(h, 1), an f32[N, 1] input) leaves 1-trip
/// loops that canonicalization folds from under the script's handles. Such a
/// matmul is a matrix-vector or outer product, cheap as plain loops: it
/// becomes a linalg.generic, which the script does not match.
static void generalizeUnitMatmuls(ModuleOp module) {
  SmallVector<linalg::MatmulOp> unit;
  module.walk([&](linalg::MatmulOp op) {
    if (llvm::is_contained(op.getStaticLoopRanges(), 1))
      unit.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  for (linalg::MatmulOp op : unit) {
    rewriter.setInsertionPoint(op);
    // A failure leaves the named op, which the script then reports.
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
}

struct CPUTransformPass
    : nn::cpu::impl::CPUTransformPassBase<CPUTransformPass> {
  using Base::Base;
  // A copy parses its own library in initialize().
  CPUTransformPass(const CPUTransformPass &other) : Base(other) {}

  LogicalResult initialize(MLIRContext *context) override {
    StringRef text;
    if (stage == "tile" && (isa == "avx512" || isa == "avx2")) {
      text = kTileScript;
      entryPoint = "nnc_cpu_tile_" + isa;
    } else if (stage == "lower") {
      text = kLowerScript;
      entryPoint = "nnc_cpu_lower";
    } else {
      return emitError(UnknownLoc::get(context))
             << "nnc-cpu-transform: unknown stage '" << stage << "' or isa '"
             << isa << "'";
    }
    library = parseSourceString<ModuleOp>(text, ParserConfig(context));
    return success(static_cast<bool>(library));
  }

  void runOnOperation() override {
    if (stage == "tile")
      generalizeUnitMatmuls(getOperation());
    auto entry = library->lookupSymbol<transform::NamedSequenceOp>(entryPoint);
    if (!entry) {
      getOperation().emitError("nnc-cpu-transform: no ") << entryPoint;
      return signalPassFailure();
    }
    if (failed(transform::applyTransformNamedSequence(
            getOperation(), entry, *library, transform::TransformOptions())))
      signalPassFailure();
  }

  std::string entryPoint;
  OwningOpRef<ModuleOp> library;
};

} // namespace

// Every pass of Passes.td, so that a new one cannot be left out.
void nn::registerCPUCodegenPasses() { nn::cpu::registerNNCPUPasses(); }
