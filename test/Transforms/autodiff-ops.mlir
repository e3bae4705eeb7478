// RUN: nn-opt %s --split-input-file --nn-autodiff | FileCheck %s

// Convolution and pooling use the gradient-only ops; the input's adjoint
// is not needed and is dropped.
// CHECK-LABEL: func.func @gradients
// CHECK: %[[DP:.*]] = nn.cross_entropy_grad
// CHECK: %[[DM:.*]] = nn.reshape %[[DP]] : (tensor<?x24xf32>) -> tensor<?x2x3x4xf32>
// CHECK: %[[DR:.*]] = nn.max_pool2d_grad %[[DM]], %{{.*}} {size = 2 : i64, stride = 1 : i64}
// CHECK: nn.max_pool2d_grad %[[DR]], %{{.*}} {size = 2 : i64, stride = 2 : i64}
// CHECK: %[[DC:.*]] = nn.avg_pool2d_grad
// CHECK-NOT: nn.conv2d_input_grad
// CHECK: %[[DW:.*]] = nn.conv2d_filter_grad %{{.*}}, %{{.*}} {padding = 1 : i64} : (tensor<?x1x8x10xf32>, tensor<?x2x8x10xf32>) -> tensor<2x1x3x3xf32>
// CHECK: return %{{.*}}, %[[DW]]
func.func @Conv(%x: tensor<?x1x8x10xf32> {nn.input = "x"}, %w: tensor<2x1x3x3xf32> {nn.param = "c.w"})
    -> tensor<?x24xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.conv2d %x, %w {stride = 1 : i64, padding = 1 : i64} : (tensor<?x1x8x10xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x10xf32>
  %1 = nn.avg_pool2d %0 {size = 1 : i64, stride = 1 : i64} : (tensor<?x2x8x10xf32>) -> tensor<?x2x8x10xf32>
  %2 = nn.max_pool2d %1 {size = 2 : i64, stride = 2 : i64} : (tensor<?x2x8x10xf32>) -> tensor<?x2x4x5xf32>
  %7 = nn.max_pool2d %2 {size = 2 : i64, stride = 1 : i64} : (tensor<?x2x4x5xf32>) -> tensor<?x2x3x4xf32>
  %8 = nn.reshape %7 : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  return %8 : tensor<?x24xf32>
}

// -----

// A parameter used twice gets its adjoints added; one that does not reach
// the loss (only through argmax) gets zeros. mean over the dynamic batch
// divides by nn.num_elements; concat's adjoint is sliced.
// CHECK-LABEL: func.func @gradients
// CHECK-DAG: nn.num_elements %{{.*}} {axes = array<i64: 0>} : (tensor<?x6xf32>) -> tensor<f32>
// CHECK-DAG: nn.slice %{{.*}} {axis = 1 : i64, offset = 3 : i64} : (tensor<?x6xf32>) -> tensor<?x3xf32>
// CHECK: %[[ACC:.*]] = nn.add %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: return %{{.*}}, %[[ACC]], %[[ZERO]]
func.func @Share(%x: tensor<?x3xf32> {nn.input = "x"}, %a: tensor<3xf32> {nn.param = "a"},
                 %u: tensor<3xf32> {nn.param = "unused"})
    -> tensor<6xf32> attributes {nn.model, nn.train = #nn.train<loss = mse>} {
  %0 = nn.mul %x, %a : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %x, %a : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.concat %0, %1 {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  %3 = nn.mean %2 {axes = array<i64: 0>} : (tensor<?x6xf32>) -> tensor<6xf32>
  %4 = nn.add %x, %u : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = nn.argmax %4 {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xi32>
  return %3 : tensor<6xf32>
}
