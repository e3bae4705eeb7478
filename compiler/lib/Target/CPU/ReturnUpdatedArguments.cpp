//===- ReturnUpdatedArguments.cpp - nnc-cpu-return-updated-arguments ------===//
//
// An argument updated in place is returned as itself, not as the clone that
// buffer deallocation makes of every returned buffer it does not own (see
// Passes.td).
//
//===----------------------------------------------------------------------===//

#include "UpdatedArguments.h"
#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace nn::cpu {
#define GEN_PASS_DEF_RETURNUPDATEDARGUMENTSPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
/// The buffer that `view` reshapes (nnc-cpu-collapse-dims runs an update
/// over a collapsed view of the argument), or `view` itself.
Value wholeBufferOf(Value view) {
  while (Operation *op = view.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op))
      break;
    view = op->getOperand(0);
  }
  return view;
}

struct ReturnUpdatedArgumentsPass
    : nn::cpu::impl::ReturnUpdatedArgumentsPassBase<
          ReturnUpdatedArgumentsPass> {
  void runOnOperation() override {
    for (auto [returned, arg] : nn::cpu::updatedArguments(getOperation())) {
      auto clone = returned->get().getDefiningOp<bufferization::CloneOp>();
      if (!clone || wholeBufferOf(clone.getInput()) != arg)
        continue;
      clone.getOutput().replaceAllUsesWith(arg);
      clone.erase();
    }
  }
};
} // namespace
