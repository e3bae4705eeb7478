//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//
//
// One op per primitive of LANGUAGE.md §7. Ops infer their result types from
// the shape rules of NNShapes.h (builders need no result type); the verifier
// says what was inferred and what was found. Only reshape, whose result shape
// is its attribute, states it.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_NNOPS_TD
#define NN_DIALECT_NN_IR_NNOPS_TD

include "nn/Dialect/NN/IR/NNDialect.td"
include "nn/Dialect/NN/IR/NNEnums.td"
include "nn/Dialect/NN/IR/NNInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_F32Tensor : RankedTensorOf<[F32]>;
def NN_I32Tensor : RankedTensorOf<[I32]>;
def NN_Tensor : RankedTensorOf<[F32, I32]>;
def NN_F32Scalar : 0DTensorOf<[F32]>;

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

class NN_BroadcastBinaryOp<string mnemonic, string what>
    : NN_Op<mnemonic, [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "elementwise " # what # " with NumPy broadcasting";
  let description = [{
    Computes `lhs }] # mnemonic # [{ rhs` element by element. Shapes broadcast
    as in NumPy: trailing dimensions align and a dimension of size 1
    stretches. The result has the broadcast shape.

    Example:
    ```mlir
    %r = nn.}] # mnemonic # [{ %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_AddOp : NN_BroadcastBinaryOp<"add", "addition">;
def NN_SubOp : NN_BroadcastBinaryOp<"sub", "subtraction">;
def NN_MulOp : NN_BroadcastBinaryOp<"mul", "multiplication">;
def NN_DivOp : NN_BroadcastBinaryOp<"div", "division">;
def NN_MaximumOp : NN_BroadcastBinaryOp<"maximum", "maximum">;
def NN_MinimumOp : NN_BroadcastBinaryOp<"minimum", "minimum">;

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType,
                                            InferTypeOpInterface,
                                            DeclareOpInterfaceMethods<NN_GradientOpInterface>])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element; the result has the
    input's type.

    Example:
    ```mlir
    %y = nn.}] # mnemonic # [{ %x : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_NegOp : NN_UnaryOp<"neg", "-x">;
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;
def NN_LogOp : NN_UnaryOp<"log", "log(x)">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)">;
def NN_GeluOp : NN_UnaryOp<"gelu",
    "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))">;
def NN_AbsOp : NN_UnaryOp<"abs", "|x|">;

def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", "x > 0 ? x : alpha * x"> {
  let description = [{
    Computes `x > 0 ? x : alpha * x` for every element.

    Example:
    ```mlir
    %y = nn.leaky_relu %x {alpha = 0.01 : f32} : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def NN_PowOp : NN_UnaryOp<"pow", "x ^ exponent"> {
  let description = [{
    Raises every element to the compile-time power `exponent`.

    Example:
    ```mlir
    %y = nn.pow %x {exponent = 2.0 : f32} : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, F32Attr:$exponent);
}

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_Op<"matmul", [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                                   DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "matrix product, optionally batched";
  let description = [{
    Multiplies `[M,K]` by `[K,N]` into `[M,N]`. A rank-3 left operand
    `[B,M,K]` multiplies each of its B matrices by a shared `[K,N]`
    right operand, or pairwise by a `[B,K,N]` one, giving `[B,M,N]`.

    Example:
    ```mlir
    %y = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x256xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$lhs, NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_TransposeOp : NN_Op<"transpose", [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                                         DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "permutes dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    Example:
    ```mlir
    %t = nn.transpose %x [1, 0] : (tensor<?x10xf32>) -> tensor<10x?xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [SameOperandsAndResultElementType,
                                     DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "reinterprets the elements with another shape";
  let description = [{
    Keeps the elements in row-major order and gives them the result type's
    shape. Static element counts must match; a dynamic (batch) dimension may
    appear in the input and the result.

    Example:
    ```mlir
    %r = nn.reshape %x : (tensor<?x784xf32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_FlattenOp : NN_Op<"flatten", [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                                     DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "flattens all dimensions after the first";
  let description = [{
    `[N, d1, ..., dk]` becomes `[N, d1 * ... * dk]`.

    Example:
    ```mlir
    %f = nn.flatten %x : (tensor<?x16x4x4xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ConcatOp : NN_Op<"concat", [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                                   DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "joins tensors along an axis";
  let description = [{
    All inputs have the same rank and agree on every dimension but `axis`,
    along which the result is their concatenation.

    Example:
    ```mlir
    %c = nn.concat %a, %b {axis = 1 : i64} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x12xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string what>
    : NN_Op<mnemonic, [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = what # " over axes";
  let description = [{
    Reduces `input` by }] # what # [{ over the dimensions listed in `axes`
    (all of them when `axes` is empty). With `keepdims` the reduced
    dimensions stay as size 1; otherwise they are removed.

    Example:
    ```mlir
    %s = nn.}] # mnemonic # [{ %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// The reduced dimensions, sorted; all of them when `axes` is empty.
    ::llvm::SmallVector<int64_t> getReducedDims();
  }];
}

def NN_SumOp : NN_ReduceOp<"sum", "the sum">;
def NN_MeanOp : NN_ReduceOp<"mean", "the mean">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "the maximum">;

class NN_SoftmaxLikeOp<string mnemonic, string formula>
    : NN_Op<mnemonic, [SameOperandsAndResultType, InferTypeOpInterface,
                       DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = formula # " along an axis, numerically stable";
  let description = [{
    Computes `}] # formula # [{` along `axis`, subtracting the maximum first
    so that large inputs do not overflow.

    Example:
    ```mlir
    %p = nn.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_SoftmaxOp : NN_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def NN_LogSoftmaxOp : NN_SoftmaxLikeOp<"log_softmax", "x - log(sum(exp(x)))">;

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def NN_Conv2DOp : NN_Op<"conv2d", [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                                   DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "2-D convolution, NCHW input and FCHW filter, no bias";
  let description = [{
    `x: [N,C,H,W]`, `w: [F,C,KH,KW]` give `[N,F,H',W']` with
    `H' = (H + 2*padding - KH) / stride + 1` (likewise W'), as PyTorch's
    `conv2d` (a cross-correlation) with zero padding.

    Example:
    ```mlir
    %y = nn.conv2d %x, %w {stride = 1 : i64, padding = 0 : i64}
        : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$filter,
                   DefaultValuedAttr<I64Attr, "1">:$stride,
                   DefaultValuedAttr<I64Attr, "0">:$padding);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $filter attr-dict `:` functional-type(operands, results)
  }];
}

class NN_Pool2DOp<string mnemonic, string what>
    : NN_Op<mnemonic, [SameOperandsAndResultElementType, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "2-D " # what # " pooling, NCHW";
  let description = [{
    Takes the }] # what # [{ of each `size x size` window, moving by `stride`:
    `[N,C,H,W]` gives `[N,C,(H-size)/stride+1,(W-size)/stride+1]`.

    Example:
    ```mlir
    %p = nn.}] # mnemonic # [{ %x {size = 2 : i64, stride = 2 : i64}
        : (tensor<?x6x24x24xf32>) -> tensor<?x6x12x12xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$size, I64Attr:$stride);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_MaxPool2DOp : NN_Pool2DOp<"max_pool2d", "maximum">;
def NN_AvgPool2DOp : NN_Pool2DOp<"avg_pool2d", "average">;

//===----------------------------------------------------------------------===//
// Training-related
//===----------------------------------------------------------------------===//

def NN_DropoutOp : NN_Op<"dropout", [SameOperandsAndResultType, InferTypeOpInterface,
                                     DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "randomly zeroes elements while training";
  let description = [{
    While training, zeroes each element with probability `rate` and scales
    the others by `1 / (1 - rate)`; outside training it is the identity.

    Example:
    ```mlir
    %d = nn.dropout %x {rate = 0.5 : f32} : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, F32Attr:$rate);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_CrossEntropyOp : NN_Op<"cross_entropy", [InferTypeOpAdaptor,
                                                 DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "softmax cross-entropy of logits against class labels";
  let description = [{
    `logits: f32[N,C]`, `labels: i32[N]` with values in `[0, C)`; the result
    is the mean over the batch of `logsumexp(logits[i]) - logits[i, labels[i]]`,
    computed stably (PyTorch's `cross_entropy`).

    Example:
    ```mlir
    %l = nn.cross_entropy %logits, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$logits, NN_I32Tensor:$labels);
  let results = (outs NN_F32Scalar:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

def NN_MseOp : NN_Op<"mse", [InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "mean squared error";
  let description = [{
    The mean over all elements of `(pred - target)^2`; both operands have the
    same shape.

    Example:
    ```mlir
    %l = nn.mse %pred, %target : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$pred, NN_F32Tensor:$target);
  let results = (outs NN_F32Scalar:$result);
  let assemblyFormat = [{
    $pred `,` $target attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ArgmaxOp : NN_Op<"argmax", [InferTypeOpAdaptor]> {
  let summary = "index of the maximum along an axis";
  let description = [{
    Returns the `i32` index of the largest element along `axis` (the first
    one on ties); that dimension is removed. Not differentiable.

    Example:
    ```mlir
    %i = nn.argmax %x {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?xi32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis);
  let results = (outs NN_I32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

include "nn/Dialect/NN/IR/NNGradientOps.td"

#endif // NN_DIALECT_NN_IR_NNOPS_TD
