// Gradients of an MLP against PyTorch autograd, of the loss scaled by 0.375
// (a data-parallel rank's share of the global batch).
// RUN: nn-opt %s --nn-autodiff > %t.ad.mlir
// RUN: %gradcheck driver grad %s %t.ad.mlir > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %gradcheck check grad %s < %t.out | FileCheck %s

// CHECK: OK loss
// CHECK: OK grad w1
// CHECK: OK grad b1
// CHECK: OK grad w2
// CHECK: OK grad b2
// CHECK-NOT: FAIL

// SCALE: 0.375
// TORCH: F.relu(x @ w1 + b1) @ w2 + b2
func.func @MLP(%x: tensor<?x4xf32> {nn.input = "x"},
               %w1: tensor<4x8xf32> {nn.param = "d1.w"},
               %b1: tensor<8xf32> {nn.param = "d1.b"},
               %w2: tensor<8x3xf32> {nn.param = "d2.w"},
               %b2: tensor<3xf32> {nn.param = "d2.b"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %1 = nn.add %0, %b1 : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %2 = nn.relu %1 : tensor<?x8xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x8xf32>, tensor<8x3xf32>) -> tensor<?x3xf32>
  %4 = nn.add %3, %b2 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %4 : tensor<?x3xf32>
}
