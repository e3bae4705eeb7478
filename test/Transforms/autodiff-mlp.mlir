// RUN: nn-opt %s --nn-autodiff | FileCheck %s

// A two-layer MLP: matmul, bias broadcast (summed back over the batch),
// relu mask, cross_entropy times the loss scale, seeded
// with 1.0 times the scale; the input gets no gradient.

// CHECK-LABEL: func.func @gradients
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32> {nn.input = "x"}, %[[T:.*]]: tensor<?xi32> {nn.target}
// CHECK-SAME: %[[W1:.*]]: tensor<4x8xf32> {{{.*}}nn.param = "d1.w"}
// CHECK-SAME: %[[STEP:.*]]: tensor<f32> {nn.step}, %[[SCALE:.*]]: tensor<f32> {nn.loss_scale}
// CHECK-SAME: -> (tensor<f32> {nn.loss}, tensor<4x8xf32> {nn.grad = "d1.w"}, tensor<8xf32> {nn.grad = "d1.b"}
// CHECK: %[[H:.*]] = nn.add
// CHECK: %[[OUT:.*]] = nn.add
// CHECK: %[[CE:.*]] = nn.cross_entropy %[[OUT]], %[[T]]
// CHECK: %[[LOSS:.*]] = nn.mul %[[CE]], %[[SCALE]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SEED:.*]] = nn.mul %[[ONE]], %[[SCALE]]
// CHECK: %[[DOUT:.*]] = nn.cross_entropy_grad %[[OUT]], %[[T]], %[[SEED]]
// CHECK: %[[DB2:.*]] = nn.sum %[[DOUT]] {axes = array<i64: 0>} : (tensor<?x3xf32>) -> tensor<3xf32>
// CHECK: %[[DR:.*]] = nn.matmul %[[DOUT]], %{{.*}} : (tensor<?x3xf32>, tensor<3x8xf32>) -> tensor<?x8xf32>
// CHECK: %[[DW2:.*]] = nn.matmul %{{.*}}, %[[DOUT]] : (tensor<8x?xf32>, tensor<?x3xf32>) -> tensor<8x3xf32>
// CHECK: %[[MASK:.*]] = nn.compare gt, %[[H]], %{{.*}} :
// CHECK: %[[DH:.*]] = nn.mul %[[DR]], %[[MASK]]
// CHECK: %[[DB1:.*]] = nn.sum %[[DH]] {axes = array<i64: 0>}
// CHECK: %[[XT:.*]] = nn.transpose %[[X]] [1, 0]
// CHECK: %[[DW1:.*]] = nn.matmul %[[XT]], %[[DH]]
// CHECK-NOT: nn.matmul
// CHECK: return %[[LOSS]], %[[DW1]], %[[DB1]], %[[DW2]], %[[DB2]]
func.func @MLP(%x: tensor<?x4xf32> {nn.input = "x"},
               %w1: tensor<4x8xf32> {nn.param = "d1.w", nn.init = #nn.init<kind = zeros>},
               %b1: tensor<8xf32> {nn.param = "d1.b", nn.init = #nn.init<kind = zeros>},
               %w2: tensor<8x3xf32> {nn.param = "d2.w", nn.init = #nn.init<kind = zeros>},
               %b2: tensor<3xf32> {nn.param = "d2.b", nn.init = #nn.init<kind = zeros>})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %1 = nn.add %0, %b1 : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %2 = nn.relu %1 : tensor<?x8xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x8xf32>, tensor<8x3xf32>) -> tensor<?x3xf32>
  %4 = nn.add %3, %b2 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %4 : tensor<?x3xf32>
}
