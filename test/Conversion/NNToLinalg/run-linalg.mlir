// Numeric check of matmul, transpose and the shape ops against PyTorch.
// RUN: %numeric driver %s > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %numeric check %s < %t.out | FileCheck %s

// CHECK: OK matmul
// REF: a @ b
func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// CHECK: OK matmul_batch
// REF: torch.bmm(a, b)
func.func @matmul_batch(%a: tensor<?x2x4xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x2x4xf32>, tensor<?x4x5xf32>) -> tensor<?x2x5xf32>
  return %0 : tensor<?x2x5xf32>
}

// CHECK: OK matmul_shared
// REF: a @ b
func.func @matmul_shared(%a: tensor<?x2x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x2x4xf32>, tensor<4x5xf32>) -> tensor<?x2x5xf32>
  return %0 : tensor<?x2x5xf32>
}

// CHECK: OK transpose
// REF: a.permute(2, 0, 1)
func.func @transpose(%a: tensor<?x2x4xf32>) -> tensor<4x?x2xf32> {
  %0 = nn.transpose %a [2, 0, 1] : (tensor<?x2x4xf32>) -> tensor<4x?x2xf32>
  return %0 : tensor<4x?x2xf32>
}

// CHECK: OK transpose_int
// INTS: 100
// REF: a.t()
func.func @transpose_int(%a: tensor<2x3xi32>) -> tensor<3x2xi32> {
  %0 = nn.transpose %a [1, 0] : (tensor<2x3xi32>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// CHECK: OK reshape_expand
// REF: a.reshape(-1, 1, 2, 3)
func.func @reshape_expand(%a: tensor<?x6xf32>) -> tensor<?x1x2x3xf32> {
  %0 = nn.reshape %a : (tensor<?x6xf32>) -> tensor<?x1x2x3xf32>
  return %0 : tensor<?x1x2x3xf32>
}

// CHECK: OK reshape_regroup
// REF: a.reshape(-1, 3, 2)
func.func @reshape_regroup(%a: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %0 = nn.reshape %a : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
  return %0 : tensor<?x3x2xf32>
}

// CHECK: OK reshape_static
// INTS: 100
// REF: a.reshape(6, 2)
func.func @reshape_static(%a: tensor<3x4xi32>) -> tensor<6x2xi32> {
  %0 = nn.reshape %a : (tensor<3x4xi32>) -> tensor<6x2xi32>
  return %0 : tensor<6x2xi32>
}

// CHECK: OK flatten
// REF: a.flatten(1)
func.func @flatten(%a: tensor<?x2x2x3xf32>) -> tensor<?x12xf32> {
  %0 = nn.flatten %a : (tensor<?x2x2x3xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// CHECK: OK concat
// REF: torch.cat([a, b, a], 1)
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x7xf32> {
  %0 = nn.concat %a, %b, %a {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>, tensor<?x2xf32>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// CHECK: OK concat_int
// INTS: 100
// REF: torch.cat([a, b], 0)
func.func @concat_int(%a: tensor<?xi32>, %b: tensor<2xi32>) -> tensor<?xi32> {
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<?xi32>, tensor<2xi32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}
