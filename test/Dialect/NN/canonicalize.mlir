// RUN: nn-opt %s --canonicalize --split-input-file | FileCheck %s
// The folds of NNFolds.cpp: IEEE identities, and shape ops that undo or
// repeat each other.

// CHECK-LABEL: func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %negzero = arith.constant dense<-0.0> : tensor<4xf32>
  %0 = nn.mul %x, %one : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %1 = nn.mul %one, %x : (tensor<f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = nn.div %x, %one : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %3 = nn.sub %x, %zero : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %4 = nn.add %x, %negzero : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0, %1, %2, %3, %4 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// x + 0 turns -0 into +0, 1 - x and 2 * x are no identities, and x * 1
// that broadcasts x must stay.
// CHECK-LABEL: func @not_identities
// CHECK: nn.add
// CHECK: nn.sub
// CHECK: nn.mul
// CHECK: nn.mul
func.func @not_identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %ones = arith.constant dense<1.0> : tensor<3x4xf32>
  %0 = nn.add %x, %zero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = nn.sub %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.mul %x, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %3 = nn.mul %x, %ones : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// Undoing: gone. Two rotations: one transpose that composes them.
// CHECK: %[[R:.*]] = nn.transpose %[[X]] [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NOT: nn.transpose
// CHECK: return %[[X]], %[[R]], %[[X]]
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %a = nn.transpose %x [1, 0, 2] : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %b = nn.transpose %a [1, 0, 2] : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  %c = nn.transpose %x [1, 2, 0] : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %d = nn.transpose %c [1, 2, 0] : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  %e = nn.transpose %x [0, 1, 2] : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %b, %d, %e : tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x3xf32>)
// Reshapes of reshapes: one reshape, or none when it gives the input back;
// a flatten of a matrix is the matrix.
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
// CHECK-NEXT: %[[F:.*]] = nn.flatten %[[X]] : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
// CHECK-NEXT: return %[[R]], %[[X]], %[[F]] :
func.func @reshapes(%x: tensor<?x2x3xf32>) -> (tensor<?x3x2xf32>, tensor<?x2x3xf32>, tensor<?x6xf32>) {
  %a = nn.reshape %x : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  %b = nn.reshape %a : (tensor<?x6xf32>) -> tensor<?x3x2xf32>
  %c = nn.flatten %x : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  %d = nn.reshape %c : (tensor<?x6xf32>) -> tensor<?x2x3xf32>
  %e = nn.flatten %c : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %b, %d, %e : tensor<?x3x2xf32>, tensor<?x2x3xf32>, tensor<?x6xf32>
}
