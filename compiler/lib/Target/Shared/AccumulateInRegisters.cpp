//===- AccumulateInRegisters.cpp - a reduction's accumulator as iter_arg --===//
//
//   scf.for %k { %a = load %out[%i]; ...; store %s, %out[%i] }
// becomes
//   %a0 = load %out[%i]
//   %r = scf.for %k iter_args(%a = %a0) { ...; yield %s }
//   store %r, %out[%i]
// when that store is the loop's only memory write and %out is read nowhere
// else in the loop. Both targets run it after linalg becomes loops.
//
//===----------------------------------------------------------------------===//

#include "nn/Target/Shared/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nn::shared {
#define GEN_PASS_DEF_ACCUMULATEINREGISTERSPASS
#include "nn/Target/Shared/Passes.h.inc"
} // namespace nn::shared

using namespace mlir;

namespace {
/// The load and store of the accumulator, if `loop` has that form.
std::optional<std::pair<memref::LoadOp, memref::StoreOp>>
findAccumulator(scf::ForOp loop) {
  memref::StoreOp store;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto s = dyn_cast<memref::StoreOp>(op)) {
      if (store)
        return std::nullopt;
      store = s;
    } else if (!isa<memref::LoadOp>(op) && !isMemoryEffectFree(&op)) {
      return std::nullopt;
    }
  }
  if (!store || !loop.isDefinedOutsideOfLoop(store.getMemref()) ||
      !llvm::all_of(store.getIndices(),
                    [&](Value i) { return loop.isDefinedOutsideOfLoop(i); }))
    return std::nullopt;
  memref::LoadOp load;
  for (auto l : loop.getBody()->getOps<memref::LoadOp>()) {
    if (l.getMemref() != store.getMemref())
      continue;
    if (load || l.getIndices() != store.getIndices())
      return std::nullopt; // read twice, or elsewhere
    load = l;
  }
  if (!load || !load->isBeforeInBlock(store))
    return std::nullopt;
  return std::make_pair(load, store);
}

struct AccumulateInRegistersPass
    : nn::shared::impl::AccumulateInRegistersPassBase<
          AccumulateInRegistersPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops) { // innermost first
      auto found = findAccumulator(loop);
      if (!found)
        continue;
      auto [load, store] = *found;
      Location loc = store.getLoc();
      rewriter.setInsertionPoint(loop);
      Value init = memref::LoadOp::create(rewriter, load.getLoc(),
                                          load.getMemref(), load.getIndices());
      Value stored = store.getValueToStore();
      FailureOr<LoopLikeOpInterface> replaced =
          cast<LoopLikeOpInterface>(loop.getOperation())
              .replaceWithAdditionalYields(
                  rewriter, init, /*replaceInitOperandUsesInLoop=*/false,
                  [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                    return SmallVector<Value>{stored};
                  });
      if (failed(replaced)) {
        loop.emitError("internal error: cannot add an iteration argument");
        return signalPassFailure();
      }
      rewriter.replaceAllUsesWith(load.getResult(),
                                  replaced->getRegionIterArgs().back());
      rewriter.setInsertionPointAfter(*replaced);
      memref::StoreOp::create(rewriter, loc, replaced->getLoopResults()->back(),
                              store.getMemref(), store.getIndices());
      rewriter.eraseOp(store);
      rewriter.eraseOp(load);
    }
  }
};
} // namespace
