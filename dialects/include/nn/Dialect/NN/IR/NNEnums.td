//===- NNEnums.td - enums of the nn dialect ----------------*- tablegen -*-===//

#ifndef NN_DIALECT_NN_IR_NNENUMS_TD
#define NN_DIALECT_NN_IR_NNENUMS_TD

include "mlir/IR/EnumAttr.td"

def NN_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "an ordered comparison of nn.compare (NaN compares false)", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"gt", 1>,
      I32EnumAttrCase<"ge", 2>, I32EnumAttrCase<"lt", 3>,
      I32EnumAttrCase<"le", 4>]> {
  let cppNamespace = "::mlir::nn";
}

#endif // NN_DIALECT_NN_IR_NNENUMS_TD
