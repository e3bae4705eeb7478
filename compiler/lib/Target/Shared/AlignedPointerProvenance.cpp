//===- AlignedPointerProvenance.cpp - nn-aligned-pointer-provenance ------===//
//
// finalize-memref-to-llvm aligns a malloc'ed buffer in integers:
//   %i = ptrtoint %p; %b = add %i, A-1; %a = sub %b, (urem %b, A);
//   %q = inttoptr %a
// The inttoptr loses where %q points (see Passes.td). The same address as
//   %q = getelementptr i8, %p[%a - %i]
// keeps it: LLVM then knows that distinct buffers do not alias.
//
//===----------------------------------------------------------------------===//

#include "nn/Target/Shared/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::shared {
#define GEN_PASS_DEF_ALIGNEDPOINTERPROVENANCEPASS
#include "nn/Target/Shared/Passes.h.inc"
} // namespace nn::shared

using namespace mlir;

namespace {
/// The pointer %p whose address `aligned` rounds up, if `aligned` is
/// sub(%b, urem(%b, A)) with %b = add(ptrtoint(%p), C).
std::optional<std::pair<Value, Value>> roundedUpPointer(Value aligned) {
  auto sub = aligned.getDefiningOp<LLVM::SubOp>();
  if (!sub)
    return std::nullopt;
  auto rem = sub.getRhs().getDefiningOp<LLVM::URemOp>();
  if (!rem || rem.getLhs() != sub.getLhs())
    return std::nullopt;
  auto add = sub.getLhs().getDefiningOp<LLVM::AddOp>();
  if (!add)
    return std::nullopt;
  auto asInt = add.getLhs().getDefiningOp<LLVM::PtrToIntOp>();
  if (!asInt)
    return std::nullopt;
  return std::make_pair(asInt.getArg(), asInt.getResult());
}

struct AlignedPointerProvenancePass
    : nn::shared::impl::AlignedPointerProvenancePassBase<
          AlignedPointerProvenancePass> {
  void runOnOperation() override {
    SmallVector<LLVM::IntToPtrOp> casts;
    getOperation().walk([&](LLVM::IntToPtrOp cast) {
      if (roundedUpPointer(cast.getArg()))
        casts.push_back(cast);
    });
    IRRewriter rewriter(&getContext());
    for (LLVM::IntToPtrOp cast : casts) {
      auto [pointer, address] = *roundedUpPointer(cast.getArg());
      rewriter.setInsertionPoint(cast);
      Value offset =
          LLVM::SubOp::create(rewriter, cast.getLoc(), cast.getArg(), address);
      rewriter.replaceOpWithNewOp<LLVM::GEPOp>(cast, cast.getType(),
                                               rewriter.getI8Type(), pointer,
                                               ValueRange{offset});
    }
  }
};
} // namespace
