//===- NNOps.h - nn dialect operations --------------------------*- C++ -*-===//

#ifndef NN_DIALECT_NN_IR_NNOPS_H
#define NN_DIALECT_NN_IR_NNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/IR/NNInterfaces.h"

#define GET_OP_CLASSES
#include "nn/Dialect/NN/IR/NNOps.h.inc"

#endif // NN_DIALECT_NN_IR_NNOPS_H
