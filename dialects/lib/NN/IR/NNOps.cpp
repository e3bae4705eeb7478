//===- NNOps.cpp - nn op type inference and verifiers ---------------------===//
//
// Every rule comes from NNShapes.h through TypeShapes; this file only says
// which rule an op follows and which attributes it passes.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNOps.h"
#include "TypeShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nn;

/// The element type of the first operand.
static Type elementOf(ValueRange operands) {
  return cast<ShapedType>(operands[0].getType()).getElementType();
}

/// Infers the one result of `OpT` with the rule `apply`, given its operands,
/// with the first operand's element type unless `elem` is given.
template <typename OpT, typename Apply>
static LogicalResult inferWith(ValueRange operands, std::optional<Location> loc,
                               SmallVectorImpl<Type> &inferred, Apply apply,
                               Type elem = {}) {
  TypeShapes shapes(OpT::getOperationName(), operands.getTypes());
  if (!shapes.valid())
    return failure();
  return shapes.infer(apply(shapes.rules()), elem ? elem : elementOf(operands),
                      loc, inferred);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

#define NN_BROADCAST_INFERENCE(OP)                                             \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferWith<OP>(adaptor.getOperands(), loc, inferred,                 \
                         [](shapes::Rules &r) { return r.broadcast(); });      \
  }
NN_BROADCAST_INFERENCE(AddOp)
NN_BROADCAST_INFERENCE(SubOp)
NN_BROADCAST_INFERENCE(MulOp)
NN_BROADCAST_INFERENCE(DivOp)
NN_BROADCAST_INFERENCE(MaximumOp)
NN_BROADCAST_INFERENCE(MinimumOp)
#undef NN_BROADCAST_INFERENCE

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferWith<MatmulOp>(adaptor.getOperands(), loc, inferred,
                             [](shapes::Rules &r) { return r.matmul(); });
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> perm(adaptor.getPermutation());
  return inferWith<TransposeOp>(
      adaptor.getOperands(), loc, inferred,
      [&](shapes::Rules &r) { return r.transpose(perm); });
}

LogicalResult ReshapeOp::verify() {
  TypeShapes shapes(getOperationName(), getInput().getType());
  SmallVector<int64_t> target(getType().getShape());
  return shapes.check(*this, shapes.rules().reshape(target), target, "result");
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferWith<FlattenOp>(adaptor.getOperands(), loc, inferred,
                              [](shapes::Rules &r) { return r.flatten(); });
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  int64_t axis = adaptor.getAxis();
  return inferWith<ConcatOp>(adaptor.getOperands(), loc, inferred,
                             [&](shapes::Rules &r) { return r.concat(axis); });
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

/// Sorted reduced dimensions of a rank-`rank` input; all when `axes` is empty.
static SmallVector<int64_t> reducedDims(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> dims(axes);
  if (dims.empty())
    dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  llvm::sort(dims);
  return dims;
}

#define NN_REDUCTION_METHODS(OP)                                               \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    SmallVector<int64_t> axes(adaptor.getAxes());                              \
    bool keepdims = adaptor.getKeepdims();                                     \
    return inferWith<OP>(                                                      \
        adaptor.getOperands(), loc, inferred,                                  \
        [&](shapes::Rules &r) { return r.reduce(axes, keepdims); });           \
  }                                                                            \
  SmallVector<int64_t> OP::getReducedDims() {                                  \
    return reducedDims(getAxes(), getInput().getType().getRank());             \
  }
NN_REDUCTION_METHODS(SumOp)
NN_REDUCTION_METHODS(MeanOp)
NN_REDUCTION_METHODS(ReduceMaxOp)
#undef NN_REDUCTION_METHODS

/// Checks the axis of a softmax-like op against its input.
template <typename OpT> static LogicalResult verifyAlongAxis(OpT op) {
  TypeShapes shapes(op.getOperationName(), op.getInput().getType());
  int64_t axis = op.getAxis();
  return shapes.check(op, shapes.rules().alongAxis(axis),
                      op.getType().getShape(), "result");
}

LogicalResult SoftmaxOp::verify() { return verifyAlongAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifyAlongAxis(*this); }

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  int64_t stride = adaptor.getStride(), padding = adaptor.getPadding();
  return inferWith<Conv2DOp>(
      adaptor.getOperands(), loc, inferred,
      [&](shapes::Rules &r) { return r.conv2d(stride, padding); });
}

#define NN_POOL_INFERENCE(OP)                                                  \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    int64_t size = adaptor.getSize(), stride = adaptor.getStride();            \
    return inferWith<OP>(                                                      \
        adaptor.getOperands(), loc, inferred,                                  \
        [&](shapes::Rules &r) { return r.pool2d(size, stride); });             \
  }
NN_POOL_INFERENCE(MaxPool2DOp)
NN_POOL_INFERENCE(AvgPool2DOp)
#undef NN_POOL_INFERENCE

//===----------------------------------------------------------------------===//
// Training-related
//===----------------------------------------------------------------------===//

LogicalResult nn::verifyDropoutRate(Operation *op, APFloat rate) {
  float r = rate.convertToFloat();
  if (r >= 0.0f && r < 1.0f)
    return success();
  return op->emitOpError() << "rate must be in [0, 1), found " << r;
}

LogicalResult DropoutOp::verify() {
  return verifyDropoutRate(*this, getRate());
}

LogicalResult
CrossEntropyOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  return inferWith<CrossEntropyOp>(
      adaptor.getOperands(), loc, inferred,
      [](shapes::Rules &r) { return r.crossEntropy(); }, Float32Type::get(ctx));
}

LogicalResult MseOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferWith<MseOp>(
      adaptor.getOperands(), loc, inferred,
      [](shapes::Rules &r) { return r.mse(); }, Float32Type::get(ctx));
}

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  int64_t axis = adaptor.getAxis();
  return inferWith<ArgmaxOp>(
      adaptor.getOperands(), loc, inferred,
      [&](shapes::Rules &r) { return r.argmax(axis); },
      IntegerType::get(ctx, 32));
}

#define GET_OP_CLASSES
#include "nn/Dialect/NN/IR/NNOps.cpp.inc"
