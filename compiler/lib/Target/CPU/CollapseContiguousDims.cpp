//===- CollapseContiguousDims.cpp - the nnc-cpu-collapse-dims pass --------===//
//
// Merges the adjacent loops of a linalg.generic that every operand walks
// contiguously, so that LLVM vectorizes one long unit-stride loop instead of
// a short innermost one (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cpu {
#define GEN_PASS_DEF_COLLAPSECONTIGUOUSDIMSPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
/// Runs of adjacent parallel loops that stay contiguous, in order, in every
/// indexing map; only runs of two or more. (Reductions stay apart: a merged
/// static sum is unrolled completely by LLVM, and not vectorized.)
SmallVector<ReassociationIndices> contiguousLoopRuns(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices run{0};
  auto close = [&] {
    if (run.size() > 1)
      runs.push_back(run);
  };
  for (int64_t loop = 1, e = op.getNumLoops(); loop < e; ++loop) {
    ReassociationIndices grown = run;
    grown.push_back(loop);
    if (iterators[loop] == utils::IteratorType::parallel &&
        iterators[run.front()] == utils::IteratorType::parallel &&
        linalg::areDimSequencesPreserved(maps, {grown})) {
      run = std::move(grown);
      continue;
    }
    close();
    run = {loop};
  }
  close();
  return runs;
}

/// Every operand reads its loops in loop order, some perhaps broadcast:
/// upstream's collapse miscomputes transposed maps, and strided windows
/// (pooling) have nothing to merge.
bool readsInLoopOrder(linalg::GenericOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return false;
    int64_t last = -1;
    for (AffineExpr result : map.getResults()) {
      int64_t loop = cast<AffineDimExpr>(result).getPosition();
      if (loop <= last)
        return false;
      last = loop;
    }
    return true;
  });
}

struct CollapseContiguousDimsPass
    : nn::cpu::impl::CollapseContiguousDimsPassBase<
          CollapseContiguousDimsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics() && op.getNumLoops() > 1 &&
          op.getBody()->getOps<linalg::IndexOp>().empty() &&
          readsInLoopOrder(op))
        generics.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      SmallVector<ReassociationIndices> runs = contiguousLoopRuns(op);
      if (runs.empty())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, runs, rewriter);
      // A generic that cannot collapse (an operand's shape the reshape
      // cannot express) keeps its loops: slower, not wrong.
      if (failed(collapsed))
        continue;
      // Markers for the tiling script (nnc.parallel_update) stay.
      collapsed->collapsedOp->setDiscardableAttrs(
          op->getDiscardableAttrDictionary());
      rewriter.replaceOp(op, collapsed->results);
    }
  }
};
} // namespace
