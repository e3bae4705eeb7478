//===- TrainStep.cpp - the nn-build-train-step pass -----------------------===//
//
// Builds @train_step(inputs..., target, params..., states..., lr, step)
// -> (loss, new params..., new states...): forward, backward and the
// optimizer update in one function; and @apply_gradients(params...,
// grads..., states..., lr, step) -> (new params..., new states...), the same
// update alone, for data-parallel training where the gradients of a step
// are summed over processes between @gradients and the update; and
// @apply_gradients_slice, the update of a flat run of one parameter's
// elements, with which each process updates its own slice. Updates follow
// torch.optim (1.13's single-tensor SGD, Adam and AdamW), operation by
// operation, so that a step matches PyTorch to float32 rounding. Adam's bias
// corrections are computed on f64 scalars, as PyTorch computes them on Python
// floats.
//
//===----------------------------------------------------------------------===//

#include "Differentiate.h"
#include "nn/Dialect/NN/IR/NNOps.h"
#include "nn/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::nn {
#define GEN_PASS_DEF_BUILDTRAINSTEPPASS
#include "nn/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
/// `nn.train`'s optimizer: its hyper-parameters, and the state it keeps per
/// parameter.
struct Optimizer {
  OptimizerAttr attr;

  bool isAdam() const { return attr.getKind() != OptimizerKind::sgd; }
  bool isAdamW() const { return attr.getKind() == OptimizerKind::adamw; }
  SmallVector<StringRef> slots() const {
    if (isAdam())
      return {"exp_avg", "exp_avg_sq"};
    if (attr.getMomentum() != 0)
      return {"momentum"};
    return {};
  }
};

/// Emits the update at one location; scalars are f32 `tensor<f32>`s.
struct Updater {
  OpBuilder &b;
  Location loc;
  const Optimizer &opt;
  Value lr, negStepSize, bias2Sqrt, decay; // the last three for Adam(W)

  Value constant(double c) {
    auto t = RankedTensorType::get({}, b.getF32Type());
    return arith::ConstantOp::create(
        b, loc, t, DenseElementsAttr::get(t, b.getF32FloatAttr(c)));
  }
  template <typename OpT> Value bin(Value l, Value r) {
    return OpT::create(b, loc, l, r);
  }
  Value add(Value l, Value r) { return bin<AddOp>(l, r); }
  Value mul(Value l, Value r) { return bin<MulOp>(l, r); }
  Value mul(Value l, double c) { return mul(l, constant(c)); }

  /// Returns the new parameter; appends the new states.
  Value update(Value p, Value g, ValueRange state,
               SmallVectorImpl<Value> &out) {
    if (!opt.isAdam()) {
      if (opt.attr.getWeightDecay() != 0)
        g = add(g, mul(p, opt.attr.getWeightDecay()));
      if (opt.attr.getMomentum() != 0) {
        // buf = momentum * buf + g; a zero buffer gives PyTorch's first step.
        Value buf = add(mul(state[0], opt.attr.getMomentum()), g);
        out.push_back(buf);
        g = opt.attr.getNesterov() ? add(g, mul(buf, opt.attr.getMomentum()))
                                   : buf;
      }
      return bin<SubOp>(p, mul(lr, g));
    }
    if (opt.isAdamW())
      p = mul(p, decay);
    else if (opt.attr.getWeightDecay() != 0)
      g = add(g, mul(p, opt.attr.getWeightDecay()));
    Value m = add(mul(state[0], opt.attr.getBeta1()),
                  mul(g, 1 - opt.attr.getBeta1()));
    Value v = add(mul(state[1], opt.attr.getBeta2()),
                  mul(mul(g, 1 - opt.attr.getBeta2()), g));
    out.append({m, v});
    // p.addcdiv_(m, sqrt(v) / sqrt(bias2) + eps, value = -lr / bias1).
    Value sqrtV = SqrtOp::create(b, loc, v);
    Value denom =
        add(bin<DivOp>(sqrtV, bias2Sqrt), constant(opt.attr.getEps()));
    return add(p, bin<DivOp>(mul(negStepSize, m), denom));
  }

  /// Adam(W)'s per-step scalars from `lr` and `step` (f32 -> f64 -> f32).
  void emitAdamScalars(Value step) {
    Type f64 = b.getF64Type(), f32 = b.getF32Type();
    auto load = [&](Value t) -> Value {
      Value s = tensor::ExtractOp::create(b, loc, t, ValueRange{});
      return arith::ExtFOp::create(b, loc, f64, s);
    };
    auto c = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
    };
    auto store = [&](Value s) -> Value {
      Value f = arith::TruncFOp::create(b, loc, f32, s);
      return tensor::FromElementsOp::create(b, loc,
                                            RankedTensorType::get({}, f32), f);
    };
    Value t = load(step), lr64 = load(lr), one = c(1);
    Value bias1 = arith::SubFOp::create(
        b, loc, one, math::PowFOp::create(b, loc, c(opt.attr.getBeta1()), t));
    Value bias2 = arith::SubFOp::create(
        b, loc, one, math::PowFOp::create(b, loc, c(opt.attr.getBeta2()), t));
    Value stepSize = arith::DivFOp::create(b, loc, lr64, bias1);
    negStepSize = store(arith::NegFOp::create(b, loc, stepSize));
    bias2Sqrt = store(math::SqrtOp::create(b, loc, bias2));
    decay = store(arith::SubFOp::create(
        b, loc, one,
        arith::MulFOp::create(b, loc, lr64, c(opt.attr.getWeightDecay()))));
  }
};

struct BuildTrainStepPass
    : nn::impl::BuildTrainStepPassBase<BuildTrainStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::optional<TrainedModel>> found = findTrainedModel(module);
    if (failed(found))
      return signalPassFailure();
    if (!*found)
      return;
    const TrainedModel &m = **found;
    const Optimizer opt{m.train.getOptimizerOrDefault()};

    Builder a(&getContext());
    SmallVector<Type> argTypes, resultTypes;
    SmallVector<DictionaryAttr> argAttrs;
    appendDataAndParamArgs(m, argTypes, argAttrs);
    auto scalar = RankedTensorType::get({}, a.getF32Type());
    resultTypes.push_back(scalar);
    SmallVector<Type> stateTypes;
    for (unsigned i : m.params) {
      Type t = m.func.getArgument(i).getType();
      resultTypes.push_back(t);
      StringRef name = m.func.getArgAttrOfType<StringAttr>(i, "nn.param");
      for (StringRef slot : opt.slots()) {
        stateTypes.push_back(t);
        argAttrs.push_back(a.getDictionaryAttr(
            a.getNamedAttr("nn.state", a.getStringAttr(name + "." + slot))));
      }
    }
    argTypes.append(stateTypes);
    resultTypes.append(stateTypes);
    for (StringRef marker : {"nn.lr", "nn.step"}) {
      argTypes.push_back(scalar);
      argAttrs.push_back(
          a.getDictionaryAttr(a.getNamedAttr(marker, a.getUnitAttr())));
    }
    FailureOr<func::FuncOp> f =
        createFunc(module, m, "train_step", argTypes, argAttrs, resultTypes);
    if (failed(f))
      return signalPassFailure();

    ValueRange args = f->getArguments();
    size_t numInputs = m.inputs.size(), numParams = m.params.size();
    ValueRange params = args.slice(numInputs + 1, numParams);
    ValueRange states =
        args.slice(numInputs + 1 + numParams, stateTypes.size());
    OpBuilder b = OpBuilder::atBlockEnd(&f->getBody().front());
    Value loss;
    SmallVector<Value> grads;
    if (failed(emitLossAndGradients(b, m, args.take_front(numInputs),
                                    args[numInputs], params, args.back(),
                                    /*scale=*/nullptr, loss, grads)))
      return signalPassFailure();

    SmallVector<Value> results = {loss};
    emitUpdate(b, m, opt, params, grads, states, args[args.size() - 2],
               args.back(), results);
    func::ReturnOp::create(b, m.func.getLoc(), results);
    markUpdates(*f, /*firstResult=*/1, params, states);
    eraseDeadOps(*f);
    if (failed(buildApplyGradients(module, m, opt, stateTypes, argAttrs)) ||
        failed(buildApplyGradientsSlice(module, m, opt)))
      return signalPassFailure();
  }

  /// @apply_gradients_slice(param, grad, states..., lr, step) -> (param,
  /// states...): the same update of a flat run of any one parameter's
  /// elements (1-D, any length). Every update here is elementwise with the
  /// same hyper-parameters for all parameters, so the ranks of a
  /// data-parallel job can each update their own slice of all of them.
  LogicalResult buildApplyGradientsSlice(ModuleOp module, const TrainedModel &m,
                                         const Optimizer &opt) {
    Builder a(&getContext());
    auto flat = RankedTensorType::get({ShapedType::kDynamic}, a.getF32Type());
    auto scalar = RankedTensorType::get({}, a.getF32Type());
    auto marker = [&](StringRef key, const Twine &name) {
      return a.getDictionaryAttr(
          a.getNamedAttr(key, a.getStringAttr(name.str())));
    };
    SmallVector<Type> argTypes = {flat, flat}, resultTypes = {flat};
    SmallVector<DictionaryAttr> argAttrs = {marker("nn.param", "slice"),
                                            marker("nn.grad", "slice")};
    for (StringRef slot : opt.slots()) {
      argTypes.push_back(flat);
      resultTypes.push_back(flat);
      argAttrs.push_back(marker("nn.state", "slice." + slot));
    }
    for (StringRef key : {"nn.lr", "nn.step"}) {
      argTypes.push_back(scalar);
      argAttrs.push_back(
          a.getDictionaryAttr(a.getNamedAttr(key, a.getUnitAttr())));
    }
    FailureOr<func::FuncOp> f = createFunc(module, m, "apply_gradients_slice",
                                           argTypes, argAttrs, resultTypes);
    if (failed(f))
      return failure();
    ValueRange args = f->getArguments();
    size_t numSlots = opt.slots().size();
    OpBuilder b = OpBuilder::atBlockEnd(&f->getBody().front());
    SmallVector<Value> results;
    emitUpdate(b, m, opt, args.take_front(1), args.slice(1, 1),
               args.slice(2, numSlots), args[args.size() - 2], args.back(),
               results);
    func::ReturnOp::create(b, m.func.getLoc(), results);
    markUpdates(*f, /*firstResult=*/0, args.take_front(1),
                args.slice(2, numSlots));
    return success();
  }

  /// @apply_gradients(params..., grads..., states..., lr, step): the update
  /// of @train_step on gradients given as arguments (`nn.grad = "<param>"`).
  LogicalResult buildApplyGradients(ModuleOp module, const TrainedModel &m,
                                    const Optimizer &opt,
                                    ArrayRef<Type> stateTypes,
                                    ArrayRef<DictionaryAttr> stepAttrs) {
    Builder a(&getContext());
    SmallVector<Type> argTypes, resultTypes;
    SmallVector<DictionaryAttr> argAttrs;
    for (unsigned i : m.params) {
      argTypes.push_back(m.func.getArgument(i).getType());
      argAttrs.push_back(m.func.getArgAttrDict(i));
    }
    resultTypes.append(argTypes);
    for (unsigned i : m.params) {
      argTypes.push_back(m.func.getArgument(i).getType());
      argAttrs.push_back(a.getDictionaryAttr(
          a.getNamedAttr("nn.grad", m.func.getArgAttr(i, "nn.param"))));
    }
    argTypes.append(stateTypes.begin(), stateTypes.end());
    resultTypes.append(stateTypes.begin(), stateTypes.end());
    // The state, lr and step attributes are @train_step's last ones.
    argAttrs.append(stepAttrs.end() - stateTypes.size() - 2, stepAttrs.end());
    auto scalar = RankedTensorType::get({}, a.getF32Type());
    argTypes.append({scalar, scalar});
    FailureOr<func::FuncOp> f = createFunc(module, m, "apply_gradients",
                                           argTypes, argAttrs, resultTypes);
    if (failed(f))
      return failure();
    ValueRange args = f->getArguments();
    size_t numParams = m.params.size();
    OpBuilder b = OpBuilder::atBlockEnd(&f->getBody().front());
    SmallVector<Value> results;
    emitUpdate(b, m, opt, args.take_front(numParams),
               args.slice(numParams, numParams),
               args.slice(2 * numParams, stateTypes.size()),
               args[args.size() - 2], args.back(), results);
    func::ReturnOp::create(b, m.func.getLoc(), results);
    markUpdates(*f, /*firstResult=*/0, args.take_front(numParams),
                args.slice(2 * numParams, stateTypes.size()));
    return success();
  }

  /// Each new parameter or state result carries its argument's `nn.param` or
  /// `nn.state` attribute, so that a backend can write it in place.
  static void markUpdates(func::FuncOp f, unsigned firstResult,
                          ValueRange params, ValueRange states) {
    unsigned k = firstResult;
    for (ValueRange args : {params, states})
      for (Value arg : args) {
        unsigned i = cast<BlockArgument>(arg).getArgNumber();
        for (StringRef key : {"nn.param", "nn.state"})
          if (Attribute name = f.getArgAttr(i, key))
            f.setResultAttr(k, key, name);
        ++k;
      }
  }

  /// Appends the new parameters, then the new states, to `results`.
  static void emitUpdate(OpBuilder &b, const TrainedModel &m,
                         const Optimizer &opt, ValueRange params,
                         ValueRange grads, ValueRange states, Value lr,
                         Value step, SmallVectorImpl<Value> &results) {
    Updater up{b, m.func.getLoc(), opt, lr, {}, {}, {}};
    if (opt.isAdam())
      up.emitAdamScalars(step);
    SmallVector<Value> newStates;
    size_t numSlots = opt.slots().size();
    for (auto [i, p] : llvm::enumerate(params))
      results.push_back(up.update(
          p, grads[i], states.slice(i * numSlots, numSlots), newStates));
    results.append(newStates);
  }
};
} // namespace
