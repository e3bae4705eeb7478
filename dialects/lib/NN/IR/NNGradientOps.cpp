//===- NNGradientOps.cpp - type inference and verifiers of gradient ops ---===//
//
// The ops of NNGradientOps.td follow the forward ops' shape rules: a gradient
// op checks that its operands are what the forward op took and gave.
//
//===----------------------------------------------------------------------===//

#include "TypeShapes.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nn;

static ArrayRef<int64_t> dims(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

LogicalResult BroadcastToOp::verify() {
  TypeShapes shapes(getOperationName(), {getInput().getType(), getType()});
  if (dims(getInput()).size() > dims(getLike()).size())
    return emitOpError() << "cannot broadcast " << formatDims(dims(getInput()))
                         << " to " << formatDims(dims(getLike()));
  return shapes.check(*this, shapes.rules().broadcast(), dims(getLike()),
                      "result");
}

LogicalResult NumElementsOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  TypeShapes shapes(getOperationName(), adaptor.getInput().getType());
  if (!shapes.valid())
    return failure();
  int64_t rank = dims(adaptor.getInput()).size();
  for (int64_t axis : adaptor.getAxes())
    if (!shapes.rules().axis(axis, rank))
      return shapes.infer(std::nullopt, {}, loc, inferred);
  return shapes.infer(shapes::Dims{}, Float32Type::get(ctx), loc, inferred);
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  TypeShapes shapes(getOperationName(),
                    {adaptor.getLhs().getType(), adaptor.getRhs().getType()});
  if (!shapes.valid())
    return failure();
  return shapes.infer(shapes.rules().broadcast(),
                      getElementTypeOrSelf(adaptor.getLhs().getType()), loc,
                      inferred);
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = dims(getInput()), out = dims(getResult());
  int64_t axis = getAxis(), offset = getOffset();
  TypeShapes shapes(getOperationName(), getInput().getType());
  if (!shapes.rules().axis(axis, in.size()))
    return emitOpError() << shapes.rules().message();
  if (out.size() != in.size() || out[axis] == ShapedType::kDynamic ||
      in[axis] == ShapedType::kDynamic || offset < 0 ||
      offset + out[axis] > in[axis])
    return emitOpError() << "cannot take " << formatDims(out) << " at offset "
                         << offset << " along axis " << axis << " of "
                         << formatDims(in);
  SmallVector<int64_t> expected(in);
  expected[axis] = out[axis];
  return shapes.check(*this, shapes::Dims(expected.begin(), expected.end()),
                      out, "result");
}

LogicalResult CrossEntropyGradOp::verify() {
  TypeShapes shapes(getOperationName(),
                    {getLogits().getType(), getLabels().getType()});
  return shapes.check(*this, shapes.rules().crossEntropy(), dims(getGrad()),
                      "grad");
}

/// Checks that `grad` is what conv2d(`input`, `filter`) gives.
static LogicalResult verifyConvGrad(Operation *op, Value input, Value filter,
                                    Value grad, int64_t stride,
                                    int64_t padding) {
  TypeShapes shapes(op->getName().getStringRef(),
                    {input.getType(), filter.getType()});
  return shapes.check(op, shapes.rules().conv2d(stride, padding), dims(grad),
                      "grad");
}

LogicalResult Conv2DInputGradOp::verify() {
  return verifyConvGrad(*this, getResult(), getFilter(), getGrad(), getStride(),
                        getPadding());
}

LogicalResult Conv2DFilterGradOp::verify() {
  return verifyConvGrad(*this, getInput(), getResult(), getGrad(), getStride(),
                        getPadding());
}

/// Checks that `grad` is what pooling `input` gives.
static LogicalResult verifyPoolGrad(Operation *op, Value input, Value grad,
                                    int64_t size, int64_t stride) {
  TypeShapes shapes(op->getName().getStringRef(), input.getType());
  return shapes.check(op, shapes.rules().pool2d(size, stride), dims(grad),
                      "grad");
}

LogicalResult MaxPool2DGradOp::verify() {
  return verifyPoolGrad(*this, getInput(), getGrad(), getSize(), getStride());
}

LogicalResult AvgPool2DGradOp::verify() {
  return verifyPoolGrad(*this, getResult(), getGrad(), getSize(), getStride());
}

LogicalResult DropoutMaskOp::verify() {
  return verifyDropoutRate(*this, getRate());
}

//===----------------------------------------------------------------------===//
// Ops whose result has the type of one operand
//===----------------------------------------------------------------------===//

/// The type of `like`, when it is a ranked tensor.
static LogicalResult typeOf(Value like, SmallVectorImpl<Type> &inferred) {
  if (!isa<RankedTensorType>(like.getType()))
    return failure();
  inferred.push_back(like.getType());
  return success();
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return typeOf(adaptor.getLike(), inferred);
}

LogicalResult
CrossEntropyGradOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferred) {
  return typeOf(adaptor.getLogits(), inferred);
}

LogicalResult
MaxPool2DGradOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  return typeOf(adaptor.getInput(), inferred);
}

LogicalResult DropoutMaskOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return typeOf(adaptor.getLike(), inferred);
}
