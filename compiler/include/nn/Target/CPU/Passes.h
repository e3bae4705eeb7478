//===- Passes.h - passes of the CPU target ----------------------*- C++ -*-===//

#ifndef NN_TARGET_CPU_PASSES_H
#define NN_TARGET_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nn::cpu {
#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

#endif // NN_TARGET_CPU_PASSES_H
