//===- ModelCost.h - FLOPs and tensor memory of a model ---------*- C++ -*-===//

#ifndef NN_LIB_PIPELINES_MODELCOST_H
#define NN_LIB_PIPELINES_MODELCOST_H

#include "mlir/IR/BuiltinOps.h"
#include <string>

namespace nn {

/// The `cost` and `line_cost` lines of the manifest (docs/design.md), from
/// the linalg-on-tensors module, at the train block's batch (1 without one).
/// Empty when the module has no model function.
std::string buildCostManifest(mlir::ModuleOp linalgModule);

} // namespace nn

#endif // NN_LIB_PIPELINES_MODELCOST_H
