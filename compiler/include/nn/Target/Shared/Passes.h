//===- Passes.h - passes shared by the targets ------------------*- C++ -*-===//

#ifndef NN_TARGET_SHARED_PASSES_H
#define NN_TARGET_SHARED_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace nn::shared {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "nn/Target/Shared/Passes.h.inc"
} // namespace nn::shared

#endif // NN_TARGET_SHARED_PASSES_H
