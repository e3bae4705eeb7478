//===- NNInterfaces.td - nn op interfaces ------------------*- tablegen -*-===//

#ifndef NN_DIALECT_NN_IR_NNINTERFACES_TD
#define NN_DIALECT_NN_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let description = [{
    An op that reverse-mode automatic differentiation can propagate through.
    Each op implements its own vector-Jacobian product beside its definition;
    the `nn-autodiff` pass only dispatches through this interface.
  }];
  let cppNamespace = "::mlir::nn";
  let methods = [
    InterfaceMethod<[{
        Given the adjoints of the op's results (`resultGrads`, one per result,
        never null), build the adjoints of its operands with `builder` (its
        insertion point is after the op) and append one value per operand to
        `operandGrads`; a null value marks an operand that receives no
        gradient (e.g. integer labels). The operand gradients have exactly
        the operand types: broadcasting is undone by the op.
      }],
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // NN_DIALECT_NN_IR_NNINTERFACES_TD
