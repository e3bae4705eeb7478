//===- Passes.h - nnc conversion passes -------------------------*- C++ -*-===//

#ifndef NN_CONVERSION_PASSES_H
#define NN_CONVERSION_PASSES_H

#include "nn/Conversion/NNToLinalg/NNToLinalg.h"

namespace mlir::nn {
#define GEN_PASS_DECL_FUSEELEMENTWISEKEEPNAMEDPASS
#include "nn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nn/Conversion/Passes.h.inc"
} // namespace mlir::nn

#endif // NN_CONVERSION_PASSES_H
