//===- WriteUpdatesInPlace.cpp - nnc-cpu-write-updates-in-place -----------===//
//
// The elementwise op that computes a new parameter or optimizer state writes
// into the argument it replaces instead of a fresh tensor; every other
// argument is read-only (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "UpdatedArguments.h"
#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nn::cpu {
#define GEN_PASS_DEF_WRITEUPDATESINPLACEPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
/// Two thread blocks of the tiling script (Transforms/cpu-tile.mlir).
constexpr int64_t kParallelElements = 2 * 16384;

struct WriteUpdatesInPlacePass
    : nn::cpu::impl::WriteUpdatesInPlacePassBase<WriteUpdatesInPlacePass> {
  void runOnOperation() override {
    while (fuseOneChain()) {
    }
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<nn::cpu::UpdatedArgument> updates =
        nn::cpu::updatedArguments(func);
    for (BlockArgument arg : func.getArguments())
      if (isa<TensorType>(arg.getType()) &&
          llvm::none_of(updates, [&](const nn::cpu::UpdatedArgument &u) {
            return u.arg == arg;
          }))
        func.setArgAttr(arg.getArgNumber(), "bufferization.writable",
                        BoolAttr::get(&getContext(), false));
    for (auto [returned, arg] : updates) {
      auto value = dyn_cast<OpResult>(returned->get());
      auto generic =
          value ? dyn_cast<linalg::GenericOp>(value.getOwner()) : nullptr;
      if (!generic || generic.getNumReductionLoops() != 0 ||
          value.getType() != arg.getType())
        continue;
      OpOperand *init = generic.getDpsInitOperand(value.getResultNumber());
      // An init that is read, or already some buffer, keeps its meaning.
      if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
          generic.payloadUsesValueFromOperand(init) ||
          !generic.getMatchingIndexingMap(init).isIdentity())
        continue;
      init->set(arg);
      // The body reads the old value through the init, not through an input
      // of the same buffer: tiled for threads, that input would be a second
      // slice of the argument, and bufferization would copy the argument
      // rather than write the block it reads.
      for (OpOperand *input : generic.getDpsInputOperands())
        if (input->get() == arg && generic.getMatchingIndexingMap(input) ==
                                       generic.getMatchingIndexingMap(init))
          generic.getMatchingBlockArgument(input).replaceAllUsesWith(
              generic.getMatchingBlockArgument(init));
      // Updates of a few blocks or more are worth a fork across threads.
      auto type = cast<RankedTensorType>(arg.getType());
      if (type.hasStaticShape() && type.getNumElements() >= kParallelElements)
        generic->setAttr("nnc.parallel_update", UnitAttr::get(&getContext()));
    }
    // Drops the inputs the bodies no longer read.
    RewritePatternSet patterns(&getContext());
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }

  /// An update that reads another update (the new weights read the new
  /// momentum) becomes one op with both results: one pass over memory.
  bool fuseOneChain() {
    SmallVector<nn::cpu::UpdatedArgument> updates =
        nn::cpu::updatedArguments(getOperation());
    auto isUpdate = [&](Value v) {
      return llvm::any_of(updates, [&](const nn::cpu::UpdatedArgument &u) {
        return u.returned->get() == v;
      });
    };
    IRRewriter rewriter(&getContext());
    for (const nn::cpu::UpdatedArgument &u : updates) {
      auto consumer = u.returned->get().getDefiningOp<linalg::GenericOp>();
      if (!consumer)
        continue;
      for (OpOperand *input : consumer.getDpsInputOperands()) {
        auto producer = input->get().getDefiningOp<linalg::GenericOp>();
        if (!producer || !isUpdate(input->get()) ||
            !linalg::areElementwiseOpsFusable(input))
          continue;
        rewriter.setInsertionPoint(consumer);
        FailureOr<linalg::ElementwiseOpFusionResult> fused =
            linalg::fuseElementwiseOps(rewriter, input);
        if (failed(fused))
          continue;
        for (auto [old, replacement] : fused->replacements)
          rewriter.replaceUsesWithIf(old, replacement, [&](OpOperand &use) {
            return use.getOwner() != producer;
          });
        rewriter.eraseOp(consumer);
        if (producer->use_empty())
          rewriter.eraseOp(producer);
        return true;
      }
    }
    return false;
  }
};
} // namespace
