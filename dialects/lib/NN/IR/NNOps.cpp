//===- NNOps.cpp - nn op verifiers ----------------------------------------===//
//
// Shape rules of LANGUAGE.md §7. The batch dimension is dynamic, so two
// dimensions agree when they are equal or either is dynamic.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nn;

static constexpr int64_t kDyn = ShapedType::kDynamic;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static bool dimsAgree(int64_t a, int64_t b) {
  return a == b || a == kDyn || b == kDyn;
}

/// Prints a shape as `[?, 784]`.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (d == kDyn)
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

/// Checks that the op's only result has the shape `expected`.
static LogicalResult verifyResultShape(Operation *op,
                                       ArrayRef<int64_t> expected) {
  ArrayRef<int64_t> actual = shapeOf(op->getResult(0));
  if (actual.size() == expected.size() &&
      llvm::all_of(llvm::zip(actual, expected), [](auto pair) {
        return dimsAgree(std::get<0>(pair), std::get<1>(pair));
      }))
    return success();
  return op->emitOpError() << "result shape should be " << formatShape(expected)
                           << ", found " << formatShape(actual);
}

/// Checks that `axis` indexes a dimension of a rank-`rank` tensor.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef name = "axis") {
  if (axis >= 0 && axis < rank)
    return success();
  return op->emitOpError() << name << " " << axis
                           << " is out of range for a rank-" << rank
                           << " input";
}

static int64_t staticProduct(ArrayRef<int64_t> shape, int &numDynamic) {
  int64_t product = 1;
  numDynamic = 0;
  for (int64_t d : shape) {
    if (d == kDyn)
      ++numDynamic;
    else
      product *= d;
  }
  return product;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult verifyBroadcastBinary(Operation *op) {
  ArrayRef<int64_t> lhs = shapeOf(op->getOperand(0));
  ArrayRef<int64_t> rhs = shapeOf(op->getOperand(1));
  SmallVector<int64_t> broadcast;
  if (!OpTrait::util::getBroadcastedShape(lhs, rhs, broadcast))
    return op->emitOpError() << "operand shapes " << formatShape(lhs) << " and "
                             << formatShape(rhs) << " do not broadcast";
  return verifyResultShape(op, broadcast);
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MaximumOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MinimumOp::verify() { return verifyBroadcastBinary(*this); }

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());
  bool ranksOk = (lhs.size() == 2 && rhs.size() == 2) ||
                 (lhs.size() == 3 && (rhs.size() == 2 || rhs.size() == 3));
  if (!ranksOk)
    return emitOpError() << "expects [M,K]@[K,N], [B,M,K]@[K,N] or "
                            "[B,M,K]@[B,K,N], found "
                         << formatShape(lhs) << "@" << formatShape(rhs);
  int64_t lhsK = lhs.back(), rhsK = rhs[rhs.size() - 2];
  if (!dimsAgree(lhsK, rhsK))
    return emitOpError() << "inner dimensions differ: " << formatShape(lhs)
                         << "@" << formatShape(rhs) << " has K = " << lhsK
                         << " and " << rhsK;
  if (rhs.size() == 3 && !dimsAgree(lhs[0], rhs[0]))
    return emitOpError() << "batch dimensions differ: " << lhs[0] << " and "
                         << rhs[0];
  SmallVector<int64_t> expected(lhs.drop_back());
  expected.push_back(rhs.back());
  return verifyResultShape(*this, expected);
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPermutation();
  if (perm.size() != in.size())
    return emitOpError() << "permutation has " << perm.size()
                         << " entries for a rank-" << in.size() << " input";
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen[p])
      return emitOpError() << "permutation " << formatShape(perm)
                           << " is not a permutation of 0.." << in.size() - 1;
    seen[p] = true;
    expected.push_back(in[p]);
  }
  return verifyResultShape(*this, expected);
}

LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  int inDyn, outDyn;
  int64_t inCount = staticProduct(in, inDyn);
  int64_t outCount = staticProduct(out, outDyn);
  bool ok = (inDyn == 0 && outDyn == 0)
                ? inCount == outCount
                : inDyn > 0 && outDyn > 0 &&
                      (inCount % outCount == 0 || outCount % inCount == 0);
  if (ok)
    return success();
  return emitOpError() << "cannot reshape " << formatShape(in) << " ("
                       << (inDyn ? "N x " : "") << inCount << " elements) to "
                       << formatShape(out) << " (" << (outDyn ? "N x " : "")
                       << outCount << " elements)";
}

LogicalResult FlattenOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError() << "expects an input of rank 2 or more, found "
                         << formatShape(in);
  int numDyn;
  int64_t inner = staticProduct(in.drop_front(), numDyn);
  return verifyResultShape(*this, {in[0], numDyn ? kDyn : inner});
}

LogicalResult ConcatOp::verify() {
  ArrayRef<int64_t> first = shapeOf(getInputs()[0]);
  int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, first.size())))
    return failure();
  SmallVector<int64_t> expected(first);
  for (auto [i, input] : llvm::enumerate(getInputs().drop_front())) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (shape.size() != first.size())
      return emitOpError() << "input " << i + 1 << " has rank " << shape.size()
                           << ", expected " << first.size();
    for (int64_t d = 0, e = shape.size(); d < e; ++d) {
      if (d == axis) {
        expected[d] = (expected[d] == kDyn || shape[d] == kDyn)
                          ? kDyn
                          : expected[d] + shape[d];
      } else if (!dimsAgree(shape[d], first[d])) {
        return emitOpError() << "input " << i + 1 << " has shape "
                             << formatShape(shape) << ", which differs from "
                             << formatShape(first) << " in dimension " << d;
      }
    }
  }
  return verifyResultShape(*this, expected);
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

static LogicalResult verifyReduction(Operation *op, ArrayRef<int64_t> axes,
                                     bool keepdims) {
  ArrayRef<int64_t> in = shapeOf(op->getOperand(0));
  int64_t rank = in.size();
  SmallVector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    if (failed(verifyAxis(op, axis, rank)))
      return failure();
    if (reduced[axis])
      return op->emitOpError() << "axis " << axis << " is listed twice";
    reduced[axis] = true;
  }
  if (axes.empty())
    reduced.assign(rank, true);
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      expected.push_back(in[d]);
    else if (keepdims)
      expected.push_back(1);
  }
  return verifyResultShape(op, expected);
}

#define NN_REDUCTION_METHODS(OP)                                               \
  LogicalResult OP::verify() {                                                 \
    return verifyReduction(*this, getAxes(), getKeepdims());                   \
  }                                                                            \
  SmallVector<int64_t> OP::getReducedDims() {                                  \
    return reducedDims(getAxes(), getInput().getType().getRank());             \
  }
NN_REDUCTION_METHODS(SumOp)
NN_REDUCTION_METHODS(MeanOp)
NN_REDUCTION_METHODS(ReduceMaxOp)
#undef NN_REDUCTION_METHODS

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}
LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

static constexpr int64_t kNoFit = -1;

/// Output size of a window of `window` moving by `stride` over `size`
/// elements padded by `padding` on both sides; kNoFit when it does not fit.
static int64_t windowedSize(int64_t size, int64_t window, int64_t stride,
                            int64_t padding) {
  if (size == kDyn)
    return kDyn;
  int64_t padded = size + 2 * padding;
  return padded < window ? kNoFit : (padded - window) / stride + 1;
}

static LogicalResult verifyWindowAttrs(Operation *op, int64_t stride,
                                       int64_t padding) {
  if (stride < 1)
    return op->emitOpError() << "stride must be at least 1, found " << stride;
  if (padding < 0)
    return op->emitOpError()
           << "padding must not be negative, found " << padding;
  return success();
}

LogicalResult Conv2DOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getFilter());
  if (x.size() != 4)
    return emitOpError() << "expects an input [N,C,H,W], found "
                         << formatShape(x);
  if (w.size() != 4)
    return emitOpError() << "expects a filter [F,C,KH,KW], found "
                         << formatShape(w);
  if (!dimsAgree(x[1], w[1]))
    return emitOpError() << "input has " << x[1] << " channels but the filter "
                         << formatShape(w) << " expects " << w[1];
  if (failed(verifyWindowAttrs(*this, getStride(), getPadding())))
    return failure();
  int64_t h = windowedSize(x[2], w[2], getStride(), getPadding());
  int64_t wo = windowedSize(x[3], w[3], getStride(), getPadding());
  if (h == kNoFit || wo == kNoFit)
    return emitOpError() << "filter " << w[2] << "x" << w[3]
                         << " is larger than the padded input " << x[2] << "x"
                         << x[3];
  return verifyResultShape(*this, {x[0], w[0], h, wo});
}

static LogicalResult verifyPool(Operation *op, int64_t size, int64_t stride) {
  ArrayRef<int64_t> x = shapeOf(op->getOperand(0));
  if (x.size() != 4)
    return op->emitOpError()
           << "expects an input [N,C,H,W], found " << formatShape(x);
  if (size < 1)
    return op->emitOpError() << "size must be at least 1, found " << size;
  if (failed(verifyWindowAttrs(op, stride, 0)))
    return failure();
  int64_t h = windowedSize(x[2], size, stride, 0);
  int64_t w = windowedSize(x[3], size, stride, 0);
  if (h == kNoFit || w == kNoFit)
    return op->emitOpError()
           << "window " << size << "x" << size << " is larger than the input "
           << x[2] << "x" << x[3];
  return verifyResultShape(op, {x[0], x[1], h, w});
}

LogicalResult MaxPool2DOp::verify() {
  return verifyPool(*this, getSize(), getStride());
}
LogicalResult AvgPool2DOp::verify() {
  return verifyPool(*this, getSize(), getStride());
}

//===----------------------------------------------------------------------===//
// Training-related
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  float rate = getRate().convertToFloat();
  if (rate >= 0.0f && rate < 1.0f)
    return success();
  return emitOpError() << "rate must be in [0, 1), found " << rate;
}

LogicalResult CrossEntropyOp::verify() {
  ArrayRef<int64_t> logits = shapeOf(getLogits()),
                    labels = shapeOf(getLabels());
  if (logits.size() != 2)
    return emitOpError() << "expects logits [N,C], found "
                         << formatShape(logits);
  if (labels.size() != 1 || !dimsAgree(labels[0], logits[0]))
    return emitOpError() << "expects labels [N] for logits "
                         << formatShape(logits) << ", found "
                         << formatShape(labels);
  return success();
}

LogicalResult MseOp::verify() {
  ArrayRef<int64_t> pred = shapeOf(getPred()), target = shapeOf(getTarget());
  if (pred.size() == target.size() &&
      llvm::all_of(llvm::zip(pred, target), [](auto pair) {
        return dimsAgree(std::get<0>(pair), std::get<1>(pair));
      }))
    return success();
  return emitOpError() << "expects a target shaped like the prediction "
                       << formatShape(pred) << ", found "
                       << formatShape(target);
}

LogicalResult ArgmaxOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyAxis(*this, getAxis(), in.size())))
    return failure();
  SmallVector<int64_t> expected(in);
  expected.erase(expected.begin() + getAxis());
  return verifyResultShape(*this, expected);
}

#include "nn/Dialect/NN/IR/NNEnums.cpp.inc"

#define GET_OP_CLASSES
#include "nn/Dialect/NN/IR/NNOps.cpp.inc"
