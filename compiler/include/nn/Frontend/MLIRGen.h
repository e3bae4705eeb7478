//===- MLIRGen.h - ModelGraph to nn-dialect IR ------------------*- C++ -*-===//

#ifndef NN_FRONTEND_MLIRGEN_H
#define NN_FRONTEND_MLIRGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "nn/Frontend/Sema.h"

namespace nn {

/// Builds a module holding one `func.func` with the `nn.model` attribute:
/// inputs (`nn.input`) then parameters (`nn.param`, `nn.init`) as arguments,
/// one nn op per graph node with its source location, and the train block as
/// `nn.train`. The context must have the nn, func and arith dialects loaded.
mlir::OwningOpRef<mlir::ModuleOp> genModule(const ModelGraph &graph,
                                            mlir::MLIRContext &ctx);

} // namespace nn

#endif // NN_FRONTEND_MLIRGEN_H
