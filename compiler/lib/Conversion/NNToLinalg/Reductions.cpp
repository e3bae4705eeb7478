//===- Reductions.cpp - nn reductions and softmax to linalg ---------------===//
//
// Reductions are linalg.generic ops with reduction iterators (buildReduction);
// keepdims re-expands the result. Softmax and log_softmax subtract the row
// maximum first, and sum exp(x - max) without materializing it.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::nn;

static constexpr double kInf = std::numeric_limits<double>::infinity();

/// Casts `value` to `type` when they differ only in static information.
static Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

namespace {
/// How one reduction op combines elements.
struct ReduceKind {
  double init;
  Value (*combine)(OpBuilder &, Location, Value, Value);
  bool divideByCount;
};

template <typename OpTy> struct ReducePattern : OpConversionPattern<OpTy> {
  ReducePattern(MLIRContext *ctx, ReduceKind kind)
      : OpConversionPattern<OpTy>(ctx), kind(kind) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    SmallVector<int64_t> dims = op.getReducedDims();
    auto combine = kind.combine;
    Value result = buildReduction(
        rewriter, loc, input, {}, dims, {rewriter.getF32FloatAttr(kind.init)},
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          return {combine(b, l, a[0], a[1])};
        })[0];
    if (kind.divideByCount)
      result = divideBy(rewriter, loc, result,
                        countElements(rewriter, loc, input, dims));
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getKeepdims()) {
      SmallVector<int64_t> shape(
          cast<RankedTensorType>(input.getType()).getShape());
      for (int64_t d : dims)
        shape[d] = 1;
      result = expandReducedDims(rewriter, loc, result,
                                 type.clone(ArrayRef<int64_t>(shape)));
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, type));
    return success();
  }

  ReduceKind kind;
};

/// softmax = exp(x - m) / s and log_softmax = x - m - log(s), where m is
/// the maximum along the axis and s the sum of exp(x - m).
template <typename OpTy> struct SoftmaxPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis();
    Value max = reduceMax(rewriter, loc, x, axis);
    Value sum = buildReduction(
        rewriter, loc, x, max, axis, {rewriter.getF32FloatAttr(0.0)},
        [](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          Value e = math::ExpOp::create(b, l, shifted);
          return {arith::AddFOp::create(b, l, a[2], e)};
        })[0];
    // Keep the axis as size 1 so both broadcast back along it.
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = type.clone(ArrayRef<int64_t>(keptShape));
    Value maxKept = expandReducedDims(rewriter, loc, max, keptType);
    Value sumKept = expandReducedDims(rewriter, loc, sum, keptType);
    Value result = buildElementwise(
        rewriter, loc, type, {x, maxKept, sumKept},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          if (std::is_same_v<OpTy, LogSoftmaxOp>)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, a[2]));
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       a[2]);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// The first index of the maximum; NaN counts as the maximum, as in PyTorch.
struct ArgmaxPattern : OpConversionPattern<ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ArgmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    SmallVector<Value> results = buildReduction(
        rewriter, loc, adaptor.getInput(), {}, axis,
        {rewriter.getF32FloatAttr(-kInf), rewriter.getI32IntegerAttr(0)},
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value x = a[0], best = a[1], bestIdx = a[2];
          Value greater =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, best);
          Value xNaN =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
          Value bestNum = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ORD,
                                                best, best);
          Value take = arith::OrIOp::create(
              b, l, greater, arith::AndIOp::create(b, l, xNaN, bestNum));
          Value idx = arith::IndexCastOp::create(
              b, l, b.getI32Type(), linalg::IndexOp::create(b, l, axis));
          return {arith::SelectOp::create(b, l, take, x, best),
                  arith::SelectOp::create(b, l, take, idx, bestIdx)};
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, results[1], op.getType()));
    return success();
  }
};
} // namespace

template <typename ArithOp>
static Value combine(OpBuilder &b, Location loc, Value x, Value acc) {
  return ArithOp::create(b, loc, x, acc);
}

void nn::populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReducePattern<SumOp>>(
      ctx, ReduceKind{0.0, combine<arith::AddFOp>, false});
  patterns.add<ReducePattern<MeanOp>>(
      ctx, ReduceKind{0.0, combine<arith::AddFOp>, true});
  patterns.add<ReducePattern<ReduceMaxOp>>(
      ctx, ReduceKind{-kInf, combine<arith::MaximumFOp>, false});
  patterns.add<SoftmaxPattern<SoftmaxOp>, SoftmaxPattern<LogSoftmaxOp>,
               ArgmaxPattern>(ctx);
}
