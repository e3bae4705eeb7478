//===- CollapseParallelLoops.cpp - one linear index per parallel nest -----===//
//
// Each outermost scf.parallel becomes a loop over the linear index of all its
// dimensions, so that a fixed 1-D tiling gives every op full blocks of
// threads, whatever its number and sizes of dimensions.
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace nn::cuda {
#define GEN_PASS_DEF_COLLAPSEPARALLELLOOPSPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
struct CollapseParallelLoopsPass
    : nn::cuda::impl::CollapseParallelLoopsPassBase<CollapseParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp op) {
      if (!op->getParentOfType<scf::ParallelOp>() && op.getNumLoops() > 1)
        outermost.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp op : outermost) {
      std::vector<unsigned> all(op.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(op);
      collapseParallelLoops(rewriter, op, {all});
    }
  }
};
} // namespace
