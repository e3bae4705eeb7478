//===- NNFolds.cpp - folds of the nn ops ----------------------------------===//
//
// Identities that hold bit for bit in IEEE arithmetic (x * 1, x / 1, x - 0,
// x + -0; not x + 0, which turns -0 into +0), and shape ops that undo or
// repeat each other. An identity folds only when it drops no broadcast.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/Sequence.h"

using namespace mlir;
using namespace mlir::nn;

/// The value of a splat float constant, if `constant` is one.
static std::optional<APFloat> splatFloat(Attribute constant) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(constant);
  if (!splat || !isa<FloatType>(splat.getElementType()))
    return std::nullopt;
  return splat.getSplatValue<APFloat>();
}

static bool isOne(Attribute constant) {
  std::optional<APFloat> v = splatFloat(constant);
  return v && v->isExactlyValue(1.0);
}

/// `x`, when the op's result has x's type.
static OpFoldResult identity(Value x, Value result) {
  return x.getType() == result.getType() ? OpFoldResult(x) : OpFoldResult();
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isOne(adaptor.getRhs()))
    return identity(getLhs(), getResult());
  if (isOne(adaptor.getLhs()))
    return identity(getRhs(), getResult());
  return {};
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return isOne(adaptor.getRhs()) ? identity(getLhs(), getResult())
                                 : OpFoldResult();
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  std::optional<APFloat> rhs = splatFloat(adaptor.getRhs());
  return rhs && rhs->isPosZero() ? identity(getLhs(), getResult())
                                 : OpFoldResult();
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  auto isNegZero = [](Attribute a) {
    std::optional<APFloat> v = splatFloat(a);
    return v && v->isNegZero();
  };
  if (isNegZero(adaptor.getRhs()))
    return identity(getLhs(), getResult());
  if (isNegZero(adaptor.getLhs()))
    return identity(getRhs(), getResult());
  return {};
}

OpFoldResult MaximumOp::fold(FoldAdaptor) { return {}; }
OpFoldResult MinimumOp::fold(FoldAdaptor) { return {}; }

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  auto isIdentity = [](ArrayRef<int64_t> p) {
    return llvm::equal(p, llvm::seq<int64_t>(0, p.size()));
  };
  if (isIdentity(perm))
    return identity(getInput(), getResult());
  auto inner = getInput().getDefiningOp<TransposeOp>();
  if (!inner)
    return {};
  // Result dimension i is inner's result dimension perm[i], which is the
  // inner input's dimension innerPerm[perm[i]].
  SmallVector<int64_t> composed;
  for (int64_t p : perm)
    composed.push_back(inner.getPermutation()[p]);
  if (isIdentity(composed))
    return identity(inner.getInput(), getResult());
  getInputMutable().assign(inner.getInput());
  setPermutation(composed);
  return getResult();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Both keep row-major order, so only the last shape matters.
  Operation *inner = getInput().getDefiningOp();
  if (isa_and_nonnull<ReshapeOp, FlattenOp>(inner)) {
    getInputMutable().assign(inner->getOperand(0));
    return getResult();
  }
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  return identity(getInput(), getResult());
}
