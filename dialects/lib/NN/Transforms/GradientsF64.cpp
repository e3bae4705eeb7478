//===- GradientsF64.cpp - the nn-gradients-f64 pass -----------------------===//
//
// A float64 copy of @gradients for gradcheck: finite differences in f32 are
// too coarse to judge a gradient near a kink or where the loss is flat.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"

namespace mlir::nn {
#define GEN_PASS_DEF_GRADIENTSF64PASS
#include "nn/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;

namespace {
/// f32 -> f64, also as the element type of a tensor; other types unchanged.
Type widen(Type type) {
  Type f64 = Float64Type::get(type.getContext());
  if (type.isF32())
    return f64;
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    if (tensor.getElementType().isF32())
      return tensor.clone(f64);
  return type;
}

Attribute widenValue(Attribute value) {
  if (auto f = dyn_cast<FloatAttr>(value); f && f.getType().isF32())
    return FloatAttr::get(Float64Type::get(f.getContext()),
                          f.getValueAsDouble());
  auto dense = dyn_cast<DenseFPElementsAttr>(value);
  if (!dense || !dense.getElementType().isF32())
    return value;
  return dense.mapValues(Float64Type::get(value.getContext()),
                         [](const APFloat &x) {
                           APFloat wide = x;
                           bool lost = false;
                           wide.convert(APFloat::IEEEdouble(),
                                        APFloat::rmNearestTiesToEven, &lost);
                           return wide.bitcastToAPInt();
                         });
}

/// Widens `func` in place; fails on an op whose meaning depends on f32.
LogicalResult widenFunction(func::FuncOp func) {
  WalkResult walk = func.walk([](Operation *op) {
    if (isa<arith::BitcastOp>(op))
      return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(widen(arg.getType()));
    for (OpResult result : op->getResults())
      result.setType(widen(result.getType()));
    if (auto constant = dyn_cast<arith::ConstantOp>(op))
      constant.setValueAttr(cast<TypedAttr>(widenValue(constant.getValue())));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  // Conversions between f32 and wider types are now f64 to f64: drop them.
  func.walk([](Operation *op) {
    if (isa<arith::ExtFOp, arith::TruncFOp>(op) &&
        op->getOperand(0).getType() == op->getResult(0).getType()) {
      op->getResult(0).replaceAllUsesWith(op->getOperand(0));
      op->erase();
    }
  });
  auto type = func.getFunctionType();
  func.setFunctionType(FunctionType::get(
      func.getContext(), llvm::map_to_vector(type.getInputs(), widen),
      llvm::map_to_vector(type.getResults(), widen)));
  // Named ops become generics: the targets' codegen tiles named matmuls and
  // convolutions for speed, which a gradcheck entry does not need and which
  // would add a third to the compile time of a conv net.
  IRRewriter rewriter(func.getContext());
  SmallVector<linalg::LinalgOp> named;
  func.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp>(op))
      named.push_back(op);
  });
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::generalizeNamedOp(rewriter, op)))
      return failure();
  }
  // Whatever the copy got wrong, the verifier finds; gradcheck then does
  // without float64.
  ScopedDiagnosticHandler quiet(func.getContext(),
                                [](Diagnostic &) { return success(); });
  return verify(func);
}

struct GradientsF64Pass : nn::impl::GradientsF64PassBase<GradientsF64Pass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto gradients = module.lookupSymbol<func::FuncOp>("gradients");
    if (!gradients || module.lookupSymbol("gradients_f64"))
      return;
    func::FuncOp copy = gradients.clone();
    copy.setSymName("gradients_f64");
    SymbolTable(module).insert(copy, std::next(gradients->getIterator()));
    if (failed(widenFunction(copy)))
      copy.erase();
  }
};
} // namespace
