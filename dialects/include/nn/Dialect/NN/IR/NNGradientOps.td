//===- NNGradientOps.td - ops that only autodiff creates ---*- tablegen -*-===//
//
// Vector-Jacobian products that the forward ops cannot express naturally.
// The .nn language never spells them; `nn-autodiff` creates them and
// convert-nn-to-linalg lowers them (GradientOps.cpp). Included from NNOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_NNGRADIENTOPS_TD
#define NN_DIALECT_NN_IR_NNGRADIENTOPS_TD

def NN_BroadcastToOp : NN_Op<"broadcast_to", [InferTypeOpAdaptor]> {
  let summary = "broadcasts a tensor to the shape of another";
  let description = [{
    Stretches `input` to the shape of `like` with NumPy broadcasting rules
    (trailing dimensions align, a size-1 dimension stretches). Only the
    shape of `like` is used; it supplies the dynamic (batch) dimension.
    The gradient of a reduction.

    Example:
    ```mlir
    %b = nn.broadcast_to %g, %x : (tensor<10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$like);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $like attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_NumElementsOp : NN_Op<"num_elements", [InferTypeOpAdaptor]> {
  let summary = "number of elements over axes, as f32";
  let description = [{
    The product of the sizes of `input`'s dimensions listed in `axes` (all
    of them when empty), as an `f32` scalar. Only the shape of `input` is
    read; the divisor of `mean` and `mse` gradients when the batch
    dimension is dynamic.

    Example:
    ```mlir
    %n = nn.num_elements %x {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes);
  let results = (outs NN_F32Scalar:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_CompareOp : NN_Op<"compare", [InferTypeOpAdaptor]> {
  let summary = "elementwise comparison as a 0/1 f32 mask, with broadcasting";
  let description = [{
    `1.0` where `lhs predicate rhs` holds and `0.0` elsewhere; `predicate`
    is one of `eq`, `gt`, `ge`, `lt`, `le` (an enum attribute; ordered
    comparisons, so NaN gives 0). Shapes broadcast as in `nn.add`.
    Derivative masks (relu, leaky_relu, abs, maximum, minimum, reduce_max)
    are products of these.

    Example:
    ```mlir
    %m = nn.compare gt, %x, %zero : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_ComparePredicate:$predicate, NN_F32Tensor:$lhs,
                       NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SliceOp : NN_Op<"slice", [SameOperandsAndResultElementType]> {
  let summary = "a contiguous range of one dimension";
  let description = [{
    Takes `result.shape[axis]` entries of `input` along `axis`, starting at
    `offset`; the other dimensions are kept whole. The gradient of `concat`.

    Example:
    ```mlir
    %s = nn.slice %g {axis = 1 : i64, offset = 8 : i64} : (tensor<?x12xf32>) -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_CrossEntropyGradOp : NN_Op<"cross_entropy_grad",
                                  [InferTypeOpAdaptor]> {
  let summary = "gradient of cross_entropy with respect to the logits";
  let description = [{
    `(softmax(logits) - onehot(labels)) * grad / N` for `logits: f32[N,C]`,
    `labels: i32[N]` and the loss adjoint `grad: f32[]`; computed row by row
    with the maximum subtracted first, as the forward op.

    Example:
    ```mlir
    %d = nn.cross_entropy_grad %logits, %labels, %g
        : (tensor<?x10xf32>, tensor<?xi32>, tensor<f32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$logits, NN_I32Tensor:$labels,
                   NN_F32Scalar:$grad);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_Conv2DInputGradOp : NN_Op<"conv2d_input_grad",
                                 [SameOperandsAndResultElementType]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    For `y = conv2d(x, w)` with `grad = dL/dy: [N,F,H',W']` and
    `filter = w: [F,C,KH,KW]`, gives `dL/dx: [N,C,H,W]` (the result type
    fixes H and W, which a stride may leave ambiguous). It is the
    convolution of the stride-dilated, padded `grad` with the flipped,
    transposed filter.

    Example:
    ```mlir
    %dx = nn.conv2d_input_grad %g, %w {stride = 1 : i64, padding = 0 : i64}
        : (tensor<?x6x24x24xf32>, tensor<6x1x5x5xf32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$grad, NN_F32Tensor:$filter,
                   DefaultValuedAttr<I64Attr, "1">:$stride,
                   DefaultValuedAttr<I64Attr, "0">:$padding);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $grad `,` $filter attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_Conv2DFilterGradOp : NN_Op<"conv2d_filter_grad",
                                  [SameOperandsAndResultElementType]> {
  let summary = "gradient of conv2d with respect to its filter";
  let description = [{
    For `y = conv2d(x, w)` with `input = x: [N,C,H,W]` and
    `grad = dL/dy: [N,F,H',W']`, gives `dL/dw: [F,C,KH,KW]`:
    `dw[f,c,i,j] = sum over n,h,w of grad[n,f,h,w] * xpad[n,c,h*s+i,w*s+j]`.

    Example:
    ```mlir
    %dw = nn.conv2d_filter_grad %x, %g {stride = 1 : i64, padding = 0 : i64}
        : (tensor<?x1x28x28xf32>, tensor<?x6x24x24xf32>) -> tensor<6x1x5x5xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$grad,
                   DefaultValuedAttr<I64Attr, "1">:$stride,
                   DefaultValuedAttr<I64Attr, "0">:$padding);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_MaxPool2DGradOp : NN_Op<"max_pool2d_grad",
                               [SameOperandsAndResultElementType,
                                InferTypeOpAdaptor]> {
  let summary = "gradient of max_pool2d with respect to its input";
  let description = [{
    Routes each window's adjoint in `grad: [N,C,H',W']` to the first
    maximum of that window of `input: [N,C,H,W]` in row-major order, as
    PyTorch does; overlapping windows add up. The result has the input's
    type.

    Example:
    ```mlir
    %dx = nn.max_pool2d_grad %g, %x {size = 2 : i64, stride = 2 : i64}
        : (tensor<?x6x12x12xf32>, tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$grad, NN_F32Tensor:$input,
                   I64Attr:$size, I64Attr:$stride);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $grad `,` $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_AvgPool2DGradOp : NN_Op<"avg_pool2d_grad",
                               [SameOperandsAndResultElementType]> {
  let summary = "gradient of avg_pool2d with respect to its input";
  let description = [{
    Spreads each window's adjoint in `grad: [N,C,H',W']` evenly, divided by
    `size * size`, over that window of the `[N,C,H,W]` result; overlapping
    windows add up and elements no window covers get 0.

    Example:
    ```mlir
    %dx = nn.avg_pool2d_grad %g {size = 2 : i64, stride = 2 : i64}
        : (tensor<?x6x12x12xf32>) -> tensor<?x6x24x24xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$grad, I64Attr:$size, I64Attr:$stride);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_DropoutMaskOp : NN_Op<"dropout_mask",
                             [InferTypeOpAdaptor,
                              DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the scaled keep-mask of dropout while training";
  let description = [{
    A tensor shaped like `like` (only its shape is read; it supplies the
    dynamic batch dimension) whose elements are `1 / (1 - rate)` (kept) or
    `0` (dropped), each dropped with probability `rate`. The training passes
    replace `y = nn.dropout x` by `y = x * mask`, so the backward pass
    multiplies the adjoint by the same mask (PyTorch's dropout semantics).

    The mask is a pure function of `seed` (the train block's), `salt` (which
    dropout of the model, counted from 0 in program order), the f32 scalar
    `step` (the 1-based optimizer step in `@train_step`, the constant 0 in
    `@gradients`, truncated to an integer) and each element's row-major flat
    index `i`, with `mix` the splitmix64 finalizer on 64-bit integers:
    ```
    k    = mix(mix(mix(seed) ^ step) ^ salt)
    bits = mix(k + (i + 1) * 0x9E3779B97F4A7C15)
    u    = (bits >> 40) * 2^-24              (uniform in [0, 1), 24 bits)
    mask = u >= rate ? 1 / (1 - rate) : 0
    ```
    The mask is piecewise constant in `like`, so its gradient is zero.

    Example:
    ```mlir
    %m = nn.dropout_mask %x, %step {rate = 0.5 : f32, seed = 42 : i64, salt = 0 : i64}
        : (tensor<?x128xf32>, tensor<f32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$like, NN_F32Scalar:$step, F32Attr:$rate,
                   I64Attr:$seed, I64Attr:$salt);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $like `,` $step attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // NN_DIALECT_NN_IR_NNGRADIENTOPS_TD
