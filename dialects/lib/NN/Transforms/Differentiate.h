//===- Differentiate.h - reverse sweep shared by the passes -----*- C++ -*-===//
//
// Internal to the nn transforms: what @gradients and @train_step share.
//
//===----------------------------------------------------------------------===//

#ifndef NN_LIB_NN_TRANSFORMS_DIFFERENTIATE_H
#define NN_LIB_NN_TRANSFORMS_DIFFERENTIATE_H

#include "nn/Dialect/NN/IR/NNAttributes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::nn {

/// A model function with a train block, and where its arguments are.
struct TrainedModel {
  mutable func::FuncOp func; // op handles are not const-correct
  TrainAttr train;
  SmallVector<unsigned> inputs, params;
  Type targetType;
};

/// Finds the `nn.model` function carrying `nn.train`; std::nullopt when the
/// module has none (nothing to train), failure after an error.
FailureOr<std::optional<TrainedModel>> findTrainedModel(ModuleOp module);

/// Argument types and attributes `inputs..., target, params...`.
void appendDataAndParamArgs(const TrainedModel &m, SmallVectorImpl<Type> &types,
                            SmallVectorImpl<DictionaryAttr> &attrs);

/// Creates an empty function `name` at the end of the module, with an entry
/// block; errors if the name is taken.
FailureOr<func::FuncOp> createFunc(ModuleOp module, const TrainedModel &m,
                                   StringRef name, ArrayRef<Type> argTypes,
                                   ArrayRef<DictionaryAttr> argAttrs,
                                   ArrayRef<Type> resultTypes);

/// At `b`'s insertion point: the model's forward pass on `inputs` and
/// `params`, its loss against `target`, and the reverse sweep. Sets `loss`
/// and appends one gradient per parameter to `grads`. A dropout with rate > 0
/// becomes `x * nn.dropout_mask(x, step)` (`step`: an f32 scalar that, with
/// the train seed and the dropout's position, picks the mask). A non-null
/// `scale` (an f32 scalar) multiplies the loss before it is differentiated.
LogicalResult emitLossAndGradients(OpBuilder &b, const TrainedModel &m,
                                   ValueRange inputs, Value target,
                                   ValueRange params, Value step, Value scale,
                                   Value &loss, SmallVectorImpl<Value> &grads);

/// Erases the ops of `f` whose results are unused and that have no effects:
/// adjoints of values that were not needed.
void eraseDeadOps(func::FuncOp f);

} // namespace mlir::nn

#endif // NN_LIB_NN_TRANSFORMS_DIFFERENTIATE_H
