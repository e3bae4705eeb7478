//===- MaterializeTransposedRhs.cpp - nnc-cpu-materialize-transposed-rhs --===//
//
// A matmul that reads its right operand transposed (B[n, k], the backward
// pass's dX = dY W^T) gets that operand transposed into a fresh tensor first,
// so that the register tile's row of B is one contiguous load instead of a
// gather (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cpu {
#define GEN_PASS_DEF_MATERIALIZETRANSPOSEDRHSPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
struct MaterializeTransposedRhsPass
    : nn::cpu::impl::MaterializeTransposedRhsPassBase<
          MaterializeTransposedRhsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto map = [&](AffineExpr a, AffineExpr b) {
      return AffineMap::get(3, 0, {a, b}, ctx);
    };
    SmallVector<linalg::MatmulOp> transposedRhs;
    getOperation().walk([&](linalg::MatmulOp mm) {
      auto rhsType = dyn_cast<RankedTensorType>(mm.getInputs()[1].getType());
      if (mm.hasPureTensorSemantics() && rhsType && rhsType.hasStaticShape() &&
          mm.getIndexingMapsArray()[1] == map(n, k))
        transposedRhs.push_back(mm);
    });
    IRRewriter rewriter(ctx);
    for (linalg::MatmulOp mm : transposedRhs) {
      Location loc = mm.getLoc();
      Value rhs = mm.getInputs()[1];
      auto rhsType = cast<RankedTensorType>(rhs.getType());
      rewriter.setInsertionPoint(mm);
      Value empty = tensor::EmptyOp::create(
          rewriter, loc,
          ArrayRef<int64_t>{rhsType.getDimSize(1), rhsType.getDimSize(0)},
          rhsType.getElementType());
      auto transpose = linalg::TransposeOp::create(rewriter, loc, rhs, empty,
                                                   ArrayRef<int64_t>{1, 0});
      // The tile script copies these in vector tiles.
      transpose->setAttr("nnc.transposed_rhs", rewriter.getUnitAttr());
      Value kByN = transpose->getResult(0);
      SmallVector<AffineMap> maps = mm.getIndexingMapsArray();
      maps[1] = map(k, n);
      auto plain = linalg::MatmulOp::create(
          rewriter, loc, ValueRange{mm.getInputs()[0], kByN}, mm.getOutputs(),
          {rewriter.getNamedAttr("indexing_maps",
                                 rewriter.getAffineMapArrayAttr(maps))});
      rewriter.replaceOp(mm, plain->getResults());
    }
  }
};
} // namespace
