//===- Differentiate.cpp - forward copy, loss and reverse sweep -----------===//
//
// Reverse-mode AD over one block: clone the model's forward ops, apply the
// loss, then visit the ops backwards and ask each one (through
// GradientOpInterface) for the adjoints of its operands. Only values that
// depend on a parameter ("active" values) get adjoints.
//
//===----------------------------------------------------------------------===//

#include "Differentiate.h"
#include "nn/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::nn;

FailureOr<std::optional<TrainedModel>> nn::findTrainedModel(ModuleOp module) {
  std::optional<TrainedModel> found;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(kModelAttr) || !f->hasAttr(kTrainAttr))
      continue;
    auto train = f->getAttrOfType<TrainAttr>(kTrainAttr);
    if (!train)
      return f.emitError("nn.train must be a #nn.train<...> attribute");
    if (found)
      return f.emitError("more than one model function has a train block");
    TrainedModel m{f, train, {}, {}, {}};
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
      if (f.getArgAttr(i, "nn.param"))
        m.params.push_back(i);
      else if (f.getArgAttr(i, "nn.input"))
        m.inputs.push_back(i);
      else
        return f.emitError()
               << "argument " << i << " is neither nn.input nor nn.param";
    }
    if (f.getNumResults() != 1 || !f.getBody().hasOneBlock())
      return f.emitError("a trained model has one block and one result");
    auto out = dyn_cast<RankedTensorType>(f.getResultTypes()[0]);
    if (!out || !out.getElementType().isF32())
      return f.emitError("a trained model returns an f32 tensor");
    if (train.getLoss() == LossKind::cross_entropy) {
      if (out.getRank() != 2)
        return f.emitError("cross_entropy needs logits [N,C], found ") << out;
      m.targetType = RankedTensorType::get(
          {out.getDimSize(0)}, IntegerType::get(f.getContext(), 32));
    } else {
      m.targetType = out;
    }
    found = m;
  }
  return found;
}

void nn::appendDataAndParamArgs(const TrainedModel &m,
                                SmallVectorImpl<Type> &types,
                                SmallVectorImpl<DictionaryAttr> &attrs) {
  auto add = [&](unsigned i) {
    types.push_back(m.func.getArgument(i).getType());
    attrs.push_back(m.func.getArgAttrDict(i));
  };
  llvm::for_each(m.inputs, add);
  types.push_back(m.targetType);
  Builder b(m.func.getContext());
  attrs.push_back(
      b.getDictionaryAttr(b.getNamedAttr("nn.target", b.getUnitAttr())));
  llvm::for_each(m.params, add);
}

FailureOr<func::FuncOp> nn::createFunc(ModuleOp module, const TrainedModel &m,
                                       StringRef name, ArrayRef<Type> argTypes,
                                       ArrayRef<DictionaryAttr> argAttrs,
                                       ArrayRef<Type> resultTypes) {
  if (module.lookupSymbol(name))
    return m.func.emitError() << "the module already has a symbol @" << name;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto type = b.getFunctionType(argTypes, resultTypes);
  auto f = func::FuncOp::create(b, m.func.getLoc(), name, type);
  f.setAllArgAttrs(argAttrs);
  f.addEntryBlock();
  return f;
}

static bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

static Value splat(OpBuilder &b, Location loc, Type type, float c) {
  auto t = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      b, loc, t, DenseElementsAttr::get(t, b.getF32FloatAttr(c)));
}

/// Marks the float results of ops reached from the parameters. An op that
/// would carry a gradient but cannot compute one is an error.
static LogicalResult markActive(ArrayRef<Operation *> ops, ValueRange params,
                                DenseSet<Value> &active) {
  active.insert(params.begin(), params.end());
  for (Operation *op : ops) {
    if (!llvm::any_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    SmallVector<Value> floats =
        llvm::filter_to_vector(ValueRange(op->getResults()), isFloatTensor);
    if (floats.empty())
      continue; // argmax and other integer results stop gradients.
    if (!isa<GradientOpInterface>(op))
      return op->emitOpError("is not differentiable");
    active.insert(floats.begin(), floats.end());
  }
  return success();
}

/// Visits `ops` backwards, accumulating operand adjoints into `adjoint`.
static LogicalResult reverseSweep(OpBuilder &b, ArrayRef<Operation *> ops,
                                  const DenseSet<Value> &active,
                                  DenseMap<Value, Value> &adjoint) {
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return adjoint.contains(r); }))
      continue;
    auto iface = dyn_cast<GradientOpInterface>(op);
    if (!iface)
      return op->emitOpError("is not differentiable");
    SmallVector<Value> resultGrads, operandGrads;
    for (Value r : op->getResults()) {
      Value g = adjoint.lookup(r);
      resultGrads.push_back(g ? g : splat(b, op->getLoc(), r.getType(), 0));
    }
    if (failed(iface.buildGradients(b, resultGrads, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitOpError("gradient rule gave ")
             << operandGrads.size() << " adjoints for " << op->getNumOperands()
             << " operands";
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!grad || !active.contains(operand))
        continue;
      if (grad.getType() != operand.getType())
        return op->emitOpError("gradient rule gave ")
               << grad.getType() << " for an operand of type "
               << operand.getType();
      Value &acc = adjoint[operand];
      acc = acc ? AddOp::create(b, op->getLoc(), acc, grad).getResult() : grad;
    }
  }
  return success();
}

LogicalResult nn::emitLossAndGradients(OpBuilder &b, const TrainedModel &m,
                                       ValueRange inputs, Value target,
                                       ValueRange params, Value step,
                                       Value scale, Value &loss,
                                       SmallVectorImpl<Value> &grads) {
  IRMapping map;
  for (auto [i, v] : llvm::zip(m.inputs, inputs))
    map.map(m.func.getArgument(i), v);
  for (auto [i, v] : llvm::zip(m.params, params))
    map.map(m.func.getArgument(i), v);
  int64_t seed = m.train.getSeed(), salt = 0;
  SmallVector<Operation *> ops;
  Block &body = m.func.getBody().front();
  for (Operation &op : body.without_terminator()) {
    auto dropout = dyn_cast<DropoutOp>(op);
    if (!dropout || dropout.getRate().isZero()) {
      ops.push_back(b.clone(op, map));
      continue;
    }
    // Training dropout: y = x * mask; the backward pass of nn.mul then
    // multiplies the adjoint by the same mask.
    Value x = map.lookupOrDefault(dropout.getInput());
    auto mask = DropoutMaskOp::create(
        b, op.getLoc(), x, step, dropout.getRateAttr(),
        b.getI64IntegerAttr(seed), b.getI64IntegerAttr(salt++));
    auto y = MulOp::create(b, op.getLoc(), x, mask);
    ops.append({mask, y});
    map.map(dropout.getResult(), y.getResult());
  }
  Value output = map.lookupOrDefault(body.getTerminator()->getOperand(0));

  Location loc = m.func.getLoc();
  Operation *lossOp =
      m.train.getLoss() == LossKind::mse
          ? MseOp::create(b, loc, output, target).getOperation()
          : CrossEntropyOp::create(b, loc, output, target).getOperation();
  ops.push_back(lossOp);
  loss = lossOp->getResult(0);
  if (scale) {
    // The scaled loss is differentiated like any other op: its adjoint
    // rule multiplies the seed by `scale`.
    auto scaled = MulOp::create(b, loc, loss, scale);
    ops.push_back(scaled);
    loss = scaled.getResult();
  }

  DenseSet<Value> active;
  if (failed(markActive(ops, params, active)))
    return failure();
  DenseMap<Value, Value> adjoint;
  if (active.contains(loss)) {
    adjoint[loss] = splat(b, loc, loss.getType(), 1);
    if (failed(reverseSweep(b, ops, active, adjoint)))
      return failure();
  }
  for (Value p : params) {
    Value g = adjoint.lookup(p);
    grads.push_back(g ? g : splat(b, loc, p.getType(), 0));
  }
  return success();
}

void nn::eraseDeadOps(func::FuncOp f) {
  SmallVector<Operation *> ops;
  f.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
}
