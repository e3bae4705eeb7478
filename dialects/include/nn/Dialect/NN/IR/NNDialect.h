//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//

#ifndef NN_DIALECT_NN_IR_NNDIALECT_H
#define NN_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "nn/Dialect/NN/IR/NNDialect.h.inc"

namespace mlir::nn {
/// Attribute names that mark how a model appears in IR (docs/design.md).
constexpr llvm::StringLiteral kModelAttr = "nn.model";
constexpr llvm::StringLiteral kInputAttr = "nn.input";
constexpr llvm::StringLiteral kParamAttr = "nn.param";
constexpr llvm::StringLiteral kInitAttr = "nn.init";
constexpr llvm::StringLiteral kTrainAttr = "nn.train";
} // namespace mlir::nn

#endif // NN_DIALECT_NN_IR_NNDIALECT_H
