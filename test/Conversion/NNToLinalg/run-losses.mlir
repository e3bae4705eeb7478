// Numeric check of the losses against PyTorch.
// RUN: %numeric driver %s > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %numeric check %s < %t.out | FileCheck %s

// CHECK: OK cross_entropy
// INTS: 5
// RANGE: -3 3
// REF: F.cross_entropy(a, b.long())
func.func @cross_entropy(%a: tensor<?x5xf32>, %b: tensor<?xi32>) -> tensor<f32> {
  %0 = nn.cross_entropy %a, %b : (tensor<?x5xf32>, tensor<?xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Logits this large overflow exp without the max subtraction.
// CHECK: OK cross_entropy_large
// INTS: 4
// RANGE: 100 400
// TOL: 1e-3
// REF: F.cross_entropy(a, b.long())
func.func @cross_entropy_large(%a: tensor<6x4xf32>, %b: tensor<6xi32>) -> tensor<f32> {
  %0 = nn.cross_entropy %a, %b : (tensor<6x4xf32>, tensor<6xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: OK mse
// REF: F.mse_loss(a, b)
func.func @mse(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<f32> {
  %0 = nn.mse %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: OK mse_3d
// REF: F.mse_loss(a, b)
func.func @mse_3d(%a: tensor<2x3x4xf32>, %b: tensor<2x3x4xf32>) -> tensor<f32> {
  %0 = nn.mse %a, %b : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
