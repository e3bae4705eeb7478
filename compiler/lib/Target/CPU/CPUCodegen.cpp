//===- CPUCodegen.cpp - transform-dialect codegen for the host CPU --------===//
//
// `nnc-cpu-transform{stage=...}` applies one of the transform scripts below to
// the module. They are kept as text so that each can be replayed with
// `mlir-opt --transform-preload-library=... --transform-interpreter`.
//
//  stage=tile  (linalg on tensors, before bufferization)
//    Every linalg.matmul is tiled to a register tile of tile-m x tile-n:
//    8x32 (16 zmm accumulators) on AVX-512, 4x16 (8 ymm) otherwise. 8x32 on
//    AVX2 spills: the MLP step ran 1.8x slower than with 4x16. Loops over a dynamic M (the batch) are peeled so
//    that the main loop has static 8x32 tiles; the remainder stays scalar.
//    The K loop is tiled by 1, the static tiles are vectorized and the C tile
//    is hoisted into the K loop's iter_args (vector<8x32xf32>).
//
//  stage=lower (after bufferization)
//    vector.contract -> outer products -> FMAs; transfers to rank 1.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

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

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kTileScript = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // Threads: 64x64 blocks of C are shared out (scf.forall, later OpenMP).
    // Only M and N are split, so every thread count gives the same bits.
    %mms0 = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %blocks, %forall = transform.structured.tile_using_forall %mms0 tile_sizes [64, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %mms = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %li, %lj = transform.structured.tile_using_for %mms tile_sizes [TILE_M, TILE_N, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    // Peel the M and N loops where the block is not a multiple of the register
    // tile (dynamic batch, N = 120, a last partial block); a divisible loop
    // fails to peel, silently.
    %lij = transform.merge_handles %lj, %li : !transform.any_op
    transform.foreach %lij : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // Makes the peeled main tiles static.
    transform.apply_patterns to %funcs { transform.apply_patterns.canonicalization } : !transform.any_op
    %mm2 = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %lk = transform.structured.tile_using_for %mm2 tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // Only static tiles vectorize; remainder tiles stay linalg (then loops).
    transform.foreach %t2 : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      transform.sequence %op : !transform.any_op failures(suppress) {
      ^bb1(%op2: !transform.any_op):
        transform.structured.vectorize %op2 : !transform.any_op
      }
    }
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.canonicalization } : !transform.any_op
    transform.apply_cse to %funcs : !transform.any_op
    transform.foreach %lk : !transform.any_op {
    ^bb0(%k: !transform.any_op):
      transform.loop.hoist_loop_invariant_subsets %k : !transform.any_op
    }

    // Convolutions, direct, after the matmul patterns: those would turn the
    // weights' broadcast reads into transposes that lower element by element.
    // Threads take blocks of 8 images. Per image and
    // output row a vector<F x OW> accumulator stays in registers over the C,
    // KH and KW loops: an input row broadcast over F times the weights
    // broadcast over OW. (Strided convolutions fail to vectorize: scalar.)
    %convs = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root : (!transform.any_op) -> !transform.any_op
    %cblocks, %cforall = transform.structured.tile_using_forall %convs tile_sizes [8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // OW in tiles of 8 (a ymm), the remainder peeled: LLVM scalarizes
    // loop-carried vectors of odd widths such as 24.
    %cow_tiles, %cow = transform.structured.tile_using_for %cblocks tile_sizes [0, 0, 0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.foreach %cow : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    // Makes the peeled remainder tiles static.
    transform.foreach %cforall : !transform.any_op {
    ^bb0(%b: !transform.any_op):
      transform.apply_patterns to %b { transform.apply_patterns.canonicalization } : !transform.any_op
    }
    %conv_tiles = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root : (!transform.any_op) -> !transform.any_op
    %cgen = transform.structured.generalize %conv_tiles : (!transform.any_op) -> !transform.any_op
    %ct, %cn, %cf, %coh, %cc, %ckh, %ckw = transform.structured.tile_using_for %cgen tile_sizes [1, 1, 1, 0, 1, 1, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    // Filter gradients (f, c, kh, kw; n, oh, ow): threads split KH, and a
    // vector<F x KW> accumulator stays in registers over N, OH and OW.
    %fgrads = transform.structured.match attributes {nnc.conv_filter_grad} in %root : (!transform.any_op) -> !transform.any_op
    %fblocks, %fforall = transform.structured.tile_using_forall %fgrads tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %ft, %ff, %fc, %fn, %foh, %fow = transform.structured.tile_using_for %fblocks tile_sizes [1, 1, 0, 0, 1, 1, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %conv_blocks = transform.merge_handles %cforall, %fforall : !transform.any_op
    // Per block: unit dimensions go, so the windowed input maps become
    // projections, and the tiles vectorize.
    transform.foreach %conv_blocks : !transform.any_op {
    ^bb0(%b: !transform.any_op):
      transform.apply_patterns to %b { transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices } : !transform.any_op
      %tiles = transform.structured.match ops{["linalg.generic"]} in %b : (!transform.any_op) -> !transform.any_op
      transform.foreach %tiles : !transform.any_op {
      ^bb1(%op: !transform.any_op):
        transform.sequence %op : !transform.any_op failures(suppress) {
        ^bb2(%op2: !transform.any_op):
          transform.structured.vectorize %op2 : !transform.any_op
        }
      }
    }
    %conv_loops = transform.merge_handles %ckw, %ckh, %cc, %fow, %foh, %fn : !transform.any_op
    transform.foreach %conv_loops : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      // The vectorizer's constants first: hoisting needs them outside.
      // (Canonicalizing instead would erase 1-trip loops under the handles.)
      transform.apply_licm to %l : !transform.any_op
      transform.loop.hoist_loop_invariant_subsets %l : !transform.any_op
    }
    transform.yield
  }
}
)mlir";

constexpr llvm::StringLiteral kLowerScript = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_broadcast } : !transform.any_op
    // Canonicalization and shape-cast lowering get sweeps of their own: in
    // the sweep above canonicalization never terminated (memory growing past
    // 20 GB) on the narrow tiles of a [17,2] matmul; the examples' code is the
    // same either way.
    transform.apply_patterns to %f { transform.apply_patterns.canonicalization } : !transform.any_op
    transform.apply_patterns to %f { transform.apply_patterns.vector.lower_shape_cast } : !transform.any_op
    transform.yield
  }
}
)mlir";

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
    : public PassWrapper<CPUTransformPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CPUTransformPass)

  CPUTransformPass() = default;
  CPUTransformPass(const CPUTransformPass &other) : PassWrapper(other) {}

  StringRef getArgument() const override { return "nnc-cpu-transform"; }
  StringRef getDescription() const override {
    return "Applies nnc's CPU codegen transform script for one stage "
           "(tile: tile+vectorize matmuls on tensors; lower: lower vector "
           "ops after bufferization)";
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<transform::TransformDialect, affine::AffineDialect,
                    arith::ArithDialect, bufferization::BufferizationDialect,
                    func::FuncDialect, linalg::LinalgDialect,
                    math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                    tensor::TensorDialect, vector::VectorDialect>();
  }

  LogicalResult initialize(MLIRContext *context) override {
    StringRef text;
    if (stage == "tile")
      text = kTileScript;
    else if (stage == "lower")
      text = kLowerScript;
    else
      return emitError(UnknownLoc::get(context))
             << "nnc-cpu-transform: unknown stage '" << stage << "'";
    std::string script = text.str();
    auto substitute = [&](StringRef name, int value) {
      for (size_t at; (at = script.find(name.str())) != std::string::npos;)
        script.replace(at, name.size(), std::to_string(value));
    };
    substitute("TILE_M", tileM);
    substitute("TILE_N", tileN);
    library = parseSourceString<ModuleOp>(script, ParserConfig(context));
    if (!library)
      return failure();
    return success();
  }

  void runOnOperation() override {
    if (stage == "tile")
      generalizeUnitMatmuls(getOperation());
    auto entry = library->lookupSymbol<transform::NamedSequenceOp>(
        "__transform_main");
    if (!entry) {
      getOperation().emitError("nnc-cpu-transform: no __transform_main");
      return signalPassFailure();
    }
    if (failed(transform::applyTransformNamedSequence(
            getOperation(), entry, *library,
            transform::TransformOptions())))
      signalPassFailure();
  }

  Option<std::string> stage{*this, "stage",
                            llvm::cl::desc("tile or lower"),
                            llvm::cl::init("tile")};
  Option<int> tileM{*this, "tile-m",
                    llvm::cl::desc("matmul register tile rows"),
                    llvm::cl::init(4)};
  Option<int> tileN{*this, "tile-n",
                    llvm::cl::desc("matmul register tile columns"),
                    llvm::cl::init(16)};
  OwningOpRef<ModuleOp> library;
};

} // namespace

void nn::registerCPUCodegenPasses() { PassRegistration<CPUTransformPass>(); }
