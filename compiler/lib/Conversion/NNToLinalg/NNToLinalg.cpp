//===- NNToLinalg.cpp - the convert-nn-to-linalg pass ---------------------===//

#include "nn/Conversion/NNToLinalg/NNToLinalg.h"
#include "Patterns.h"
#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::nn {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "nn/Conversion/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

void nn::populateNNToLinalgConversionPatterns(RewritePatternSet &patterns) {
  populateElementwiseToLinalgPatterns(patterns);
  populateLinearAlgebraToLinalgPatterns(patterns);
  populateReductionToLinalgPatterns(patterns);
  populateConvPoolToLinalgPatterns(patterns);
  populateLossToLinalgPatterns(patterns);
  populateGradientOpsToLinalgPatterns(patterns);
}

namespace {
struct ConvertNNToLinalgPass
    : nn::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    // func, builtin and anything else outside nn stays as it is.
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(&getContext());
    populateNNToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
