//===- Passes.td - nnc conversion passes -------------------*- tablegen -*-===//

#ifndef NN_CONVERSION_PASSES_TD
#define NN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"convert-nn-to-linalg", "ModuleOp"> {
  let summary = "Lowers nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op into upstream ops on tensors: named linalg ops where
    they exist (matmul, batch_matmul, conv_2d_nchw_fchw, pooling_nchw_*),
    `linalg.generic` for elementwise maps and reductions, `tensor` ops for
    shapes. Broadcasting becomes indexing maps, so elementwise chains fuse
    later with `nn-fuse-elementwise`.

    Before:
    ```mlir
    %r = nn.relu %x : tensor<?x10xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty(%n) : tensor<?x10xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<?x10xf32>) outs(%e : tensor<?x10xf32>) {
      ^bb0(%in: f32, %out: f32):
        %z = arith.constant 0.0 : f32
        %m = arith.maximumf %in, %z : f32
        linalg.yield %m : f32
    } -> tensor<?x10xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def FuseElementwiseKeepNamedPass
    : Pass<"nn-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "linalg-fuse-elementwise-ops that keeps named linalg ops named";
  let description = [{
    The patterns of upstream `linalg-fuse-elementwise-ops` (elementwise
    fusion, reshapes folded into generics by expansion, their clean-ups), with
    one difference: a reshape is never folded into a named linalg op. Upstream
    folds a `tensor.expand_shape` of a `linalg.matmul`'s result into the
    matmul, which turns it into a `linalg.generic` that the CPU codegen's
    matmul tiles no longer match: LeNet's flatten gradient, dX = dY Wᵀ viewed
    as [N, 16, 4, 4], ran as scalar loops.

    Before (upstream fusion):
    ```mlir
    %m = linalg.matmul indexing_maps = [...] ins(%dy, %w : ...) outs(%f : tensor<?x256xf32>)
    %e = tensor.expand_shape %m [[0], [1, 2, 3]] : tensor<?x256xf32> into tensor<?x16x4x4xf32>
    ```
    is left as it is; the view costs nothing after bufferization.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // NN_CONVERSION_PASSES_TD
