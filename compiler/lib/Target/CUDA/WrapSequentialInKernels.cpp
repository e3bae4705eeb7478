//===- WrapSequentialInKernels.cpp - host memory accesses into kernels ----===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace nn::cuda {
#define GEN_PASS_DEF_WRAPSEQUENTIALINKERNELSPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
/// Whether `op` (or anything nested in it) reads or writes a buffer. Kernels,
/// allocations and frees are not accesses the host may not do.
bool accessesMemory(Operation *op) {
  bool found = false;
  op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (isa<gpu::LaunchOp>(nested))
      return WalkResult::skip();
    auto iface = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!iface)
      return WalkResult::advance();
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects)
      if (isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect())) {
        found = true;
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return found;
}

bool containsLaunch(Operation *op) {
  return op->walk([](gpu::LaunchOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Pure ops without regions may go along with a run of accesses.
bool isMovablePure(Operation *op) {
  return op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         !op->hasTrait<OpTrait::IsTerminator>();
}

/// An allocation whose sizes are known before `front`.
bool canHoistAllocation(Operation *op, Operation *front) {
  if (!isa<memref::AllocOp>(op))
    return false;
  return llvm::all_of(op->getOperands(), [&](Value v) {
    Operation *def = v.getDefiningOp();
    return !def || def->isBeforeInBlock(front);
  });
}

struct WrapSequentialInKernelsPass
    : nn::cuda::impl::WrapSequentialInKernelsPassBase<
          WrapSequentialInKernelsPass> {
  void runOnOperation() override {
    for (Block &block : getOperation().getBody()) {
      sinkArgumentLoads(block);
      if (failed(wrapRuns(block)))
        return signalPassFailure();
    }
  }

  /// A scalar read from an argument (the optimizer step that seeds dropout)
  /// and what is computed from it, needed only by kernels: each kernel
  /// computes it itself. Arguments (inputs, parameters, lr, step) are never
  /// written by the function, so every kernel reads the same value.
  void sinkArgumentLoads(Block &block) {
    for (auto load :
         llvm::make_early_inc_range(block.getOps<memref::LoadOp>())) {
      auto arg = dyn_cast<BlockArgument>(load.getMemRef());
      if (!arg || arg.getOwner() != &block)
        continue;
      llvm::SetVector<Operation *> slice;
      slice.insert(load);
      llvm::SetVector<gpu::LaunchOp> launches;
      bool onlyKernels = true;
      for (size_t i = 0; i < slice.size() && onlyKernels; ++i)
        for (Operation *user : slice[i]->getUsers()) {
          if (user->getBlock() == &block && isMovablePure(user))
            slice.insert(user);
          else if (auto launch = user->getParentOfType<gpu::LaunchOp>())
            launches.insert(launch);
          else
            onlyKernels = false;
        }
      if (!onlyKernels || launches.empty())
        continue;
      SmallVector<Operation *> ordered(slice.begin(), slice.end());
      llvm::sort(ordered, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      for (gpu::LaunchOp launch : launches) {
        Block &body = launch.getBody().front();
        OpBuilder b(&body, body.begin());
        IRMapping map;
        for (Operation *op : ordered)
          b.clone(*op, map);
        for (Operation *op : ordered)
          for (auto [from, to] :
               llvm::zip(op->getResults(), map.lookup(op)->getResults()))
            from.replaceUsesWithIf(to, [&](OpOperand &use) {
              return launch->isProperAncestor(use.getOwner());
            });
      }
      for (Operation *op : llvm::reverse(ordered))
        if (op->use_empty())
          op->erase();
    }
  }

  LogicalResult wrapRuns(Block &block) {
    SmallVector<SmallVector<Operation *>> runs;
    SmallVector<Operation *> run;
    auto close = [&] {
      while (!run.empty() && !accessesMemory(run.back()))
        run.pop_back();
      if (!run.empty())
        runs.push_back(run);
      run.clear();
    };
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (!run.empty() && canHoistAllocation(&op, run.front())) {
        // Keeps the run whole (scalar code that fills new 0-d buffers).
        op.moveBefore(run.front());
        continue;
      }
      if (accessesMemory(&op)) {
        if (containsLaunch(&op))
          return op.emitError("internal error: a host loop around a kernel "
                              "also accesses memory");
        run.push_back(&op);
      } else if (!run.empty() && isMovablePure(&op)) {
        run.push_back(&op);
      } else {
        close();
      }
    }
    close();
    for (ArrayRef<Operation *> r : runs)
      if (failed(wrap(r)))
        return failure();
    return success();
  }

  /// Moves the pure `op`, and the pure ops of the run it depends on, before
  /// `front`; fails when it depends on a memory access.
  LogicalResult hoist(Operation *op, Operation *front,
                      llvm::SmallPtrSetImpl<Operation *> &inRun) {
    if (!isMovablePure(op))
      return failure();
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp(); def && inRun.contains(def))
        if (failed(hoist(def, front, inRun)))
          return failure();
    op->moveBefore(front);
    inRun.erase(op);
    return success();
  }

  /// Moves `run` into a one-thread launch. Pure ops whose results the host
  /// needs after the run are moved before the launch instead (they cannot
  /// depend on memory, so their operands are host values).
  LogicalResult wrap(ArrayRef<Operation *> run) {
    llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
    SmallVector<Operation *> body;
    Operation *front = run.front();
    for (Operation *op : run) {
      Block *block = front->getBlock();
      bool escapes = llvm::any_of(op->getUsers(), [&](Operation *user) {
        Operation *top = block->findAncestorOpInBlock(*user);
        return !top || !inRun.contains(top);
      });
      if (!escapes) {
        body.push_back(op);
        continue;
      }
      if (failed(hoist(op, front, inRun)))
        return op->emitError("internal error: a value computed from device "
                             "memory is needed on the host");
    }
    llvm::erase_if(body, [&](Operation *op) { return !inRun.contains(op); });
    if (body.empty())
      return success();
    OpBuilder b(body.front());
    Location loc =
        NameLoc::get(b.getStringAttr("scalar"), body.front()->getLoc());
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
    Block &kernel = launch.getBody().front();
    b.setInsertionPointToEnd(&kernel);
    auto terminator = gpu::TerminatorOp::create(b, loc);
    for (Operation *op : body)
      op->moveBefore(terminator);
    return success();
  }
};
} // namespace
