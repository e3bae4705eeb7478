// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @conv_pool
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 2, 2] high[0, 0, 2, 2]
// CHECK: } : tensor<?x1x28x28xf32> to tensor<?x1x32x32xf32>
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %arg1 : {{.*}}) outs(%[[Z]] : tensor<?x6x28x28xf32>)
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: %[[W:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[C]], %[[W]] :
// CHECK: %[[S:.*]] = linalg.pooling_nchw_sum {{.*}} ins(%[[C]], %{{.*}} :
// CHECK: %[[FOUR:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[S]] :
// CHECK: arith.divf %{{.*}}, %[[FOUR]]
func.func @conv_pool(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) -> (tensor<?x6x14x14xf32>, tensor<?x6x14x14xf32>) {
  %0 = nn.conv2d %x, %w {stride = 1 : i64, padding = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x28x28xf32>
  %1 = nn.max_pool2d %0 {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x28x28xf32>) -> tensor<?x6x14x14xf32>
  %2 = nn.avg_pool2d %0 {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x28x28xf32>) -> tensor<?x6x14x14xf32>
  return %1, %2 : tensor<?x6x14x14xf32>, tensor<?x6x14x14xf32>
}

// Without padding there is no tensor.pad.
// CHECK-LABEL: func.func @conv_stride
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %arg1 :
func.func @conv_stride(%x: tensor<?x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x4x4xf32> {
  %0 = nn.conv2d %x, %w {stride = 2 : i64, padding = 0 : i64} : (tensor<?x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x4x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}
