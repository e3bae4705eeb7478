//===- PrepareLinalgForGPU.cpp - parallel loops first, copies as linalg ---===//
//
// Also names each op's location after the op (kernel names) and moves
// allocations up, next to the shapes they need, so neighbouring loops fuse.
//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cuda {
#define GEN_PASS_DEF_PREPARELINALGFORGPUPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
/// The permutation that moves parallel iterators in front of reductions,
/// keeping each group's order; empty when the first iterator is parallel.
SmallVector<unsigned> parallelFirst(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.empty() || linalg::isParallelIterator(iterators.front()))
    return {};
  SmallVector<unsigned> order;
  for (auto [i, it] : llvm::enumerate(iterators))
    if (linalg::isParallelIterator(it))
      order.push_back(i);
  if (order.empty())
    return {}; // nothing to put first: stays a single-thread kernel
  for (auto [i, it] : llvm::enumerate(iterators))
    if (!linalg::isParallelIterator(it))
      order.push_back(i);
  return order;
}

/// What a kernel made from `op` is called: the named op, or for generics
/// whether they reduce.
StringRef kernelKind(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op))
    return op->getName().stripDialect();
  return op.getNumReductionLoops() ? "reduce" : "elementwise";
}

/// Names each op's location, so the kernel it becomes says what it was.
void nameLocations(func::FuncOp func) {
  func.walk([](linalg::LinalgOp op) {
    op->setLoc(NameLoc::get(StringAttr::get(op->getContext(), kernelKind(op)),
                            op->getLoc()));
  });
}

/// Moves each allocation up to just after the values it needs (shapes), so
/// that the loops of neighbouring ops are next to each other:
/// scf-parallel-loop-fusion fuses only adjacent loops, and an allocation
/// between a matmul and its bias add kept them apart.
void hoistAllocations(func::FuncOp func) {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
  for (memref::AllocOp op : allocs) {
    Block *block = op->getBlock();
    Operation *after = nullptr;
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def || def->getBlock() != block) {
        if (!def && cast<BlockArgument>(v).getOwner() == block)
          continue;
        after = op; // defined in another block: leave the op where it is
        break;
      }
      if (!after || after->isBeforeInBlock(def))
        after = def;
    }
    if (after == op)
      continue;
    if (after)
      op->moveAfter(after);
    else
      op->moveBefore(&block->front());
  }
}

struct PrepareLinalgForGPUPass
    : nn::cuda::impl::PrepareLinalgForGPUPassBase<PrepareLinalgForGPUPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics) {
      SmallVector<unsigned> order = parallelFirst(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order))) {
        op.emitError("internal error: cannot put the parallel loops first");
        return signalPassFailure();
      }
    }
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                  op.getTarget());
    }
    nameLocations(getOperation());
    hoistAllocations(getOperation());
  }
};
} // namespace
