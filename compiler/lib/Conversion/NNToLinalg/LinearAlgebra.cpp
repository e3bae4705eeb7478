//===- LinearAlgebra.cpp - nn to linalg patterns ----------------------------------===//

#include "Patterns.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void nn::populateLinearAlgebraToLinalgPatterns(RewritePatternSet &patterns) {
  // Not written yet: these ops stay illegal and the conversion reports them.
}
