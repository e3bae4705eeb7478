//===- NNDialect.td - the nn dialect definition ------------*- tablegen -*-===//
//
// The nn dialect models networks written in the .nn language: one op per
// primitive of LANGUAGE.md §7, on ranked tensors whose shapes are checked by
// the op verifiers.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_NNDIALECT_TD
#define NN_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let summary = "Neural-network primitives of the .nn language";
  let description = [{
    The `nn` dialect has an op for every primitive of the .nn language:
    elementwise math with NumPy broadcasting, matmul, shape ops, reductions,
    convolution and pooling, losses and argmax. Ops work on ranked tensors of
    `f32` (and `i32` for labels and argmax results); the batch dimension of a
    model is dynamic (`?`), every other dimension is static.

    A model is a `func.func` with the `nn.model` unit attribute. Its
    arguments are the model inputs (`nn.input = "x"`) followed by its
    trainable parameters (`nn.param = "dense.w"`, the dotted name used in
    checkpoints, and `nn.init = #nn.init<kind = ...>`); a trained model has
    `nn.train = #nn.train<...>`. See docs/dialect.md.
  }];
  let cppNamespace = "::mlir::nn";
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // NN_DIALECT_NN_IR_NNDIALECT_TD
