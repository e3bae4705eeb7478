//===- NNGradientOps.cpp - verifiers of the gradient-only ops -------------===//
//
// Shape checks of the ops in NNGradientOps.td. As in NNOps.cpp, two
// dimensions agree when they are equal or either is dynamic.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nn;

static constexpr int64_t kDyn = ShapedType::kDynamic;

static ArrayRef<int64_t> dims(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static bool shapesAgree(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  return a.size() == b.size() && llvm::all_of(llvm::zip(a, b), [](auto p) {
           auto [x, y] = p;
           return x == y || x == kDyn || y == kDyn;
         });
}

static std::string str(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    os << (d == kDyn ? "?" : std::to_string(d));
  });
  return s + "]";
}

static LogicalResult expectShape(Operation *op, StringRef what,
                                 ArrayRef<int64_t> found,
                                 ArrayRef<int64_t> expected) {
  if (shapesAgree(found, expected))
    return success();
  return op->emitOpError() << what << " shape should be " << str(expected)
                           << ", found " << str(found);
}

/// Output size of a window sliding over `size` elements; kDyn when dynamic.
static int64_t windowed(int64_t size, int64_t window, int64_t stride,
                        int64_t padding) {
  return size == kDyn ? kDyn : (size + 2 * padding - window) / stride + 1;
}

LogicalResult BroadcastToOp::verify() {
  ArrayRef<int64_t> out = dims(getResult());
  if (failed(expectShape(*this, "result", out, dims(getLike()))))
    return failure();
  SmallVector<int64_t> b;
  if (dims(getInput()).size() <= out.size() &&
      OpTrait::util::getBroadcastedShape(dims(getInput()), out, b) &&
      shapesAgree(b, out))
    return success();
  return emitOpError() << "cannot broadcast " << str(dims(getInput())) << " to "
                       << str(out);
}

LogicalResult NumElementsOp::verify() {
  int64_t rank = dims(getInput()).size();
  for (int64_t axis : getAxes())
    if (axis < 0 || axis >= rank)
      return emitOpError() << "axis " << axis << " is out of range for a rank-"
                           << rank << " input";
  return success();
}

LogicalResult CompareOp::verify() {
  SmallVector<int64_t> b;
  if (!OpTrait::util::getBroadcastedShape(dims(getLhs()), dims(getRhs()), b))
    return emitOpError() << "operand shapes " << str(dims(getLhs())) << " and "
                         << str(dims(getRhs())) << " do not broadcast";
  return expectShape(*this, "result", dims(getResult()), b);
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = dims(getInput()), out = dims(getResult());
  int64_t axis = getAxis(), offset = getOffset();
  if (axis < 0 || axis >= (int64_t)in.size())
    return emitOpError() << "axis " << axis << " is out of range for a rank-"
                         << in.size() << " input";
  if (out.size() != in.size() || out[axis] == kDyn || in[axis] == kDyn ||
      offset < 0 || offset + out[axis] > in[axis])
    return emitOpError() << "cannot take " << str(out) << " at offset "
                         << offset << " along axis " << axis << " of "
                         << str(in);
  SmallVector<int64_t> expected(in);
  expected[axis] = out[axis];
  return expectShape(*this, "result", out, expected);
}

LogicalResult CrossEntropyGradOp::verify() {
  ArrayRef<int64_t> logits = dims(getLogits());
  if (logits.size() != 2)
    return emitOpError() << "expects logits [N,C], found " << str(logits);
  if (failed(expectShape(*this, "labels", dims(getLabels()), {logits[0]})))
    return failure();
  return expectShape(*this, "result", dims(getResult()), logits);
}

static LogicalResult verifyRank4(Operation *op) {
  for (Value v : op->getOperands())
    if (dims(v).size() != 4)
      return op->emitOpError()
             << "expects rank-4 operands, found " << str(dims(v));
  if (dims(op->getResult(0)).size() != 4)
    return op->emitOpError() << "expects a rank-4 result";
  return success();
}

static LogicalResult verifyWindow(Operation *op, int64_t window, int64_t stride,
                                  int64_t padding) {
  if (window < 1 || stride < 1 || padding < 0 || padding >= window)
    return op->emitOpError()
           << "expects window >= 1, stride >= 1 and 0 <= "
              "padding < window, found window "
           << window << ", stride " << stride << ", padding " << padding;
  return success();
}

/// Checks `x: [N,C,H,W]`, `w: [F,C,KH,KW]` and `g: [N,F,H',W']` of a conv2d.
static LogicalResult verifyConvGrad(Operation *op, Value x, Value w, Value g,
                                    int64_t stride, int64_t padding) {
  if (failed(verifyRank4(op)))
    return failure();
  ArrayRef<int64_t> xs = dims(x), ws = dims(w);
  if (failed(verifyWindow(op, ws[2], stride, padding)) ||
      failed(verifyWindow(op, ws[3], stride, padding)))
    return failure();
  if (!shapesAgree({ws[1]}, {xs[1]}))
    return op->emitOpError()
           << "filter " << str(ws) << " does not match input " << str(xs);
  return expectShape(op, "grad", dims(g),
                     {xs[0], ws[0], windowed(xs[2], ws[2], stride, padding),
                      windowed(xs[3], ws[3], stride, padding)});
}

LogicalResult Conv2DInputGradOp::verify() {
  return verifyConvGrad(*this, getResult(), getFilter(), getGrad(), getStride(),
                        getPadding());
}

LogicalResult Conv2DFilterGradOp::verify() {
  return verifyConvGrad(*this, getInput(), getResult(), getGrad(), getStride(),
                        getPadding());
}

static LogicalResult verifyPoolGrad(Operation *op, int64_t size,
                                    int64_t stride) {
  if (failed(verifyRank4(op)) || failed(verifyWindow(op, size, stride, 0)))
    return failure();
  ArrayRef<int64_t> g = dims(op->getOperand(0)), x = dims(op->getResult(0));
  if (x[2] < size || x[3] < size)
    return op->emitOpError()
           << "window " << size << " is larger than " << str(x);
  return expectShape(op, "grad", g,
                     {x[0], x[1], windowed(x[2], size, stride, 0),
                      windowed(x[3], size, stride, 0)});
}

LogicalResult MaxPool2DGradOp::verify() {
  if (failed(expectShape(*this, "result", dims(getResult()), dims(getInput()))))
    return failure();
  return verifyPoolGrad(*this, getSize(), getStride());
}

LogicalResult AvgPool2DGradOp::verify() {
  return verifyPoolGrad(*this, getSize(), getStride());
}

LogicalResult DropoutMaskOp::verify() {
  float rate = getRate().convertToFloat();
  if (!(rate >= 0.0f && rate < 1.0f))
    return emitOpError() << "rate must be in [0, 1), found " << rate;
  return expectShape(*this, "result", dims(getResult()), dims(getLike()));
}
