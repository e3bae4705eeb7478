//===- Autodiff.cpp - the nn-autodiff pass --------------------------------===//
//
// Builds @gradients(inputs..., target, params..., step, scale) -> (loss,
// grads...) of `scale` times the loss, the entry `gradcheck` calls with
// step 0 and scale 1 and data-parallel training (MPI) calls on each rank's
// shard, with its share of the global batch as the scale (docs/design.md,
// runtime ABI).
//
//===----------------------------------------------------------------------===//

#include "Differentiate.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/Transforms/Passes.h"

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
    auto scalar = RankedTensorType::get({}, attrs.getF32Type());
    for (StringRef marker : {"nn.step", "nn.loss_scale"}) {
      argTypes.push_back(scalar);
      argAttrs.push_back(attrs.getDictionaryAttr(
          attrs.getNamedAttr(marker, attrs.getUnitAttr())));
    }
    SmallVector<DictionaryAttr> resultAttrs = {attrs.getDictionaryAttr(
        attrs.getNamedAttr("nn.loss", attrs.getUnitAttr()))};
    resultTypes.push_back(scalar);
    for (unsigned i : m.params) {
      resultTypes.push_back(m.func.getArgument(i).getType());
      resultAttrs.push_back(attrs.getDictionaryAttr(
          attrs.getNamedAttr("nn.grad", m.func.getArgAttr(i, "nn.param"))));
    }
    FailureOr<func::FuncOp> f =
        createFunc(module, m, "gradients", argTypes, argAttrs, resultTypes);
    if (failed(f))
      return signalPassFailure();
    f->setAllResultAttrs(resultAttrs);

    ValueRange args = f->getArguments();
    unsigned numInputs = m.inputs.size();
    OpBuilder b = OpBuilder::atBlockEnd(&f->getBody().front());
    // `step` picks the dropout masks: gradcheck passes the same step to
    // every call, so its finite differences see the same function as the
    // gradient.
    Value loss;
    SmallVector<Value> results;
    if (failed(emitLossAndGradients(
            b, m, args.take_front(numInputs), args[numInputs],
            args.slice(numInputs + 1, m.params.size()), args[args.size() - 2],
            args.back(), loss, results)))
      return signalPassFailure();
    results.insert(results.begin(), loss);
    func::ReturnOp::create(b, m.func.getLoc(), results);
    eraseDeadOps(*f);
  }
};
} // namespace
