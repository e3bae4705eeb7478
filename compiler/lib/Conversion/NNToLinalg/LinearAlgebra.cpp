//===- LinearAlgebra.cpp - nn matmul and shape ops to linalg/tensor -------===//
//
// Matmuls become the named linalg ops (the CPU pipeline tiles and vectorizes
// them by name), reading a transposed matrix operand through their indexing
// maps; other transposes become linalg.transpose; reshapes become
// tensor.collapse_shape / expand_shape, which bufferize to views.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::nn;

/// Reshapes `value` to `type` with collapse/expand ops: directly when the
/// shapes reassociate, else through a rank-1 tensor.
static Value reshapeTo(OpBuilder &b, Location loc, Value value,
                       RankedTensorType type) {
  auto srcType = cast<RankedTensorType>(value.getType());
  if (srcType == type)
    return value;
  if (srcType.getRank() > type.getRank())
    if (auto groups = getReassociationIndicesForReshape(srcType, type))
      return tensor::CollapseShapeOp::create(b, loc, type, value, *groups);
  if (srcType.getRank() < type.getRank())
    if (auto groups = getReassociationIndicesForReshape(srcType, type))
      return tensor::ExpandShapeOp::create(b, loc, type, value, *groups);

  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, srcType.getRank()));
  Value flat = srcType.getRank() == 1
                   ? value
                   : tensor::CollapseShapeOp::create(b, loc, value, all);
  // A static target needs a static flat size before expand_shape.
  if (type.hasStaticShape() || type.getRank() == 1) {
    auto flatType = RankedTensorType::get(
        {type.hasStaticShape() ? type.getNumElements() : ShapedType::kDynamic},
        type.getElementType());
    if (flatType != flat.getType())
      flat = tensor::CastOp::create(b, loc, flatType, flat);
  }
  if (type.getRank() == 1)
    return tensor::CastOp::create(b, loc, type, flat);
  ReassociationIndices outAll =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       ArrayRef<ReassociationIndices>{outAll});
}

/// The matrix that `v` transposes, when `v` is an nn.transpose of a matrix.
static Value transposedMatrix(Value v) {
  auto transpose = v.getDefiningOp<TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
    return {};
  return transpose.getInput();
}

namespace {
struct MatmulPattern : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t lhsRank = cast<RankedTensorType>(lhs.getType()).getRank();
    int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();
    TypedAttr zero = rewriter.getZeroAttr(type.getElementType());

    // Only the batch and M dimensions may be dynamic; both come from lhs.
    if (type.isDynamicDim(type.getRank() - 1))
      return rewriter.notifyMatchFailure(op, "dynamic N dimension");
    if (lhsRank == 3 && rhsRank == 3) {
      Value init = createFilledFrom(rewriter, loc, type, lhs, {0, 1, 2}, zero);
      rewriter.replaceOp(op, linalg::BatchMatmulOp::create(
                                 rewriter, loc, ValueRange{lhs, rhs}, init)
                                 .getResult(0));
      return success();
    }
    // A transposed matrix operand is read in place through the matmul's
    // indexing maps: the backward pass's transposes are never materialized.
    Value lhsT = lhsRank == 2 ? transposedMatrix(op.getLhs()) : Value();
    Value rhsT = rhsRank == 2 ? transposedMatrix(op.getRhs()) : Value();
    if (lhsT || rhsT) {
      if (lhsT)
        lhs = rewriter.getRemappedValue(lhsT);
      if (rhsT)
        rhs = rewriter.getRemappedValue(rhsT);
      if (!lhs || !rhs)
        return rewriter.notifyMatchFailure(op, "transposed operand not mapped");
      Value init =
          createFilledFrom(rewriter, loc, type, lhs, {lhsT ? 1 : 0, 1}, zero);
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr m, n, k;
      bindDims(ctx, m, n, k);
      auto map = [&](AffineExpr a, AffineExpr b) {
        return AffineMap::get(3, 0, {a, b}, ctx);
      };
      ArrayAttr maps = rewriter.getAffineMapArrayAttr(
          {lhsT ? map(k, m) : map(m, k), rhsT ? map(n, k) : map(k, n),
           map(m, n)});
      rewriter.replaceOp(op, linalg::MatmulOp::create(
                                 rewriter, loc, ValueRange{lhs, rhs}, init,
                                 {rewriter.getNamedAttr("indexing_maps", maps)})
                                 .getResult(0));
      return success();
    }
    // [B,M,K]@[K,N]: one [B*M,K]@[K,N] matmul on a collapsed view.
    if (lhsRank == 3)
      lhs = tensor::CollapseShapeOp::create(
          rewriter, loc, lhs, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto flatType = RankedTensorType::get(
        {lhsType.getDimSize(0), type.getShape().back()}, type.getElementType());
    Value init = createFilledFrom(rewriter, loc, flatType, lhs, {0, 1}, zero);
    Value result =
        linalg::MatmulOp::create(rewriter, loc, ValueRange{lhs, rhs}, init)
            .getResult(0);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

struct TransposePattern : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> perm = op.getPermutation();
    Value init = createEmptyFrom(rewriter, op.getLoc(),
                                 cast<RankedTensorType>(op.getType()),
                                 adaptor.getInput(), perm);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPermutationAttr())
                               .getResult()[0]);
    return success();
  }
};

/// nn.reshape and nn.flatten: both keep row-major order.
template <typename OpTy> struct ReshapePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct ConcatPattern : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(
        op, op.getType(), op.getAxis(), adaptor.getInputs());
    return success();
  }
};
} // namespace

void nn::populateLinearAlgebraToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulPattern, TransposePattern, ReshapePattern<ReshapeOp>,
               ReshapePattern<FlattenOp>, ConcatPattern>(patterns.getContext());
}
