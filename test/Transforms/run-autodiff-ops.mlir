// Gradients of the unary, binary, reduction, softmax and shape ops against
// PyTorch autograd, through an mse loss. Parameters are used several times
// (fan-out) and broadcast in several ways.
// RUN: nn-opt %s --nn-autodiff > %t.ad.mlir
// RUN: %gradcheck driver grad %s %t.ad.mlir > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %gradcheck check grad %s < %t.out | FileCheck %s

// CHECK: OK loss
// CHECK: OK grad a
// CHECK: OK grad b
// CHECK: OK grad c
// CHECK: OK grad d
// CHECK: OK grad e
// CHECK-NOT: FAIL

// TORCH: torch.cat([ (torch.exp(x * a) + torch.log(torch.abs(x) + 1.5) - torch.sqrt(torch.sigmoid(x) + b)) / (torch.tanh(x) + 2.0), F.gelu(x - c, approximate="tanh") * F.leaky_relu(x, 0.2) + torch.maximum(x, b).pow(2.0), -torch.minimum(x, c) + torch.softmax(x * d, 1) + torch.log_softmax(x, 1).mean(1, keepdim=True) + (x * a).sum(0) + (x @ e.t()).amax(1, keepdim=True) ], 1) + torch.matmul(x.reshape(3, 1, 4), e).sum() * 0.1
func.func @Zoo(%x: tensor<?x4xf32> {nn.input = "x"},
               %a: tensor<4xf32> {nn.param = "a"},
               %b: tensor<1x4xf32> {nn.param = "b"},
               %c: tensor<f32> {nn.param = "c"},
               %d: tensor<4xf32> {nn.param = "d"},
               %e: tensor<4x4xf32> {nn.param = "e"})
    -> tensor<?x12xf32> attributes {nn.model, nn.train = #nn.train<loss = mse>} {
  %two = arith.constant dense<2.0> : tensor<f32>
  %one5 = arith.constant dense<1.5> : tensor<f32>
  %0 = nn.mul %x, %a : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = nn.exp %0 : tensor<?x4xf32>
  %2 = nn.abs %x : tensor<?x4xf32>
  %3 = nn.add %2, %one5 : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %4 = nn.log %3 : tensor<?x4xf32>
  %5 = nn.sigmoid %x : tensor<?x4xf32>
  %6 = nn.add %5, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %7 = nn.sqrt %6 : tensor<?x4xf32>
  %8 = nn.add %1, %4 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %9 = nn.sub %8, %7 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %10 = nn.tanh %x : tensor<?x4xf32>
  %11 = nn.add %10, %two : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %p1 = nn.div %9, %11 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %12 = nn.sub %x, %c : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %13 = nn.gelu %12 : tensor<?x4xf32>
  %14 = nn.leaky_relu %x {alpha = 0.2 : f32} : tensor<?x4xf32>
  %15 = nn.mul %13, %14 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %16 = nn.maximum %x, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %17 = nn.pow %16 {exponent = 2.0 : f32} : tensor<?x4xf32>
  %p2 = nn.add %15, %17 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %18 = nn.minimum %x, %c : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %19 = nn.neg %18 : tensor<?x4xf32>
  %20 = nn.mul %x, %d : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %21 = nn.softmax %20 {axis = 1 : i64} : tensor<?x4xf32>
  %22 = nn.log_softmax %x {axis = 1 : i64} : tensor<?x4xf32>
  %23 = nn.mean %22 {axes = array<i64: 1>, keepdims = true} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %24 = nn.sum %0 {axes = array<i64: 0>} : (tensor<?x4xf32>) -> tensor<4xf32>
  %25 = nn.transpose %e [1, 0] : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %26 = nn.matmul %x, %25 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %27 = nn.reduce_max %26 {axes = array<i64: 1>, keepdims = true} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %28 = nn.add %19, %21 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %29 = nn.add %28, %23 : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %30 = nn.add %29, %24 : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %p3 = nn.add %30, %27 : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %cat = nn.concat %p1, %p2, %p3 {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x12xf32>
  %31 = nn.reshape %x : (tensor<?x4xf32>) -> tensor<?x1x4xf32>
  %33 = nn.matmul %31, %e : (tensor<?x1x4xf32>, tensor<4x4xf32>) -> tensor<?x1x4xf32>
  %34 = nn.sum %33 : (tensor<?x1x4xf32>) -> tensor<f32>
  %tenth = arith.constant dense<0.1> : tensor<f32>
  %35 = nn.mul %34, %tenth : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %out = nn.add %cat, %35 : (tensor<?x12xf32>, tensor<f32>) -> tensor<?x12xf32>
  return %out : tensor<?x12xf32>
}
