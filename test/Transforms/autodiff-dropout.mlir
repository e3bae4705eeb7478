// RUN: nn-opt %s --split-input-file --nn-autodiff --nn-build-train-step | FileCheck %s

// Dropout with rate > 0 becomes `x * nn.dropout_mask(x, step)`; the backward
// pass multiplies the adjoint by the same mask. Each dropout gets its own
// salt (0, 1, ... in program order) and the train seed; @gradients and
// @train_step take the step that picks the masks as their last argument
// (gradcheck passes the same one to every call). Rate 0 stays the identity.

// CHECK-LABEL: func.func @gradients
// CHECK-SAME: %[[GSTEP:[^:]*]]: tensor<f32> {nn.step}, %{{.*}}: tensor<f32> {nn.loss_scale}) -> (tensor<f32> {nn.loss}
// CHECK: %[[H:.*]] = nn.matmul
// CHECK: %[[M0:.*]] = nn.dropout_mask %[[H]], %[[GSTEP]] {rate = 5.000000e-01 : f32, salt = 0 : i64, seed = 7 : i64}
// CHECK: %[[Y0:.*]] = nn.mul %[[H]], %[[M0]]
// CHECK: %[[M1:.*]] = nn.dropout_mask %[[Y0]], %[[GSTEP]] {rate = 2.500000e-01 : f32, salt = 1 : i64, seed = 7 : i64}
// CHECK: %[[Y1:.*]] = nn.mul %[[Y0]], %[[M1]]
// CHECK: %[[Y2:.*]] = nn.dropout %[[Y1]] {rate = 0.000000e+00 : f32}
// CHECK: nn.cross_entropy %[[Y2]]
// CHECK: %[[G:.*]] = nn.cross_entropy_grad
// CHECK: %[[G1:.*]] = nn.mul %[[G]], %[[M1]]
// CHECK: %[[G0:.*]] = nn.mul %[[G1]], %[[M0]]
// CHECK: nn.matmul %{{.*}}, %[[G0]]
// CHECK-NOT: nn.dropout_mask

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<f32> {nn.step}
// CHECK: %[[H:.*]] = nn.matmul
// CHECK: %[[M0:.*]] = nn.dropout_mask %[[H]], %[[STEP]] {rate = 5.000000e-01 : f32, salt = 0 : i64, seed = 7 : i64}
// CHECK: %[[Y0:.*]] = nn.mul %[[H]], %[[M0]]
// CHECK: %[[M1:.*]] = nn.dropout_mask %[[Y0]], %[[STEP]] {rate = 2.500000e-01 : f32, salt = 1 : i64, seed = 7 : i64}
// CHECK: %[[G:.*]] = nn.cross_entropy_grad
// CHECK: %[[G1:.*]] = nn.mul %[[G]], %[[M1]]
// CHECK: %[[G0:.*]] = nn.mul %[[G1]], %[[M0]]
func.func @Drop(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy, seed = 7>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.dropout %0 {rate = 0.5 : f32} : tensor<?x3xf32>
  %2 = nn.dropout %1 {rate = 0.25 : f32} : tensor<?x3xf32>
  %3 = nn.dropout %2 {rate = 0.0 : f32} : tensor<?x3xf32>
  return %3 : tensor<?x3xf32>
}

// -----

// No seed in the train block: seed 0. A dropout on a model input is not
// active (no parameter behind it), so it needs no backward mask.
// CHECK-LABEL: func.func @gradients
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4xf32> {nn.input = "x"}
// CHECK: %[[M:.*]] = nn.dropout_mask %[[X]], %{{.*}} {rate = 5.000000e-01 : f32, salt = 0 : i64, seed = 0 : i64}
// CHECK: %[[Y:.*]] = nn.mul %[[X]], %[[M]]
// CHECK: nn.matmul %[[Y]], %{{.*}} : (tensor<?x4xf32>, tensor<4x3xf32>)
// CHECK-NOT: %[[M]]
// CHECK: return
// CHECK-LABEL: func.func @train_step
// CHECK: nn.dropout_mask %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f32, salt = 0 : i64, seed = 0 : i64}
func.func @InputDrop(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = mse>} {
  %0 = nn.dropout %x {rate = 0.5 : f32} : tensor<?x4xf32>
  %1 = nn.matmul %0, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}
