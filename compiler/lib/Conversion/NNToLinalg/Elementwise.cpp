//===- Elementwise.cpp - nn elementwise ops to linalg ---------------------===//
//
// Every broadcasting binary and unary op becomes one linalg.generic built by
// buildElementwise; an op is one row of the table at the bottom: its float
// body and, where integers make sense, its integer body.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nn;

namespace {
/// The scalar body of an elementwise op; `op` gives access to attributes.
using MapFn = Value (*)(Operation *op, OpBuilder &b, Location loc,
                        ValueRange args);

template <typename OpTy> struct ElementwisePattern : OpConversionPattern<OpTy> {
  ElementwisePattern(MLIRContext *ctx, MapFn floatFn, MapFn intFn = nullptr)
      : OpConversionPattern<OpTy>(ctx), floatFn(floatFn), intFn(intFn) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    MapFn fn = isa<FloatType>(type.getElementType()) ? floatFn : intFn;
    if (!fn)
      return rewriter.notifyMatchFailure(op, "no lowering for this element "
                                             "type");
    Value result =
        buildElementwise(rewriter, op.getLoc(), type, adaptor.getOperands(),
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return fn(op, b, loc, args);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }

  MapFn floatFn, intFn;
};

/// Dropout is the identity outside training; training masks come from
/// autodiff, not from this forward lowering.
struct DropoutPattern : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};
} // namespace

template <typename ArithOp>
static Value binary(Operation *, OpBuilder &b, Location loc, ValueRange a) {
  return ArithOp::create(b, loc, a[0], a[1]);
}

template <typename MathOp>
static Value unary(Operation *, OpBuilder &b, Location loc, ValueRange a) {
  return MathOp::create(b, loc, a[0]);
}

static Value constLike(OpBuilder &b, Location loc, Value x, double c) {
  return createFloat(b, loc, x.getType(), c);
}

static Value sigmoid(Operation *, OpBuilder &b, Location loc, ValueRange a) {
  Value negX = arith::NegFOp::create(b, loc, a[0]);
  Value one = constLike(b, loc, a[0], 1.0);
  Value den =
      arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negX));
  return arith::DivFOp::create(b, loc, one, den);
}

static Value relu(Operation *, OpBuilder &b, Location loc, ValueRange a) {
  return arith::MaximumFOp::create(b, loc, a[0], constLike(b, loc, a[0], 0.0));
}

/// The tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
static Value gelu(Operation *, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value x3 =
      arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
  Value inner = arith::AddFOp::create(
      b, loc, x,
      arith::MulFOp::create(b, loc, constLike(b, loc, x, 0.044715), x3));
  Value scaled = arith::MulFOp::create(
      b, loc, constLike(b, loc, x, std::sqrt(2.0 / M_PI)), inner);
  Value onePlus = arith::AddFOp::create(b, loc, constLike(b, loc, x, 1.0),
                                        math::TanhOp::create(b, loc, scaled));
  Value half = arith::MulFOp::create(b, loc, constLike(b, loc, x, 0.5), x);
  return arith::MulFOp::create(b, loc, half, onePlus);
}

static Value leakyRelu(Operation *op, OpBuilder &b, Location loc,
                       ValueRange a) {
  double alpha = cast<LeakyReluOp>(op).getAlpha().convertToDouble();
  Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                         a[0], constLike(b, loc, a[0], 0.0));
  Value scaled =
      arith::MulFOp::create(b, loc, constLike(b, loc, a[0], alpha), a[0]);
  return arith::SelectOp::create(b, loc, positive, a[0], scaled);
}

/// Small integral exponents multiply out (exact, and right for negative x
/// even when math.powf is later approximated as exp(e * log(x))).
static Value power(Operation *op, OpBuilder &b, Location loc, ValueRange a) {
  double e = cast<PowOp>(op).getExponent().convertToDouble();
  Value x = a[0];
  double whole = std::round(std::fabs(e));
  if (whole != std::fabs(e) || whole > 4)
    return math::PowFOp::create(b, loc, x, constLike(b, loc, x, e));
  Value result = whole == 0 ? constLike(b, loc, x, 1.0) : x;
  for (int i = 1; i < static_cast<int>(whole); ++i)
    result = arith::MulFOp::create(b, loc, result, x);
  if (e < 0)
    result = arith::DivFOp::create(b, loc, constLike(b, loc, x, 1.0), result);
  return result;
}

void nn::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  // Binary ops: float body, integer body (i32 label arithmetic).
  patterns.add<ElementwisePattern<AddOp>>(ctx, binary<arith::AddFOp>,
                                          binary<arith::AddIOp>);
  patterns.add<ElementwisePattern<SubOp>>(ctx, binary<arith::SubFOp>,
                                          binary<arith::SubIOp>);
  patterns.add<ElementwisePattern<MulOp>>(ctx, binary<arith::MulFOp>,
                                          binary<arith::MulIOp>);
  patterns.add<ElementwisePattern<DivOp>>(ctx, binary<arith::DivFOp>);
  patterns.add<ElementwisePattern<MaximumOp>>(ctx, binary<arith::MaximumFOp>,
                                              binary<arith::MaxSIOp>);
  patterns.add<ElementwisePattern<MinimumOp>>(ctx, binary<arith::MinimumFOp>,
                                              binary<arith::MinSIOp>);
  // Unary ops.
  patterns.add<ElementwisePattern<NegOp>>(ctx, unary<arith::NegFOp>);
  patterns.add<ElementwisePattern<ExpOp>>(ctx, unary<math::ExpOp>);
  patterns.add<ElementwisePattern<LogOp>>(ctx, unary<math::LogOp>);
  patterns.add<ElementwisePattern<SqrtOp>>(ctx, unary<math::SqrtOp>);
  patterns.add<ElementwisePattern<TanhOp>>(ctx, unary<math::TanhOp>);
  patterns.add<ElementwisePattern<AbsOp>>(ctx, unary<math::AbsFOp>);
  patterns.add<ElementwisePattern<SigmoidOp>>(ctx, sigmoid);
  patterns.add<ElementwisePattern<ReluOp>>(ctx, relu);
  patterns.add<ElementwisePattern<GeluOp>>(ctx, gelu);
  patterns.add<ElementwisePattern<LeakyReluOp>>(ctx, leakyRelu);
  patterns.add<ElementwisePattern<PowOp>>(ctx, power);
  patterns.add<DropoutPattern>(ctx);
}
