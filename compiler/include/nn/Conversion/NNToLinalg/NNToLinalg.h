//===- NNToLinalg.h - nn to linalg conversion -------------------*- C++ -*-===//

#ifndef NN_CONVERSION_NNTOLINALG_NNTOLINALG_H
#define NN_CONVERSION_NNTOLINALG_NNTOLINALG_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace nn {
#define GEN_PASS_DECL_CONVERTNNTOLINALGPASS
#include "nn/Conversion/Passes.h.inc"

/// Patterns that rewrite every nn op into linalg/tensor/arith/math.
void populateNNToLinalgConversionPatterns(RewritePatternSet &patterns);
} // namespace nn
} // namespace mlir

#endif // NN_CONVERSION_NNTOLINALG_NNTOLINALG_H
