// Numeric check of the elementwise lowerings against PyTorch.
// RUN: %numeric driver %s > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %numeric check %s < %t.out | FileCheck %s

// CHECK: OK add_bcast
// REF: a + b
func.func @add_bcast(%a: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = nn.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK: OK sub_scalar
// REF: a - b
func.func @sub_scalar(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.sub %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK mul_keepdims
// REF: a * b
func.func @mul_keepdims(%a: tensor<?x4xf32>, %b: tensor<?x1xf32>) -> tensor<?x4xf32> {
  %0 = nn.mul %a, %b : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK: OK div_both
// REF: a / b
func.func @div_both(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.div %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: OK maximum
// REF: torch.maximum(a, b)
func.func @maximum(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.maximum %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK minimum
// REF: torch.minimum(a, b)
func.func @minimum(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.minimum %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK int_ops
// INTS: 10
// REF: torch.minimum(torch.maximum((a + b) * a - b, b), a + 5)
func.func @int_ops(%a: tensor<?xi32>, %b: tensor<1xi32>) -> tensor<?xi32> {
  %0 = nn.add %a, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %1 = nn.mul %0, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %2 = nn.sub %1, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %3 = nn.maximum %2, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %c = arith.constant dense<5> : tensor<i32>
  %4 = nn.add %a, %c : (tensor<?xi32>, tensor<i32>) -> tensor<?xi32>
  %5 = nn.minimum %3, %4 : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  return %5 : tensor<?xi32>
}

// CHECK: OK neg
// REF: -a
func.func @neg(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.neg %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK exp
// REF: torch.exp(a)
func.func @exp(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.exp %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK log
// RANGE: 0.1 5
// REF: torch.log(a)
func.func @log(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.log %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK sqrt
// RANGE: 0 5
// REF: torch.sqrt(a)
func.func @sqrt(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sqrt %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK tanh
// RANGE: -6 6
// REF: torch.tanh(a)
func.func @tanh(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.tanh %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK sigmoid
// RANGE: -30 30
// REF: torch.sigmoid(a)
func.func @sigmoid(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.sigmoid %a : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: OK relu
// REF: torch.relu(a)
func.func @relu(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.relu %a : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// CHECK: OK gelu
// RANGE: -5 5
// REF: F.gelu(a, approximate="tanh")
func.func @gelu(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.gelu %a : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: OK abs
// REF: torch.abs(a)
func.func @abs(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.abs %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK leaky_relu
// REF: F.leaky_relu(a, 0.2)
func.func @leaky_relu(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.leaky_relu %a {alpha = 0.2 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK pow_int
// REF: torch.pow(a, 3.0)
func.func @pow_int(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a {exponent = 3.0 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK pow_neg
// RANGE: 0.5 3
// REF: torch.pow(a, -2.0)
func.func @pow_neg(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a {exponent = -2.0 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK pow_frac
// RANGE: 0 3
// REF: torch.pow(a, 1.5)
func.func @pow_frac(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a {exponent = 1.5 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK dropout
// REF: a
func.func @dropout(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.dropout %a {rate = 0.5 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: OK chain
// REF: torch.relu(a + b)
func.func @chain(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = nn.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = nn.relu %0 : tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}
