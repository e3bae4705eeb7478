//===- GPULaunchToLoops.cpp - gpu.launch bodies as host loops -------------===//
//
// Test-only: the GPU-mapped module runs on the CPU, one thread after another,
// so that its results can be compared with the CPU build's.
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cuda {
#define GEN_PASS_DEF_GPULAUNCHTOLOOPSPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
/// What only threads running together can do.
LogicalResult checkSequentialSafe(gpu::LaunchOp launch) {
  if (launch.getNumWorkgroupAttributions() || launch.getClusterSizeX())
    return launch.emitError("cannot run a kernel with workgroup memory or "
                            "clusters as loops");
  WalkResult result = launch.getBody().walk([](Operation *op) {
    if (isa<gpu::BarrierOp, gpu::ShuffleOp, gpu::AllReduceOp,
            gpu::SubgroupReduceOp>(op)) {
      op->emitError("cannot run '")
          << op->getName() << "' with threads one after another";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

struct GPULaunchToLoopsPass
    : nn::cuda::impl::GPULaunchToLoopsPassBase<GPULaunchToLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches)
      if (failed(lower(launch)))
        return signalPassFailure();
  }

  LogicalResult lower(gpu::LaunchOp launch) {
    if (failed(checkSequentialSafe(launch)))
      return failure();
    if (!launch.getAsyncDependencies().empty() || launch.getAsyncToken())
      return launch.emitError("cannot run an async kernel as loops");
    Region &region = launch.getBody();
    if (!region.hasOneBlock())
      return launch.emitError("cannot run a kernel of several blocks as loops");
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    SmallVector<Value> bounds = {grid.x,  grid.y,  grid.z,
                                 block.x, block.y, block.z};
    if (dropBlocks) {
      Value drop = arith::ConstantIndexOp::create(b, loc, dropBlocks);
      Value fewer = arith::SubIOp::create(b, loc, grid.x, drop);
      bounds[0] = arith::MaxSIOp::create(b, loc, fewer, zero);
    }
    gpu::KernelDim3 bid = launch.getBlockIds(), tid = launch.getThreadIds();
    gpu::KernelDim3 gridArg = launch.getGridSize(),
                    blockArg = launch.getBlockSize();
    SmallVector<Value> ids = {bid.x, bid.y, bid.z, tid.x, tid.y, tid.z};

    // Six nested loops: blocks z, y, x outside, threads z, y, x inside, so
    // threads.x (the contiguous dimension) varies fastest.
    IRMapping map;
    map.map(gridArg.x, grid.x);
    map.map(gridArg.y, grid.y);
    map.map(gridArg.z, grid.z);
    map.map(blockArg.x, block.x);
    map.map(blockArg.y, block.y);
    map.map(blockArg.z, block.z);
    for (int i : {2, 1, 0, 5, 4, 3}) {
      auto loop = scf::ForOp::create(b, loc, zero, bounds[i], one);
      map.map(ids[i], loop.getInductionVar());
      b.setInsertionPoint(loop.getBody()->getTerminator());
    }
    for (Operation &op : region.front().without_terminator())
      b.clone(op, map);
    launch.erase();
    return success();
  }
};
} // namespace
