//===- NNGradients.cpp - vector-Jacobian products of the nn ops -----------===//
//
// GradientOpInterface::buildGradients for every differentiable op, one method
// per op. Rules follow PyTorch's derivatives.yaml, including the order of
// floating-point operations where it is cheap to match, so that gradients
// agree with PyTorch to float32 rounding.
//
//===----------------------------------------------------------------------===//

#include "TypeShapes.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::nn;

static constexpr int64_t kDyn = ShapedType::kDynamic;

namespace {
/// Builds nn ops at one location; result types follow the shape rules.
struct Emitter {
  OpBuilder &b;
  Location loc;

  static RankedTensorType type(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  static RankedTensorType f32(ArrayRef<int64_t> shape, MLIRContext *ctx) {
    return RankedTensorType::get(shape, Float32Type::get(ctx));
  }

  /// `arith.constant dense<c> : tensor<f32>`, which broadcasts to anything.
  Value scalar(double c) {
    auto t = f32({}, b.getContext());
    return arith::ConstantOp::create(
        b, loc, t, DenseElementsAttr::get(t, b.getF32FloatAttr(c)));
  }

  template <typename OpT> Value bin(Value l, Value r) {
    return OpT::create(b, loc, l, r);
  }
  Value add(Value l, Value r) { return bin<AddOp>(l, r); }
  Value sub(Value l, Value r) { return bin<SubOp>(l, r); }
  Value mul(Value l, Value r) { return bin<MulOp>(l, r); }
  Value div(Value l, Value r) { return bin<DivOp>(l, r); }
  Value mul(Value l, double c) { return mul(l, scalar(c)); }
  template <typename OpT> Value unary(Value x) {
    return OpT::create(b, loc, x);
  }
  Value neg(Value x) { return unary<NegOp>(x); }
  Value compare(Value l, Value r, ComparePredicate predicate) {
    return CompareOp::create(b, loc, predicate, l, r);
  }

  Value reshape(Value v, Type t) {
    return v.getType() == t ? v : ReshapeOp::create(b, loc, t, v).getResult();
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    return TransposeOp::create(b, loc, v, perm);
  }
  /// Swaps the last two dimensions.
  Value transposeLast2(Value v) {
    SmallVector<int64_t> perm =
        llvm::to_vector(llvm::seq<int64_t>(0, type(v).getRank()));
    std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
    return transpose(v, perm);
  }
  Value sum(Value v, ArrayRef<int64_t> axes, bool keepdims) {
    return SumOp::create(b, loc, v, axes, keepdims);
  }

  /// Undoes broadcasting: sums `g` over the dimensions that broadcasting
  /// added or stretched, then gives it the operand's type.
  Value unbroadcast(Value g, Type operandType) {
    ArrayRef<int64_t> gs = type(g).getShape();
    ArrayRef<int64_t> os = cast<RankedTensorType>(operandType).getShape();
    int64_t lead = gs.size() - os.size();
    SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, lead));
    for (auto [i, d] : llvm::enumerate(os))
      if (d == 1 && gs[lead + i] != 1)
        axes.push_back(lead + i);
    if (!axes.empty())
      g = sum(g, axes, /*keepdims=*/false);
    return reshape(g, operandType);
  }

  /// `g`, the adjoint of a reduction of `input` over `axes`, with the
  /// reduced dimensions restored as size 1 (so it broadcasts against input).
  Value keepReducedDims(Value g, Value input, ArrayRef<int64_t> axes) {
    if (type(g).getRank() == 0)
      return g;
    TypeShapes shapes(SumOp::getOperationName(), input.getType());
    SmallVector<int64_t> reduced(axes);
    std::optional<shapes::Dims> kept =
        shapes.rules().reduce(reduced, /*keepdims=*/true);
    assert(kept && "the reduction being differentiated verified");
    return reshape(g, f32(*kept, b.getContext()));
  }
  Value broadcastTo(Value g, Value like) {
    return BroadcastToOp::create(b, loc, g, like);
  }

  /// The number of elements over `axes` of `v`: a constant when static.
  Value count(Value v, ArrayRef<int64_t> axes) {
    int64_t n = 1;
    for (int64_t a : axes)
      n *= type(v).getDimSize(a);
    if (llvm::any_of(axes, [&](int64_t a) { return type(v).isDynamicDim(a); }))
      return NumElementsOp::create(b, loc, v, axes);
    return scalar(n);
  }

  /// `c / n` with `n` the number of elements over `axes` of `v`; a constant
  /// computed in double (as PyTorch's scalars) when the shape is static.
  Value perCount(double c, Value v, ArrayRef<int64_t> axes) {
    int64_t n = 1;
    for (int64_t a : axes) {
      int64_t d = type(v).getDimSize(a);
      if (d == kDyn)
        return div(scalar(c), NumElementsOp::create(b, loc, v, axes));
      n *= d;
    }
    return scalar(c / n);
  }
};
} // namespace

static Emitter emitter(OpBuilder &b, Operation *op) {
  return Emitter{b, op->getLoc()};
}

static SmallVector<int64_t> allDims(Value v) {
  return llvm::to_vector(
      llvm::seq<int64_t>(0, cast<RankedTensorType>(v.getType()).getRank()));
}

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

/// Appends the adjoints of a broadcasting binary op's operands, given the
/// adjoints as computed in the result's (broadcast) shape.
static LogicalResult unbroadcastBoth(Emitter e, Operation *op, Value gl,
                                     Value gr, SmallVectorImpl<Value> &out) {
  out.push_back(e.unbroadcast(gl, op->getOperand(0).getType()));
  out.push_back(e.unbroadcast(gr, op->getOperand(1).getType()));
  return success();
}

LogicalResult AddOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return unbroadcastBoth(emitter(b, *this), *this, grads[0], grads[0], out);
}

LogicalResult SubOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  return unbroadcastBoth(e, *this, grads[0], e.neg(grads[0]), out);
}

LogicalResult MulOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value g = grads[0];
  return unbroadcastBoth(e, *this, e.mul(g, getRhs()), e.mul(g, getLhs()), out);
}

LogicalResult DivOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  // d/drhs (l / r) = -g * l / (r * r), as PyTorch.
  Emitter e = emitter(b, *this);
  Value g = grads[0], r = getRhs();
  Value gr = e.neg(e.div(e.mul(g, getLhs()), e.mul(r, r)));
  return unbroadcastBoth(e, *this, e.div(g, r), gr, out);
}

/// Adjoint of `a` in `maximum(a, b)` (`gt`, `ge`) or `minimum` (`lt`, `le`):
/// all of `g` where `a` wins, half on ties, as PyTorch.
static Value winnerGrad(Emitter e, Value g, Value a, Value b,
                        ComparePredicate strict, ComparePredicate loose) {
  Value twice = e.add(e.compare(a, b, strict), e.compare(a, b, loose));
  return e.mul(e.mul(g, twice), 0.5);
}

LogicalResult MaximumOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value l = getLhs(), r = getRhs(), g = grads[0];
  return unbroadcastBoth(
      e, *this,
      winnerGrad(e, g, l, r, ComparePredicate::gt, ComparePredicate::ge),
      winnerGrad(e, g, r, l, ComparePredicate::gt, ComparePredicate::ge), out);
}

LogicalResult MinimumOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value l = getLhs(), r = getRhs(), g = grads[0];
  return unbroadcastBoth(
      e, *this,
      winnerGrad(e, g, l, r, ComparePredicate::lt, ComparePredicate::le),
      winnerGrad(e, g, r, l, ComparePredicate::lt, ComparePredicate::le), out);
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

LogicalResult NegOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  out.push_back(emitter(b, *this).neg(grads[0]));
  return success();
}

LogicalResult ExpOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  out.push_back(emitter(b, *this).mul(grads[0], getResult()));
  return success();
}

LogicalResult LogOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  out.push_back(emitter(b, *this).div(grads[0], getInput()));
  return success();
}

LogicalResult SqrtOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  out.push_back(e.div(grads[0], e.mul(e.scalar(2), getResult())));
  return success();
}

LogicalResult TanhOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value y = getResult();
  out.push_back(e.mul(grads[0], e.sub(e.scalar(1), e.mul(y, y))));
  return success();
}

LogicalResult SigmoidOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value y = getResult();
  out.push_back(e.mul(e.mul(grads[0], e.sub(e.scalar(1), y)), y));
  return success();
}

LogicalResult ReluOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  out.push_back(e.mul(
      grads[0], e.compare(getInput(), e.scalar(0), ComparePredicate::gt)));
  return success();
}

LogicalResult LeakyReluOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  // g * (x > 0 + alpha * (x <= 0)): exactly g or alpha * g.
  Emitter e = emitter(b, *this);
  Value x = getInput(), zero = e.scalar(0);
  Value slope = e.add(e.compare(x, zero, ComparePredicate::gt),
                      e.mul(e.compare(x, zero, ComparePredicate::le),
                            getAlpha().convertToDouble()));
  out.push_back(e.mul(grads[0], slope));
  return success();
}

LogicalResult AbsOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value x = getInput(), zero = e.scalar(0);
  Value sign = e.sub(e.compare(x, zero, ComparePredicate::gt),
                     e.compare(x, zero, ComparePredicate::lt));
  out.push_back(e.mul(grads[0], sign));
  return success();
}

LogicalResult PowOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  double p = getExponent().convertToDouble();
  if (p == 0) {
    out.push_back(e.mul(grads[0], 0.0));
    return success();
  }
  Value xp = PowOp::create(b, getLoc(), getInput(), b.getF32FloatAttr(p - 1));
  out.push_back(e.mul(grads[0], e.mul(xp, p)));
  return success();
}

LogicalResult GeluOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  // PyTorch's GeluBackward with approximate = "tanh".
  Emitter e = emitter(b, *this);
  const double kBeta = std::sqrt(2.0 / M_PI), kKappa = 0.044715;
  Value x = getInput();
  Value xSq = e.mul(x, x);
  Value inner = e.mul(e.add(x, e.mul(e.mul(xSq, x), kKappa)), kBeta);
  Value t = e.unary<TanhOp>(inner);
  Value left = e.mul(x, 0.5);
  Value leftD = e.mul(e.add(t, e.scalar(1)), 0.5);
  Value tanhD = e.sub(e.scalar(1), e.mul(t, t));
  Value innerD = e.mul(e.add(e.mul(xSq, 3 * kKappa), e.scalar(1)), kBeta);
  Value rightD = e.mul(e.mul(left, tanhD), innerD);
  out.push_back(e.mul(grads[0], e.add(leftD, rightD)));
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value g = grads[0], l = getLhs(), r = getRhs();
  out.push_back(MatmulOp::create(b, getLoc(), g, e.transposeLast2(r)));
  if (e.type(l).getRank() == 3 && e.type(r).getRank() == 2) {
    // A shared [K,N] right operand: fold the batch into the rows.
    int64_t m = e.type(l).getDimSize(1), n = e.type(g).getDimSize(2);
    int64_t bDim = e.type(l).getDimSize(0);
    int64_t rows = bDim == kDyn || m == kDyn ? kDyn : bDim * m;
    Value l2 =
        e.reshape(l, e.f32({rows, e.type(l).getDimSize(2)}, getContext()));
    Value g2 = e.reshape(g, e.f32({rows, n}, getContext()));
    out.push_back(MatmulOp::create(b, getLoc(), e.transposeLast2(l2), g2));
    return success();
  }
  out.push_back(MatmulOp::create(b, getLoc(), e.transposeLast2(l), g));
  return success();
}

LogicalResult TransposeOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  out.push_back(TransposeOp::create(b, getLoc(), grads[0], inverse));
  return success();
}

LogicalResult ReshapeOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  out.push_back(emitter(b, *this).reshape(grads[0], getInput().getType()));
  return success();
}

LogicalResult FlattenOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  out.push_back(emitter(b, *this).reshape(grads[0], getInput().getType()));
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  int64_t axis = getAxis(), offset = 0;
  for (Value input : getInputs()) {
    int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(axis);
    if (size == kDyn)
      return emitOpError("cannot differentiate a concat along a dynamic axis");
    out.push_back(
        SliceOp::create(b, getLoc(), input.getType(), grads[0], axis, offset));
    offset += size;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

LogicalResult SumOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value g = e.keepReducedDims(grads[0], getInput(), getReducedDims());
  out.push_back(e.broadcastTo(g, getInput()));
  return success();
}

LogicalResult MeanOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  SmallVector<int64_t> axes = getReducedDims();
  Value g = e.keepReducedDims(grads[0], getInput(), axes);
  out.push_back(e.div(e.broadcastTo(g, getInput()), e.count(getInput(), axes)));
  return success();
}

LogicalResult ReduceMaxOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  // Split evenly between tied maxima, as PyTorch's amax.
  Emitter e = emitter(b, *this);
  SmallVector<int64_t> axes = getReducedDims();
  Value x = getInput();
  Value max = e.keepReducedDims(getResult(), x, axes);
  Value mask = e.compare(x, max, ComparePredicate::eq);
  Value ties = e.sum(mask, axes, /*keepdims=*/true);
  Value g = e.keepReducedDims(grads[0], x, axes);
  out.push_back(e.mul(e.div(g, ties), mask));
  return success();
}

LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value y = getResult(), g = grads[0];
  Value dot = e.sum(e.mul(g, y), {(int64_t)getAxis()}, /*keepdims=*/true);
  out.push_back(e.mul(y, e.sub(g, dot)));
  return success();
}

LogicalResult LogSoftmaxOp::buildGradients(OpBuilder &b, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  Emitter e = emitter(b, *this);
  Value g = grads[0];
  Value total = e.sum(g, {(int64_t)getAxis()}, /*keepdims=*/true);
  out.push_back(e.sub(g, e.mul(e.unary<ExpOp>(getResult()), total)));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  ArrayRef<int64_t> w = getFilter().getType().getShape();
  int64_t padding = getPadding();
  if (padding >= w[2] || padding >= w[3])
    return emitOpError("cannot differentiate a conv2d whose padding is not "
                       "smaller than its filter");
  out.push_back(Conv2DInputGradOp::create(b, getLoc(), getInput().getType(),
                                          grads[0], getFilter(), getStride(),
                                          getPadding()));
  out.push_back(Conv2DFilterGradOp::create(b, getLoc(), getFilter().getType(),
                                           getInput(), grads[0], getStride(),
                                           getPadding()));
  return success();
}

LogicalResult MaxPool2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  out.push_back(MaxPool2DGradOp::create(b, getLoc(), grads[0], getInput(),
                                        getSize(), getStride()));
  return success();
}

LogicalResult AvgPool2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  out.push_back(AvgPool2DGradOp::create(b, getLoc(), getInput().getType(),
                                        grads[0], getSize(), getStride()));
  return success();
}

//===----------------------------------------------------------------------===//
// Training-related
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  // Only the identity (rate 0) reaches here: the training passes replace a
  // dropout with rate > 0 by `x * nn.dropout_mask` (Differentiate.cpp).
  if (!getRate().isZero())
    return emitOpError("dropout with rate > 0 must be replaced by a mask "
                       "before differentiation");
  out.push_back(grads[0]);
  return success();
}

LogicalResult DropoutMaskOp::buildGradients(OpBuilder &b, ValueRange grads,
                                            SmallVectorImpl<Value> &out) {
  // The mask is piecewise constant: no gradient to `like` or `step`.
  out.append({Value(), Value()});
  return success();
}

LogicalResult CrossEntropyOp::buildGradients(OpBuilder &b, ValueRange grads,
                                             SmallVectorImpl<Value> &out) {
  out.push_back(CrossEntropyGradOp::create(b, getLoc(), getLogits(),
                                           getLabels(), grads[0]));
  out.push_back(Value()); // Integer labels have no gradient.
  return success();
}

LogicalResult MseOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  // PyTorch: (2 / numel) * (pred - target) * g.
  Emitter e = emitter(b, *this);
  Value norm = e.perCount(2, getPred(), allDims(getPred()));
  Value d = e.mul(e.mul(norm, e.sub(getPred(), getTarget())), grads[0]);
  Value dPred = e.reshape(d, getPred().getType());
  out.push_back(dPred);
  out.push_back(e.reshape(e.neg(d), getTarget().getType()));
  return success();
}
