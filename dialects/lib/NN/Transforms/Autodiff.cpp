//===- Autodiff.cpp - the nn-autodiff pass --------------------------------===//
//
// Builds @gradients(inputs..., target, params...) -> (loss, grads...), the
// entry `gradcheck` calls (docs/design.md, runtime ABI).
//
//===----------------------------------------------------------------------===//

#include "Differentiate.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace mlir::nn {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "nn/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
struct AutodiffPass : nn::impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::optional<TrainedModel>> found = findTrainedModel(module);
    if (failed(found))
      return signalPassFailure();
    if (!*found)
      return;
    const TrainedModel &m = **found;

    SmallVector<Type> argTypes, resultTypes;
    SmallVector<DictionaryAttr> argAttrs;
    appendDataAndParamArgs(m, argTypes, argAttrs);
    Builder attrs(&getContext());
    SmallVector<DictionaryAttr> resultAttrs = {attrs.getDictionaryAttr(
        attrs.getNamedAttr("nn.loss", attrs.getUnitAttr()))};
    resultTypes.push_back(RankedTensorType::get({}, attrs.getF32Type()));
    for (unsigned i : m.params) {
      resultTypes.push_back(m.func.getArgument(i).getType());
      resultAttrs.push_back(attrs.getDictionaryAttr(
          attrs.getNamedAttr("nn.grad", m.func.getArgAttr(i, "nn.param"))));
    }
    FailureOr<func::FuncOp> f = createFunc(module, m, "gradients", argTypes,
                                           argAttrs, resultTypes);
    if (failed(f))
      return signalPassFailure();
    f->setAllResultAttrs(resultAttrs);

    ValueRange args = f->getArguments();
    unsigned numInputs = m.inputs.size();
    OpBuilder b = OpBuilder::atBlockEnd(&f->getBody().front());
    // A fixed step: every call draws the same dropout masks, so gradcheck's
    // finite differences see the same function as the gradient.
    auto scalar = RankedTensorType::get({}, b.getF32Type());
    Value step = arith::ConstantOp::create(
        b, m.func.getLoc(), scalar,
        DenseElementsAttr::get(scalar, b.getF32FloatAttr(0)));
    Value loss;
    SmallVector<Value> results;
    if (failed(emitLossAndGradients(b, m, args.take_front(numInputs),
                                    args[numInputs],
                                    args.drop_front(numInputs + 1), step, loss,
                                    results)))
      return signalPassFailure();
    results.insert(results.begin(), loss);
    func::ReturnOp::create(b, m.func.getLoc(), results);
    eraseDeadOps(*f);
  }
};
} // namespace
