//===- StridedCopiesToLoops.cpp - nnc-cpu-strided-copies-to-loops ---------===//
//
// memref.copy between views that are not contiguous becomes linalg.copy, so
// that it lowers to vectorizable loops rather than the runtime's element-wise
// memrefCopy (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cpu {
#define GEN_PASS_DEF_STRIDEDCOPIESTOLOOPSPASS
#include "nn/Target/CPU/Passes.h.inc"
} // namespace nn::cpu

using namespace mlir;

namespace {
/// The test memref-to-llvm applies before it lowers a copy to a memcpy.
bool lowersToMemcpy(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    memref::isStaticShapeAndContiguousRowMajor(memref));
}

struct StridedCopiesToLoopsPass
    : nn::cpu::impl::StridedCopiesToLoopsPassBase<StridedCopiesToLoopsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> strided;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!lowersToMemcpy(copy.getSource().getType()) ||
          !lowersToMemcpy(copy.getTarget().getType()))
        strided.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : strided) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
