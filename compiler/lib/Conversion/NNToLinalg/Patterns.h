//===- Patterns.h - nn to linalg patterns, by op family ---------*- C++ -*-===//
//
// Internal to the NNToLinalg conversion: each op family lives in its own file.
//
//===----------------------------------------------------------------------===//

#ifndef NN_LIB_CONVERSION_NNTOLINALG_PATTERNS_H
#define NN_LIB_CONVERSION_NNTOLINALG_PATTERNS_H

namespace mlir {
class RewritePatternSet;
namespace nn {
/// Elementwise.cpp: broadcasting binary and unary maps, dropout.
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);
/// LinearAlgebra.cpp: matmul, transpose, reshape, flatten, concat.
void populateLinearAlgebraToLinalgPatterns(RewritePatternSet &patterns);
/// Reductions.cpp: sum, mean, reduce_max, softmax, log_softmax, argmax.
void populateReductionToLinalgPatterns(RewritePatternSet &patterns);
/// ConvPool.cpp: conv2d and pooling.
void populateConvPoolToLinalgPatterns(RewritePatternSet &patterns);
/// Losses.cpp: cross_entropy and mse.
void populateLossToLinalgPatterns(RewritePatternSet &patterns);
/// GradientOps.cpp: the ops that only autodiff creates.
void populateGradientOpsToLinalgPatterns(RewritePatternSet &patterns);
} // namespace nn
} // namespace mlir

#endif // NN_LIB_CONVERSION_NNTOLINALG_PATTERNS_H
