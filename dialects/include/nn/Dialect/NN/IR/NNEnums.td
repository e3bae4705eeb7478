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

// Enums of the typed attributes (NNAttributes.td); their cases are the words
// of the .nn language.
class NN_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::nn";
  let genSpecializedAttr = 0;
}

def NN_OptimizerKind : NN_Enum<"OptimizerKind", "an optimizer", [
    I32EnumAttrCase<"sgd", 0>, I32EnumAttrCase<"adam", 1>,
    I32EnumAttrCase<"adamw", 2>]>;

def NN_LossKind : NN_Enum<"LossKind", "a training loss", [
    I32EnumAttrCase<"cross_entropy", 0>, I32EnumAttrCase<"mse", 1>]>;

def NN_DataFormat : NN_Enum<"DataFormat", "a format of training data", [
    I32EnumAttrCase<"idx", 0>, I32EnumAttrCase<"csv", 1>,
    I32EnumAttrCase<"npy", 2>]>;

def NN_DataHeader : NN_Enum<"DataHeader", "whether a csv file has a header", [
    I32EnumAttrCase<"automatic", 0, "auto">,
    I32EnumAttrCase<"present", 1, "true">,
    I32EnumAttrCase<"absent", 2, "false">]>;

def NN_InitKind : NN_Enum<"InitKind", "a parameter initializer", [
    I32EnumAttrCase<"zeros", 0>, I32EnumAttrCase<"ones", 1>,
    I32EnumAttrCase<"constant", 2>, I32EnumAttrCase<"uniform", 3>,
    I32EnumAttrCase<"normal", 4>, I32EnumAttrCase<"glorot_uniform", 5>,
    I32EnumAttrCase<"he_normal", 6>, I32EnumAttrCase<"he_uniform", 7>,
    I32EnumAttrCase<"lecun_uniform", 8>]>;

#endif // NN_DIALECT_NN_IR_NNENUMS_TD
