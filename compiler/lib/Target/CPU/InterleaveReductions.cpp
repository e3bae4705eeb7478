//===- InterleaveReductions.cpp - nnc-cpu-interleave-reductions -----------===//
//
// Moves the parallel loops of a long sum inside its reduction loops, so that
// the chains of additions of different outputs interleave instead of running
// one after another (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cpu {
#define GEN_PASS_DEF_INTERLEAVEREDUCTIONSPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
/// A chain this long or longer (the static trip count of the innermost
/// reduction loops) waits on the adder's latency; shorter ones (a 2x2
/// pooling window, 10 classes) are not worth a pass over the outputs.
constexpr int64_t kLongChain = 16;

/// At most this many sums take turns (the static trip count of all parallel
/// loops together): each reads its own stream of the input, and more outputs
/// than this are no longer a few chains to interleave but a tensor that every
/// reduction step would sweep (a convolution written as a generic).
constexpr int64_t kFewOutputs = 64;

/// The loop order that puts every parallel loop after every reduction loop,
/// each kind in its own order; empty when nothing moves, the innermost chain
/// is short or dynamic, or the outputs are many or dynamic.
SmallVector<unsigned> interleavingOrder(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t outputs = 1;
  for (auto [iterator, range] : llvm::zip(iterators, ranges))
    if (linalg::isParallelIterator(iterator)) {
      if (ShapedType::isDynamic(range))
        return {};
      outputs *= range;
    }
  if (outputs > kFewOutputs)
    return {};
  int64_t chain = 1;
  for (int64_t loop = (int64_t)iterators.size() - 1;
       loop >= 0 && linalg::isReductionIterator(iterators[loop]); --loop) {
    if (ShapedType::isDynamic(ranges[loop]))
      return {};
    chain *= ranges[loop];
  }
  if (chain < kLongChain)
    return {};
  SmallVector<unsigned> order;
  for (auto kind :
       {utils::IteratorType::reduction, utils::IteratorType::parallel})
    for (unsigned loop = 0; loop < iterators.size(); ++loop)
      if (iterators[loop] == kind)
        order.push_back(loop);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return {};
  return order;
}

struct InterleaveReductionsPass
    : nn::cpu::impl::InterleaveReductionsPassBase<InterleaveReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) {
      // Ops the tiling script matches by a marker keep their loops.
      bool marked = llvm::any_of(op->getDiscardableAttrs(), [](auto attr) {
        return attr.getName().getValue().starts_with("nnc.");
      });
      if (!marked && op.hasPureTensorSemantics() &&
          op.getNumReductionLoops() > 0 && op.getNumParallelLoops() > 0)
        generics.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      SmallVector<unsigned> order = interleavingOrder(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      (void)linalg::interchangeGenericOp(rewriter, op, order);
    }
  }
};
} // namespace
