//===- Utils.cpp - shared builders for nn to linalg patterns --------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::nn;

Value nn::getDimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  int64_t size = cast<RankedTensorType>(tensor.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(size))
    return arith::ConstantIndexOp::create(b, loc, size);
  return tensor::DimOp::create(b, loc, tensor, dim);
}

Value nn::createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                      ValueRange dynSizes) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynSizes);
}

Value nn::createEmptyFrom(OpBuilder &b, Location loc, RankedTensorType type,
                          Value source, ArrayRef<int64_t> sourceDims) {
  SmallVector<Value> dynSizes;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynSizes.push_back(getDimSize(b, loc, source, sourceDims[i]));
  return createEmpty(b, loc, type, dynSizes);
}

Value nn::createFilledFrom(OpBuilder &b, Location loc, RankedTensorType type,
                           Value source, ArrayRef<int64_t> sourceDims,
                           TypedAttr value) {
  Value empty = createEmptyFrom(b, loc, type, source, sourceDims);
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value nn::createFloat(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// Drops the dimensions of `operand` that broadcast against `resultShape`
/// (size 1 stretched to another size). Fills `exprs` with the result loop
/// each kept dimension follows.
static Value dropBroadcastDims(OpBuilder &b, Location loc, Value operand,
                               ArrayRef<int64_t> resultShape,
                               SmallVectorImpl<AffineExpr> &exprs) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(operand.getType()).getShape();
  int64_t offset = resultShape.size() - shape.size();
  // Each kept dimension starts a group; dropped ones join a neighbour.
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [j, size] : llvm::enumerate(shape)) {
    pending.push_back(j);
    if (size == 1 && resultShape[offset + j] != 1)
      continue;
    exprs.push_back(b.getAffineDimExpr(offset + j));
    groups.push_back(pending);
    pending.clear();
  }
  if (exprs.size() == shape.size())
    return operand;
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return tensor::CollapseShapeOp::create(b, loc, operand, groups);
}

/// The size of result dimension `dim`, read from an operand that does not
/// broadcast along it.
static Value getResultDimSize(OpBuilder &b, Location loc, ValueRange operands,
                              int64_t rank, int64_t dim) {
  Value dynamicSource;
  int64_t dynamicDim = 0;
  for (Value operand : operands) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(operand.getType()).getShape();
    int64_t j = dim - (rank - shape.size());
    if (j < 0 || shape[j] == 1)
      continue;
    if (!ShapedType::isDynamic(shape[j]))
      return arith::ConstantIndexOp::create(b, loc, shape[j]);
    if (!dynamicSource) {
      dynamicSource = operand;
      dynamicDim = j;
    }
  }
  if (!dynamicSource)
    return arith::ConstantIndexOp::create(b, loc, 1);
  return tensor::DimOp::create(b, loc, dynamicSource, dynamicDim);
}

Value nn::buildElementwise(OpBuilder &b, Location loc,
                           RankedTensorType resultType, ValueRange operands,
                           ScalarFn body) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> dynSizes;
  for (auto [i, size] : llvm::enumerate(resultType.getShape()))
    if (ShapedType::isDynamic(size))
      dynSizes.push_back(getResultDimSize(b, loc, operands, rank, i));
  Value init = createEmpty(b, loc, resultType, dynSizes);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (Value operand : operands) {
    SmallVector<AffineExpr> exprs;
    inputs.push_back(
        dropBroadcastDims(b, loc, operand, resultType.getShape(), exprs));
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

SmallVector<Value> nn::buildReduction(OpBuilder &b, Location loc, Value input,
                                      ValueRange extra, ArrayRef<int64_t> dims,
                                      ArrayRef<TypedAttr> inits,
                                      CombineFn body) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> keptDims, keptShape;
  SmallVector<AffineExpr> keptExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = llvm::is_contained(dims, i);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (reduced)
      continue;
    keptDims.push_back(i);
    keptShape.push_back(inputType.getDimSize(i));
    keptExprs.push_back(b.getAffineDimExpr(i));
  }
  AffineMap outMap = AffineMap::get(rank, 0, keptExprs, b.getContext());

  SmallVector<Value> outs;
  SmallVector<Type> outTypes;
  for (TypedAttr init : inits) {
    auto type = RankedTensorType::get(keptShape, init.getType());
    outs.push_back(createFilledFrom(b, loc, type, input, keptDims, init));
    outTypes.push_back(type);
  }
  SmallVector<Value> ins{input};
  ins.append(extra.begin(), extra.end());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  maps.append(extra.size() + outs.size(), outMap);
  auto generic = linalg::GenericOp::create(
      b, loc, outTypes, ins, outs, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResults();
}

Value nn::expandReducedDims(OpBuilder &b, Location loc, Value value,
                            RankedTensorType resultType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type == resultType)
    return value;
  std::optional<SmallVector<ReassociationIndices>> groups =
      getReassociationIndicesForReshape(type, resultType);
  assert(groups && "size-1 dimensions always reassociate");
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, *groups);
}

Value nn::countElements(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> dims) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t dim : dims)
    count =
        arith::MulIOp::create(b, loc, count, getDimSize(b, loc, input, dim));
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return arith::UIToFPOp::create(b, loc, b.getF32Type(), asInt);
}

Value nn::divideBy(OpBuilder &b, Location loc, Value tensor, Value scalar) {
  return buildElementwise(
      b, loc, cast<RankedTensorType>(tensor.getType()), tensor,
      [&](OpBuilder &nb, Location nloc, ValueRange a) {
        return arith::DivFOp::create(nb, nloc, a[0], scalar).getResult();
      });
}

Value nn::sumAll(OpBuilder &b, Location loc, Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  return buildReduction(
      b, loc, tensor, {}, dims, {b.getF32FloatAttr(0.0)},
      [](OpBuilder &nb, Location nloc, ValueRange a) -> SmallVector<Value> {
        return {arith::AddFOp::create(nb, nloc, a[0], a[1])};
      })[0];
}

Value nn::reduceMax(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> dims) {
  return buildReduction(
      b, loc, input, {}, dims,
      {b.getF32FloatAttr(-std::numeric_limits<float>::infinity())},
      [](OpBuilder &nb, Location nloc, ValueRange a) -> SmallVector<Value> {
        return {arith::MaximumFOp::create(nb, nloc, a[0], a[1])};
      })[0];
}
