// Numeric check of convolution and pooling against PyTorch.
// RUN: %numeric driver %s > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %numeric check %s < %t.out | FileCheck %s

// CHECK: OK conv
// REF: F.conv2d(a, b)
func.func @conv(%a: tensor<?x1x4x4xf32>, %b: tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32> {
  %0 = nn.conv2d %a, %b {stride = 1 : i64, padding = 0 : i64} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}

// CHECK: OK conv_pad_stride
// REF: F.conv2d(a, b, stride=2, padding=1)
func.func @conv_pad_stride(%a: tensor<?x2x5x5xf32>, %b: tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32> {
  %0 = nn.conv2d %a, %b {stride = 2 : i64, padding = 1 : i64} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

// The last row and column do not fit a window: dropped, as in PyTorch.
// CHECK: OK conv_floor
// REF: F.conv2d(a, b, stride=2)
func.func @conv_floor(%a: tensor<1x2x6x6xf32>, %b: tensor<1x2x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.conv2d %a, %b {stride = 2 : i64, padding = 0 : i64} : (tensor<1x2x6x6xf32>, tensor<1x2x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// CHECK: OK max_pool
// RANGE: -9 -1
// REF: F.max_pool2d(a, 2, 2)
func.func @max_pool(%a: tensor<?x2x5x5xf32>) -> tensor<?x2x2x2xf32> {
  %0 = nn.max_pool2d %a {size = 2 : i64, stride = 2 : i64} : (tensor<?x2x5x5xf32>) -> tensor<?x2x2x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}

// CHECK: OK avg_pool
// REF: F.avg_pool2d(a, 3, 2)
func.func @avg_pool(%a: tensor<?x2x5x5xf32>) -> tensor<?x2x2x2xf32> {
  %0 = nn.avg_pool2d %a {size = 3 : i64, stride = 2 : i64} : (tensor<?x2x5x5xf32>) -> tensor<?x2x2x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}
