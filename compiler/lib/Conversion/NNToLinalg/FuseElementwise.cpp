//===- FuseElementwise.cpp - the nn-fuse-elementwise pass -----------------===//
//
// Upstream's elementwise fusion with a control that leaves named linalg ops
// (matmul, conv, pooling) alone: folding a reshape into one rewrites it as a
// linalg.generic, which the targets' matmul and conv codegen do not match.
//
//===----------------------------------------------------------------------===//

#include "nn/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nn {
#define GEN_PASS_DEF_FUSEELEMENTWISEKEEPNAMEDPASS
#include "nn/Conversion/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;

namespace {
bool isNamedLinalgOp(Operation *op) {
  return isa<linalg::LinalgOp>(op) && !isa<linalg::GenericOp>(op);
}

struct FuseElementwiseKeepNamedPass
    : nn::impl::FuseElementwiseKeepNamedPassBase<FuseElementwiseKeepNamedPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // As upstream: fuse into a single user only. And neither side of a fold
    // may be a named op.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse() && !isNamedLinalgOp(producer) &&
             !isNamedLinalgOp(fused->getOwner());
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};
} // namespace
