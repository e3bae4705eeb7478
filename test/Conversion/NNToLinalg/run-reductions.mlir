// Numeric check of reductions, softmax and argmax against PyTorch.
// RUN: %numeric driver %s > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %numeric check %s < %t.out | FileCheck %s

// CHECK: OK sum_axis
// REF: a.sum(1)
func.func @sum_axis(%a: tensor<?x4xf32>) -> tensor<?xf32> {
  %0 = nn.sum %a {axes = array<i64: 1>} : (tensor<?x4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// CHECK: OK sum_all
// REF: a.sum()
func.func @sum_all(%a: tensor<?x2x4xf32>) -> tensor<f32> {
  %0 = nn.sum %a : (tensor<?x2x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: OK sum_keepdims
// REF: a.sum((0, 2), keepdim=True)
func.func @sum_keepdims(%a: tensor<?x2x4xf32>) -> tensor<1x2x1xf32> {
  %0 = nn.sum %a {axes = array<i64: 0, 2>, keepdims = true} : (tensor<?x2x4xf32>) -> tensor<1x2x1xf32>
  return %0 : tensor<1x2x1xf32>
}

// CHECK: OK mean_batch
// REF: a.mean(0)
func.func @mean_batch(%a: tensor<?x4xf32>) -> tensor<4xf32> {
  %0 = nn.mean %a {axes = array<i64: 0>} : (tensor<?x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK: OK mean_keepdims
// REF: a.mean(1, keepdim=True)
func.func @mean_keepdims(%a: tensor<?x5xf32>) -> tensor<?x1xf32> {
  %0 = nn.mean %a {axes = array<i64: 1>, keepdims = true} : (tensor<?x5xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// CHECK: OK mean_all
// REF: a.mean()
func.func @mean_all(%a: tensor<?x5xf32>) -> tensor<f32> {
  %0 = nn.mean %a : (tensor<?x5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: OK reduce_max
// REF: a.amax(1)
func.func @reduce_max(%a: tensor<?x5xf32>) -> tensor<?xf32> {
  %0 = nn.reduce_max %a {axes = array<i64: 1>} : (tensor<?x5xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// CHECK: OK reduce_max_neg
// RANGE: -9 -1
// REF: a.amax()
func.func @reduce_max_neg(%a: tensor<2x3xf32>) -> tensor<f32> {
  %0 = nn.reduce_max %a : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: OK softmax
// RANGE: -5 5
// REF: torch.softmax(a, 1)
func.func @softmax(%a: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = nn.softmax %a {axis = 1 : i64} : tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// Large inputs overflow exp unless the maximum is subtracted first.
// CHECK: OK softmax_large
// RANGE: 80 120
// REF: torch.softmax(a, 0)
func.func @softmax_large(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.softmax %a {axis = 0 : i64} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK: OK log_softmax
// RANGE: 80 120
// TOL: 1e-4
// REF: torch.log_softmax(a, 1)
func.func @log_softmax(%a: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = nn.log_softmax %a {axis = 1 : i64} : tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// CHECK: OK log_softmax_3d
// REF: torch.log_softmax(a, 1)
func.func @log_softmax_3d(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.log_softmax %a {axis = 1 : i64} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Integer-valued inputs make ties; the first maximum wins.
// CHECK: OK argmax_ties
// ROUND: yes
// RANGE: 0 2
// REF: np.array([list(r).index(max(r)) for r in a.tolist()])
func.func @argmax_ties(%a: tensor<?x6xf32>) -> tensor<?xi32> {
  %0 = nn.argmax %a {axis = 1 : i64} : (tensor<?x6xf32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// CHECK: OK argmax_axis0
// REF: a.argmax(0)
func.func @argmax_axis0(%a: tensor<?x6xf32>) -> tensor<6xi32> {
  %0 = nn.argmax %a {axis = 0 : i64} : (tensor<?x6xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}
