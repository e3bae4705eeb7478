//===- Passes.h - passes of the CUDA target ---------------------*- C++ -*-===//

#ifndef NN_TARGET_CUDA_PASSES_H
#define NN_TARGET_CUDA_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace nn::cuda {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

#endif // NN_TARGET_CUDA_PASSES_H
