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
    later with `linalg-fuse-elementwise-ops`.

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

#endif // NN_CONVERSION_PASSES_TD
