// Gradients through conv2d (stride, padding), max/avg pooling, reshape,
// flatten, log_softmax/mean-free loss against PyTorch autograd.
// RUN: nn-opt %s --nn-autodiff > %t.ad.mlir
// RUN: %gradcheck driver grad %s %t.ad.mlir > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %gradcheck check grad %s < %t.out | FileCheck %s

// CHECK: OK loss
// CHECK: OK grad w1
// CHECK: OK grad b1
// CHECK: OK grad w2
// CHECK: OK grad w3
// CHECK-NOT: FAIL

// TORCH: F.relu(F.avg_pool2d(F.conv2d(F.max_pool2d(F.relu(F.conv2d(x.reshape(-1, 1, 7, 7), w1, padding=1) + b1.reshape(1, 2, 1, 1)), 3, 2), w2, stride=2, padding=1), 1, 1)).flatten(1) @ w3
func.func @CNN(%x: tensor<?x49xf32> {nn.input = "x"},
               %w1: tensor<2x1x3x3xf32> {nn.param = "c1.w"},
               %b1: tensor<2x1x1xf32> {nn.param = "c1.b"},
               %w2: tensor<3x2x2x2xf32> {nn.param = "c2.w"},
               %w3: tensor<12x4xf32> {nn.param = "d.w"})
    -> tensor<?x4xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.reshape %x : (tensor<?x49xf32>) -> tensor<?x1x7x7xf32>
  %1 = nn.conv2d %0, %w1 {stride = 1 : i64, padding = 1 : i64} : (tensor<?x1x7x7xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x7x7xf32>
  %2 = nn.add %1, %b1 : (tensor<?x2x7x7xf32>, tensor<2x1x1xf32>) -> tensor<?x2x7x7xf32>
  %3 = nn.relu %2 : tensor<?x2x7x7xf32>
  %4 = nn.max_pool2d %3 {size = 3 : i64, stride = 2 : i64} : (tensor<?x2x7x7xf32>) -> tensor<?x2x3x3xf32>
  %5 = nn.conv2d %4, %w2 {stride = 2 : i64, padding = 1 : i64} : (tensor<?x2x3x3xf32>, tensor<3x2x2x2xf32>) -> tensor<?x3x2x2xf32>
  %6 = nn.avg_pool2d %5 {size = 1 : i64, stride = 1 : i64} : (tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  %7 = nn.relu %6 : tensor<?x3x2x2xf32>
  %8 = nn.flatten %7 : (tensor<?x3x2x2xf32>) -> tensor<?x12xf32>
  %9 = nn.matmul %8, %w3 : (tensor<?x12xf32>, tensor<12x4xf32>) -> tensor<?x4xf32>
  return %9 : tensor<?x4xf32>
}
