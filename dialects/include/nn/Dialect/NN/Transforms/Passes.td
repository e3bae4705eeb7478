//===- Passes.td - nn dialect passes -----------------------*- tablegen -*-===//

#ifndef NN_DIALECT_NN_TRANSFORMS_PASSES_TD
#define NN_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AutodiffPass : Pass<"nn-autodiff", "ModuleOp"> {
  let summary = "Builds @gradients, the loss and its gradients, by reverse-mode AD";
  let description = [{
    Finds the model function (`nn.model` with an `nn.train` dictionary) and
    adds `func.func @gradients(inputs..., target, params..., step, scale)
    -> (loss, grad per param...)`: a copy of the forward pass, the
    `nn.train` loss times `scale`, and the reverse sweep. `step`
    (`tensor<f32>`, marked `nn.step`) picks the dropout masks; `scale`
    (`tensor<f32>`, marked `nn.loss_scale`) is 1 for gradcheck and a rank's
    share of the global batch in data-parallel training. Each op's vector-Jacobian product comes from its
    `GradientOpInterface`; the pass only orders them, adds up the adjoints
    of values used more than once (`nn.add`), skips values that do not
    depend on a parameter (inputs, labels, constants, argmax), and gives an
    unused parameter a zero gradient. Arguments keep `nn.input` / `nn.param`
    and the target is marked `nn.target`. A module without `nn.train` is
    left alone. See docs/autodiff.md.

    Before:
    ```mlir
    func.func @M(%x: tensor<?x4xf32> {nn.input = "x"},
                 %w: tensor<4x3xf32> {nn.param = "w"}) -> tensor<?x3xf32>
        attributes {nn.model, nn.train = {loss = "cross_entropy", ...}} {
      %y = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
      return %y : tensor<?x3xf32>
    }
    ```
    After (added beside @M):
    ```mlir
    func.func @gradients(%x: tensor<?x4xf32> {nn.input = "x"},
                         %t: tensor<?xi32> {nn.target},
                         %w: tensor<4x3xf32> {nn.param = "w"},
                         %step: tensor<f32> {nn.step},
                         %scale: tensor<f32> {nn.loss_scale})
        -> (tensor<f32> {nn.loss}, tensor<4x3xf32> {nn.grad = "w"}) {
      %y = nn.matmul %x, %w : ...
      %l0 = nn.cross_entropy %y, %t : ...
      %l = nn.mul %l0, %scale : ...
      %one = arith.constant dense<1.0> : tensor<f32>
      %seed = nn.mul %one, %scale : ...
      %dy = nn.cross_entropy_grad %y, %t, %seed : ...
      %xt = nn.transpose %x [1, 0] : (tensor<?x4xf32>) -> tensor<4x?xf32>
      %dw = nn.matmul %xt, %dy : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
      return %l, %dw : tensor<f32>, tensor<4x3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def BuildTrainStepPass : Pass<"nn-build-train-step", "ModuleOp"> {
  let summary = "Builds @train_step and @apply_gradients: the optimizer update";
  let description = [{
    Adds `func.func @train_step(inputs..., target, params..., states...,
    lr, step) -> (loss, new params..., new states...)` for the model
    function's `nn.train` block: the same forward pass and reverse sweep as
    `nn-autodiff`, followed by the optimizer update of `nn.train`'s
    `optimizer` (`sgd` with momentum, nesterov and weight_decay; `adam`;
    `adamw`), written as PyTorch's torch.optim computes it. States are
    ordered param-major (for each parameter in order, its slots in order:
    sgd `momentum` when momentum != 0; adam/adamw `exp_avg`, `exp_avg_sq`)
    and carry `nn.state = "<param>.<slot>"`. `lr` and `step` (the 1-based
    step count, for Adam's bias correction) are `tensor<f32>` arguments
    marked `nn.lr` and `nn.step`. Beside it, `func.func @apply_gradients(
    params..., grads..., states..., lr, step) -> (new params...,
    new states...)` applies the same update to gradients passed in (marked
    `nn.grad = "<param>"`): data-parallel training sums them over processes
    between `@gradients` and this.

    Before: the model of `nn-autodiff` with
    `optimizer = {kind = "sgd", lr = 0.1, momentum = 0.9, nesterov = false, weight_decay = 0.0}`.
    After (added beside it):
    ```mlir
    func.func @train_step(%x: tensor<?x4xf32> {nn.input = "x"},
                          %t: tensor<?xi32> {nn.target},
                          %w: tensor<4x3xf32> {nn.param = "w"},
                          %buf: tensor<4x3xf32> {nn.state = "w.momentum"},
                          %lr: tensor<f32> {nn.lr}, %step: tensor<f32> {nn.step})
        -> (tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>) {
      ... loss %l and gradient %dw as in @gradients ...
      %m = arith.constant dense<9.0e-01> : tensor<f32>
      %b0 = nn.mul %buf, %m : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
      %b1 = nn.add %b0, %dw : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
      %u = nn.mul %lr, %b1 : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
      %w1 = nn.sub %w, %u : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
      return %l, %w1, %b1 : tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GradientsF64Pass : Pass<"nn-gradients-f64", "ModuleOp"> {
  let summary = "Adds @gradients_f64, a float64 copy of @gradients for gradcheck";
  let description = [{
    Runs on linalg on tensors. Clones `@gradients` as `@gradients_f64` with
    every f32 (scalar, tensor element, constant, block argument of a linalg
    body) widened to f64, so that `gradcheck` can take finite differences in
    double precision as PyTorch's gradcheck does. Named linalg ops become
    linalg.generic, so that the targets' tiling for speed leaves the copy
    alone (it only has to be right). Widening is exact for the
    arith, math, linalg and tensor ops the lowering of nn produces; a body
    that reinterprets f32 bits (`arith.bitcast`, as the dropout RNG does) or
    any other op the copy cannot verify with leaves the module without
    `@gradients_f64`, and gradcheck falls back to float32 differences.

    Before: `func.func @gradients(%x: tensor<?x4xf32>, ...) -> (tensor<f32>, ...)`.
    After (added beside it):
    `func.func @gradients_f64(%x: tensor<?x4xf64>, ...) -> (tensor<f64>, ...)`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

#endif // NN_DIALECT_NN_TRANSFORMS_PASSES_TD
