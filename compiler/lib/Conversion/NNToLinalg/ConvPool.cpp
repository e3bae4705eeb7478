//===- ConvPool.cpp - nn convolution and pooling to linalg ----------------===//
//
// The named NCHW linalg ops, so that later tiling/vectorization can find
// them by name. Zero padding is an explicit tensor.pad in front.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::nn;

/// Pads the two spatial dimensions of the NCHW `input` by `padding` zeros on
/// each side.
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        int64_t padding) {
  if (padding == 0)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d : {2, 3})
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += 2 * padding;
  SmallVector<OpFoldResult> pads = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(padding),
                                    b.getIndexAttr(padding)};
  Value zero = createFloat(b, loc, type.getElementType(), 0.0);
  return tensor::PadOp::create(b, loc, type.clone(ArrayRef<int64_t>(shape)),
                               input, pads, pads, zero);
}

namespace {
struct Conv2DPattern : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    if (llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "only the batch may be dynamic");
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding());
    Value init = createFilledFrom(rewriter, loc, type, input, {0, 1, 2, 3},
                                  rewriter.getZeroAttr(type.getElementType()));
    int64_t stride = op.getStride();
    rewriter.replaceOp(op, linalg::Conv2DNchwFchwOp::create(
                               rewriter, loc, TypeRange{type},
                               ValueRange{input, adaptor.getFilter()},
                               ValueRange{init},
                               rewriter.getI64TensorAttr({stride, stride}),
                               rewriter.getI64TensorAttr({1, 1}))
                               .getResult(0));
    return success();
  }
};

/// Max pooling starts from -inf; average pooling sums, then divides by the
/// window size (there is no padding, so every window is full).
template <typename OpTy, typename LinalgOpTy, bool IsAverage>
struct Pool2DPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    if (llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "only the batch may be dynamic");
    Value input = adaptor.getInput();
    int64_t size = op.getSize(), stride = op.getStride();
    double init = IsAverage ? 0.0 : -std::numeric_limits<double>::infinity();
    Value out = createFilledFrom(rewriter, loc, type, input, {0, 1, 2, 3},
                                 rewriter.getF32FloatAttr(init));
    Value window = tensor::EmptyOp::create(rewriter, loc, {size, size},
                                           type.getElementType());
    Value result =
        LinalgOpTy::create(rewriter, loc, TypeRange{type},
                           ValueRange{input, window}, ValueRange{out},
                           rewriter.getI64TensorAttr({stride, stride}),
                           rewriter.getI64TensorAttr({1, 1}))
            .getResult(0);
    if (IsAverage)
      result = divideBy(rewriter, loc, result,
                        createFloat(rewriter, loc, rewriter.getF32Type(),
                                    static_cast<double>(size * size)));
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void nn::populateConvPoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DPattern,
               Pool2DPattern<MaxPool2DOp, linalg::PoolingNchwMaxOp, false>,
               Pool2DPattern<AvgPool2DOp, linalg::PoolingNchwSumOp, true>>(
      patterns.getContext());
}
