//===- TypeShapes.h - the shape rules applied to IR types ------*- C++ -*-===//
//
// Type inference and verifiers of the nn ops run NNShapes.h's rules on the
// operands' tensor types: `?` may be any size, axes are non-negative, and
// messages print IR types.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_TYPESHAPES_H
#define NN_DIALECT_NN_IR_TYPESHAPES_H

#include "nn/Dialect/NN/IR/NNShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeRange.h"

namespace mlir::nn {

class TypeShapes : public shapes::Printer {
public:
  /// `opName` as `nn.matmul`; the rules' messages name the op without the
  /// dialect. Operands that are not ranked tensors leave `valid()` false.
  TypeShapes(StringRef opName, TypeRange operandTypes);

  bool valid() const { return isValid; }
  shapes::Rules &rules() { return ruleSet; }

  /// A tensor of `elem` with the rule's result `dims`, or the rule's message
  /// at `loc` (when given).
  LogicalResult infer(const std::optional<shapes::Dims> &dims, Type elem,
                      std::optional<Location> loc,
                      SmallVectorImpl<Type> &inferred);
  /// Checks that the rule held and gave `expected` (dims that agree, `?`
  /// matching any size), naming `what` when they differ.
  LogicalResult check(Operation *op, const std::optional<shapes::Dims> &dims,
                      ArrayRef<int64_t> expected, StringRef what);

  std::string operand(unsigned i) const override;
  std::string dim(int64_t d) const override;

private:
  std::string opName;
  SmallVector<Type, 2> types; // a copy: callers pass temporaries
  bool isValid = true;
  SmallVector<shapes::Operand> operands; // before ruleSet, which refers to it
  shapes::Rules ruleSet;
};

/// Dropout's rate must keep some elements: [0, 1). Not a shape, but the
/// rule of two ops.
LogicalResult verifyDropoutRate(Operation *op, APFloat rate);

/// `[?, 784]`.
std::string formatDims(ArrayRef<int64_t> dims);

} // namespace mlir::nn

#endif // NN_DIALECT_NN_IR_TYPESHAPES_H
