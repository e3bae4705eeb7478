//===- Losses.cpp - nn losses to linalg -----------------------------------===//
//
// Both losses are means over the batch, so the count reads tensor.dim of the
// dynamic batch dimension.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::nn;

namespace {
/// mean_i(logsumexp(x_i) - x_i[label_i]), with logsumexp(x_i) computed as
/// m_i + log(sum_c exp(x_ic - m_i)) for the row maximum m_i. The picked
/// logit is gathered in the same pass as the exp-sum, by comparing the
/// class index with the label.
struct CrossEntropyPattern : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    Value max = reduceMax(rewriter, loc, logits, 1);
    TypedAttr zero = rewriter.getF32FloatAttr(0.0);
    SmallVector<Value> rows = buildReduction(
        rewriter, loc, logits, {max, adaptor.getLabels()}, 1, {zero, zero},
        [](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value x = a[0], m = a[1], label = a[2], sum = a[3], picked = a[4];
          Value e =
              math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, m));
          Value cls = arith::IndexCastOp::create(
              b, l, b.getI32Type(), linalg::IndexOp::create(b, l, 1));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, cls, label);
          return {arith::AddFOp::create(b, l, sum, e),
                  arith::SelectOp::create(b, l, hit, x, picked)};
        });
    Value rowLoss =
        buildElementwise(rewriter, loc, cast<RankedTensorType>(max.getType()),
                         {max, rows[0], rows[1]},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value lse = arith::AddFOp::create(
                               b, l, a[0], math::LogOp::create(b, l, a[1]));
                           return arith::SubFOp::create(b, l, lse, a[2]);
                         });
    Value total = sumAll(rewriter, loc, rowLoss);
    rewriter.replaceOp(op, divideBy(rewriter, loc, total,
                                    countElements(rewriter, loc, logits, 0)));
    return success();
  }
};

/// mean((pred - target)^2) over all elements.
struct MsePattern : OpConversionPattern<MseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = adaptor.getPred();
    auto type = cast<RankedTensorType>(pred.getType());
    Value squares =
        buildElementwise(rewriter, loc, type, {pred, adaptor.getTarget()},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                           return arith::MulFOp::create(b, l, d, d);
                         });
    SmallVector<int64_t> all =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    Value total = sumAll(rewriter, loc, squares);
    rewriter.replaceOp(op, divideBy(rewriter, loc, total,
                                    countElements(rewriter, loc, pred, all)));
    return success();
  }
};
} // namespace

void nn::populateLossToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CrossEntropyPattern, MsePattern>(patterns.getContext());
}
