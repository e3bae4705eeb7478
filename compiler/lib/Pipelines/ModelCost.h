//===- ModelCost.h - FLOPs and tensor memory of a model ---------*- C++ -*-===//

#ifndef NN_LIB_PIPELINES_MODELCOST_H
#define NN_LIB_PIPELINES_MODELCOST_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

namespace nn {

/// Adds the `cost` and `line_costs` keys of the manifest (docs/design.md),
/// counted on the linalg-on-tensors module at the train block's batch (1
/// without one). Adds nothing when the module has no model function.
void addCostToManifest(mlir::ModuleOp linalgModule,
                       llvm::json::Object &manifest);

} // namespace nn

#endif // NN_LIB_PIPELINES_MODELCOST_H
