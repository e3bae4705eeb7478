//===- GradientOps.cpp - gradient-only nn ops to linalg -------------------===//
//
// The ops that only nn-autodiff creates (NNGradientOps.td). Elementwise ones
// reuse buildElementwise so they fuse with their neighbours; convolution
// gradients become a named conv on a dilated, padded adjoint and a
// linalg.generic with strided input maps; pooling gradients add one strided
// slice per window offset, since a window-to-input scatter is not affine.
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
#include <numeric>

using namespace mlir;
using namespace mlir::nn;

/// Sizes of all dimensions of `v`, static or tensor.dim.
static SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<OpFoldResult> sizes;
  for (auto [d, size] :
       llvm::enumerate(cast<RankedTensorType>(v.getType()).getShape()))
    sizes.push_back(ShapedType::isDynamic(size)
                        ? OpFoldResult(tensor::DimOp::create(b, loc, v, d))
                        : b.getIndexAttr(size));
  return sizes;
}

/// A zero tensor of NCHW `type` whose batch size is `batchFrom`'s, with `src`
/// written at spatial `offset` every `stride` elements (padding, dilation).
static Value placeInZeros(OpBuilder &b, Location loc, RankedTensorType type,
                          Value batchFrom, Value src, int64_t offsetH,
                          int64_t offsetW, int64_t stride) {
  Value zeros = createFilledFrom(b, loc, type, batchFrom, {0, 1, 2, 3},
                                 b.getF32FloatAttr(0.0));
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                       b.getIndexAttr(offsetH),
                                       b.getIndexAttr(offsetW)};
  SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(stride),
                                       b.getIndexAttr(stride)};
  return tensor::InsertSliceOp::create(b, loc, src, zeros, offsets,
                                       sizesOf(b, loc, src), strides);
}

namespace {
template <typename OpTy> struct GradPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;
};

struct BroadcastToPattern : GradPattern<BroadcastToOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // `like` rides along only to size the dynamic dimensions.
    rewriter.replaceOp(op,
                       buildElementwise(rewriter, op.getLoc(), op.getType(),
                                        {adaptor.getInput(), adaptor.getLike()},
                                        [](OpBuilder &, Location,
                                           ValueRange a) { return a[0]; }));
    return success();
  }
};

struct NumElementsPattern : GradPattern<NumElementsOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(NumElementsOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    SmallVector<int64_t> axes(op.getAxes());
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(
          0, cast<RankedTensorType>(input.getType()).getRank()));
    Value n = countElements(rewriter, op.getLoc(), input, axes);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), n);
    return success();
  }
};

struct ComparePattern : GradPattern<CompareOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    arith::CmpFPredicate pred = arith::CmpFPredicate::OLE;
    switch (op.getPredicate()) {
    case ComparePredicate::eq:
      pred = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::gt:
      pred = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      pred = arith::CmpFPredicate::OGE;
      break;
    case ComparePredicate::lt:
      pred = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      pred = arith::CmpFPredicate::OLE;
      break;
    }
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, op.getLoc(), op.getType(),
                {adaptor.getLhs(), adaptor.getRhs()},
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value c = arith::CmpFOp::create(b, l, pred, a[0], a[1]);
                  return arith::UIToFPOp::create(b, l, b.getF32Type(), c);
                }));
    return success();
  }
};

struct SlicePattern : GradPattern<SliceOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t rank = op.getType().getRank(), axis = op.getAxis();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    offsets[axis] = rewriter.getIndexAttr(op.getOffset());
    sizes[axis] = rewriter.getIndexAttr(op.getType().getDimSize(axis));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), input, offsets, sizes, strides);
    return success();
  }
};

/// (softmax(x) - onehot) * g / N, with softmax as PyTorch's
/// exp(x - max - log(sum exp(x - max))).
struct CrossEntropyGradPattern : GradPattern<CrossEntropyGradOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyGradOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    Value max = reduceMax(rewriter, loc, logits, 1);
    Value sum = buildReduction(
        rewriter, loc, logits, max, 1, {rewriter.getF32FloatAttr(0.0)},
        [](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]));
          return {arith::AddFOp::create(b, l, a[2], e)};
        })[0];
    auto column = [&](Value v, Type elt) {
      return expandReducedDims(
          rewriter, loc, v,
          RankedTensorType::get({type.getDimSize(0), 1}, elt));
    };
    Type f32 = rewriter.getF32Type();
    Value n = countElements(rewriter, loc, logits, 0);
    Value perRow = arith::DivFOp::create(
        rewriter, loc,
        tensor::ExtractOp::create(rewriter, loc, adaptor.getGrad(),
                                  ValueRange{}),
        n);
    Value result = buildElementwise(
        rewriter, loc, type,
        {logits, column(max, f32), column(sum, f32),
         column(adaptor.getLabels(), rewriter.getI32Type())},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          Value p = math::ExpOp::create(
              b, l,
              arith::SubFOp::create(b, l, shifted,
                                    math::LogOp::create(b, l, a[2])));
          Value cls = arith::IndexCastOp::create(
              b, l, b.getI32Type(), linalg::IndexOp::create(b, l, 1));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, cls, a[3]);
          Value scaled = arith::MulFOp::create(b, l, p, perRow);
          Value minus = arith::SubFOp::create(b, l, scaled, perRow);
          return arith::SelectOp::create(b, l, hit, minus, scaled);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// dx = conv(dilate_s(g) padded by K-1-p, w transposed to [C,F] and flipped).
struct Conv2DInputGradPattern : GradPattern<Conv2DInputGradOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(Conv2DInputGradOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value g = adaptor.getGrad(), w = adaptor.getFilter();
    ArrayRef<int64_t> ws = op.getFilter().getType().getShape();
    int64_t kh = ws[2], kw = ws[3], p = op.getPadding();
    MLIRContext *ctx = rewriter.getContext();

    AffineExpr c, f, i, j;
    bindDims(ctx, c, f, i, j);
    auto flipped =
        RankedTensorType::get({ws[1], ws[0], kh, kw}, rewriter.getF32Type());
    Value wInit = tensor::EmptyOp::create(rewriter, loc, flipped.getShape(),
                                          flipped.getElementType());
    SmallVector<AffineMap> maps = {
        AffineMap::get(4, 0, {f, c, kh - 1 - i, kw - 1 - j}, ctx),
        rewriter.getMultiDimIdentityMap(4)};
    Value wT =
        linalg::GenericOp::create(
            rewriter, loc, flipped, w, wInit, maps,
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(b, l, a[0]);
            })
            .getResult(0);

    SmallVector<int64_t> padded = {type.getDimSize(0), ws[0],
                                   type.getDimSize(2) + kh - 1,
                                   type.getDimSize(3) + kw - 1};
    Value gp = placeInZeros(
        rewriter, loc, RankedTensorType::get(padded, rewriter.getF32Type()), g,
        g, kh - 1 - p, kw - 1 - p, op.getStride());
    Value init = createFilledFrom(rewriter, loc, type, g, {0, 1, 2, 3},
                                  rewriter.getF32FloatAttr(0.0));
    rewriter.replaceOp(op,
                       linalg::Conv2DNchwFchwOp::create(
                           rewriter, loc, TypeRange{type}, ValueRange{gp, wT},
                           ValueRange{init}, rewriter.getI64TensorAttr({1, 1}),
                           rewriter.getI64TensorAttr({1, 1}))
                           .getResult(0));
    return success();
  }
};

/// dw[f,c,i,j] = sum_{n,h,w} g[n,f,h,w] * xpad[n,c,h*s+i,w*s+j].
struct Conv2DFilterGradPattern : GradPattern<Conv2DFilterGradOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(Conv2DFilterGradOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value x = adaptor.getInput(), g = adaptor.getGrad();
    int64_t p = op.getPadding(), s = op.getStride();
    if (p > 0) {
      auto xt = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape(xt.getShape());
      shape[2] += 2 * p;
      shape[3] += 2 * p;
      x = placeInZeros(rewriter, loc, xt.clone(ArrayRef<int64_t>(shape)), x, x,
                       p, p, 1);
    }
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr f, c, i, j, n, h, w;
    bindDims(ctx, f, c, i, j, n, h, w);
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0, {n, f, h, w}, ctx),
        AffineMap::get(7, 0, {n, c, h * s + i, w * s + j}, ctx),
        AffineMap::get(7, 0, {f, c, i, j}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    Value init = createFilledFrom(rewriter, loc, type, g, {0, 1, 2, 3},
                                  rewriter.getF32FloatAttr(0.0));
    auto grad = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{g, x}, init, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value prod = arith::MulFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, a[2], prod).getResult());
        });
    // The CPU codegen script finds this generic by the marker to vectorize it.
    grad->setAttr(kConvFilterGradMarker, rewriter.getUnitAttr());
    rewriter.replaceOp(op, grad.getResult(0));
    return success();
  }
};

/// What window offset `k` (ki * size + kj, an i32) of the window at an
/// output position sends back to its input element, from the elements of
/// the per-window `inputs` there.
using WindowShareFn =
    llvm::function_ref<Value(OpBuilder &, Location, Value k, ValueRange)>;

/// The input gradient of a `size` x `size` pooling with `stride`: every
/// window offset's share of `inputs` (shaped like the pooled output) is added
/// into `dx` (zeros, NCHW).
///
/// Windows that tile the input exactly (stride == size, H = OH * size) write
/// each element once: one generic over dx viewed as [N, C, OH, size, OW,
/// size], no strided copies. The offsets come from a constant size x size
/// table rather than linalg.index, so the body is a plain select that LLVM
/// vectorizes along OW. Otherwise one strided slice-add per offset.
static Value accumulateWindows(OpBuilder &b, Location loc, Value dx,
                               ValueRange inputs, int64_t size, int64_t stride,
                               WindowShareFn share) {
  auto dxType = cast<RankedTensorType>(dx.getType());
  auto gType = cast<RankedTensorType>(inputs[0].getType());
  ArrayRef<int64_t> dxShape = dxType.getShape(), gShape = gType.getShape();
  if (stride == size && dxShape[2] == gShape[2] * size &&
      dxShape[3] == gShape[3] * size) {
    MLIRContext *ctx = b.getContext();
    AffineExpr n, c, oh, i, ow, j;
    bindDims(ctx, n, c, oh, i, ow, j);
    SmallVector<int64_t> windows = {gShape[0], gShape[1], gShape[2],
                                    size,      gShape[3], size};
    SmallVector<ReassociationIndices> groups = {{0}, {1}, {2, 3}, {4, 5}};
    auto windowsType = RankedTensorType::get(windows, dxType.getElementType());
    Value init = tensor::ExpandShapeOp::create(b, loc, windowsType, dx, groups);
    auto offsetsType = RankedTensorType::get({size, size}, b.getI32Type());
    SmallVector<int32_t> offsets(size * size);
    std::iota(offsets.begin(), offsets.end(), 0);
    Value offsetTable = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(offsetsType, ArrayRef(offsets)));
    SmallVector<Value> operands(inputs);
    operands.push_back(offsetTable);
    SmallVector<AffineMap> maps(inputs.size(),
                                AffineMap::get(6, 0, {n, c, oh, ow}, ctx));
    maps.push_back(AffineMap::get(6, 0, {i, j}, ctx));
    maps.push_back(b.getMultiDimIdentityMap(6));
    auto spreadOp = linalg::GenericOp::create(
        b, loc, windowsType, operands, init, maps,
        SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location l, ValueRange a) {
          ValueRange in = a.drop_back(2);
          linalg::YieldOp::create(nb, l, share(nb, l, a[in.size()], in));
        });
    spreadOp->setAttr(kBatchParallelMarker, b.getUnitAttr());
    Value spread = spreadOp.getResult(0);
    return tensor::CollapseShapeOp::create(b, loc, dxType, spread, groups);
  }
  for (int64_t k = 0; k < size * size; ++k) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                         b.getIndexAttr(k / size),
                                         b.getIndexAttr(k % size)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1),
                                         b.getIndexAttr(stride),
                                         b.getIndexAttr(stride)};
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, inputs[0]);
    Value slice = tensor::ExtractSliceOp::create(b, loc, gType, dx, offsets,
                                                 sizes, strides);
    SmallVector<Value> operands(inputs);
    operands.push_back(slice);
    Value added = buildElementwise(
        b, loc, gType, operands,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value kValue = arith::ConstantOp::create(
              nb, l, nb.getI32IntegerAttr(static_cast<int32_t>(k)));
          return arith::AddFOp::create(nb, l, a.back(),
                                       share(nb, l, kValue, a.drop_back()));
        });
    dx = tensor::InsertSliceOp::create(b, loc, added, dx, offsets, sizes,
                                       strides);
  }
  return dx;
}

/// The first maximum of each window as a flat offset, then one strided
/// slice-add per offset.
///
/// The argmax is one elementwise generic over the pooled output with the
/// window unrolled: an operand per window offset (x read at a constant
/// offset), compared in offset order. As a reduction over the window's
/// loops with linalg.index it ran as scalar code that stored its running
/// maximum every step.
struct MaxPool2DGradPattern : GradPattern<MaxPool2DGradOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DGradOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value g = adaptor.getGrad(), x = adaptor.getInput();
    int64_t size = op.getSize(), s = op.getStride();
    auto gType = cast<RankedTensorType>(g.getType());
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, c, h, w;
    bindDims(ctx, n, c, h, w);
    auto idxType = gType.clone(rewriter.getI32Type());
    Value idxInit = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, g),
        rewriter.getI32Type());
    SmallVector<Value> window(size * size, x);
    SmallVector<AffineMap> maps;
    for (int64_t i = 0; i < size; ++i)
      for (int64_t j = 0; j < size; ++j)
        maps.push_back(AffineMap::get(4, 0, {n, c, h * s + i, w * s + j}, ctx));
    maps.push_back(rewriter.getMultiDimIdentityMap(4));
    Value argmax =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{idxType}, window, ValueRange{idxInit},
            maps,
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              // Strictly greater: the first maximum stays, as in PyTorch.
              Value best =
                  createFloat(b, l, b.getF32Type(),
                              -std::numeric_limits<double>::infinity());
              Value bestK =
                  arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0));
              for (int64_t k = 0; k < size * size; ++k) {
                Value better = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OGT, a[k], best);
                best = arith::SelectOp::create(b, l, better, a[k], best);
                bestK = arith::SelectOp::create(
                    b, l, better,
                    arith::ConstantOp::create(
                        b, l, b.getI32IntegerAttr(static_cast<int32_t>(k))),
                    bestK);
              }
              linalg::YieldOp::create(b, l, bestK);
            })
            .getResult(0);
    Value dx = createFilledFrom(rewriter, loc, op.getType(), x, {0, 1, 2, 3},
                                rewriter.getF32FloatAttr(0.0));
    // The window's gradient goes to its first maximum only, as in PyTorch.
    dx = accumulateWindows(
        rewriter, loc, dx, {g, argmax}, size, s,
        [](OpBuilder &b, Location l, Value k, ValueRange a) -> Value {
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], k);
          return arith::SelectOp::create(
              b, l, hit, a[0], createFloat(b, l, b.getF32Type(), 0.0));
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

struct AvgPool2DGradPattern : GradPattern<AvgPool2DGradOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DGradOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value g = adaptor.getGrad();
    int64_t size = op.getSize();
    auto gType = cast<RankedTensorType>(g.getType());
    Value area = createFloat(rewriter, loc, rewriter.getF32Type(),
                             static_cast<double>(size * size));
    Value share = divideBy(rewriter, loc, g, area);
    Value dx = createFilledFrom(rewriter, loc, op.getType(), g, {0, 1, 2, 3},
                                rewriter.getF32FloatAttr(0.0));
    dx = accumulateWindows(
        rewriter, loc, dx, {share}, size, op.getStride(),
        [](OpBuilder &, Location, Value, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, dx);
    return success();
  }
};
/// splitmix64's finalizer on an i64.
static Value mix64(OpBuilder &b, Location loc, Value z) {
  auto c = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr((int64_t)v));
  };
  auto xorShift = [&](Value v, uint64_t s) -> Value {
    return arith::XOrIOp::create(b, loc, v,
                                 arith::ShRUIOp::create(b, loc, v, c(s)));
  };
  z = arith::MulIOp::create(b, loc, xorShift(z, 30), c(0xbf58476d1ce4e5b9ULL));
  z = arith::MulIOp::create(b, loc, xorShift(z, 27), c(0x94d049bb133111ebULL));
  return xorShift(z, 31);
}

/// The dropout mask (NNGradientOps.td has the recipe): the per-call key is
/// computed once, then one linalg.generic hashes each element's flat index
/// (from linalg.index) with it.
struct DropoutMaskPattern : GradPattern<DropoutMaskOp> {
  using GradPattern::GradPattern;
  LogicalResult
  matchAndRewrite(DropoutMaskOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type(), f32 = rewriter.getF32Type();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    Value like = adaptor.getLike();

    auto c = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getI64IntegerAttr(v));
    };
    Value stepF = tensor::ExtractOp::create(rewriter, loc, adaptor.getStep(),
                                            ValueRange{});
    Value step = arith::FPToSIOp::create(rewriter, loc, i64, stepF);
    Value key = mix64(rewriter, loc, c(op.getSeed()));
    key = mix64(rewriter, loc, arith::XOrIOp::create(rewriter, loc, key, step));
    key = mix64(rewriter, loc,
                arith::XOrIOp::create(rewriter, loc, key, c(op.getSalt())));

    // Row-major strides, as index values (dimensions may be dynamic).
    SmallVector<Value> strides(rank);
    Value stride = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = rank - 1; d >= 0; --d) {
      strides[d] = stride;
      if (d > 0)
        stride = arith::MulIOp::create(rewriter, loc, stride,
                                       getDimSize(rewriter, loc, like, d));
    }

    float rate = op.getRate().convertToFloat();
    float scale = 1.0f / (1.0f - rate); // PyTorch: noise.div_(1 - p).
    Value init = createEmptyFrom(rewriter, loc, type, like,
                                 llvm::to_vector(llvm::seq<int64_t>(0, rank)));
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    rewriter.replaceOp(
        op,
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{}, init, ArrayRef<AffineMap>{id},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange) {
              Value flat = arith::ConstantIndexOp::create(b, l, 0);
              for (int64_t d = 0; d < rank; ++d) {
                Value i = linalg::IndexOp::create(b, l, d);
                flat = arith::AddIOp::create(
                    b, l, flat, arith::MulIOp::create(b, l, i, strides[d]));
              }
              auto ci = [&](uint64_t v) -> Value {
                return arith::ConstantOp::create(
                    b, l, b.getI64IntegerAttr((int64_t)v));
              };
              Value n = arith::AddIOp::create(
                  b, l, arith::IndexCastOp::create(b, l, i64, flat), ci(1));
              Value z = arith::AddIOp::create(
                  b, l, key,
                  arith::MulIOp::create(b, l, n, ci(0x9E3779B97F4A7C15ULL)));
              Value bits = arith::ShRUIOp::create(b, l, mix64(b, l, z), ci(40));
              Value u = arith::MulFOp::create(
                  b, l, arith::UIToFPOp::create(b, l, f32, bits),
                  createFloat(b, l, f32, 1.0 / (1 << 24)));
              Value keep =
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u,
                                        createFloat(b, l, f32, rate));
              linalg::YieldOp::create(
                  b, l,
                  arith::SelectOp::create(b, l, keep,
                                          createFloat(b, l, f32, scale),
                                          createFloat(b, l, f32, 0.0))
                      .getResult());
            })
            .getResult(0));
    return success();
  }
};
} // namespace

void nn::populateGradientOpsToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastToPattern, NumElementsPattern, ComparePattern,
               SlicePattern, CrossEntropyGradPattern, Conv2DInputGradPattern,
               Conv2DFilterGradPattern, MaxPool2DGradPattern,
               AvgPool2DGradPattern, DropoutMaskPattern>(patterns.getContext());
}
