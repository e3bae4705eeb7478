// RUN: nn-opt %s | nn-opt | FileCheck %s
// RUN: nn-opt %s --mlir-print-op-generic | nn-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<?x10xf32>, %b: tensor<10xf32>, %s: tensor<f32>) -> tensor<?x10xf32> {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %0 = nn.add %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: nn.sub {{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %1 = nn.sub %0, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: nn.mul
  %2 = nn.mul %1, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: nn.div
  %3 = nn.div %2, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: nn.maximum
  %4 = nn.maximum %3, %a : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  // CHECK: nn.minimum
  %5 = nn.minimum %4, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: nn.neg %{{.*}} : tensor<?x10xf32>
  %6 = nn.neg %5 : tensor<?x10xf32>
  // CHECK: nn.exp
  %7 = nn.exp %6 : tensor<?x10xf32>
  // CHECK: nn.log
  %8 = nn.log %7 : tensor<?x10xf32>
  // CHECK: nn.sqrt
  %9 = nn.sqrt %8 : tensor<?x10xf32>
  // CHECK: nn.tanh
  %10 = nn.tanh %9 : tensor<?x10xf32>
  // CHECK: nn.sigmoid
  %11 = nn.sigmoid %10 : tensor<?x10xf32>
  // CHECK: nn.relu
  %12 = nn.relu %11 : tensor<?x10xf32>
  // CHECK: nn.gelu
  %13 = nn.gelu %12 : tensor<?x10xf32>
  // CHECK: nn.abs
  %14 = nn.abs %13 : tensor<?x10xf32>
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32} : tensor<?x10xf32>
  %15 = nn.leaky_relu %14 {alpha = 0.2 : f32} : tensor<?x10xf32>
  // CHECK: nn.pow %{{.*}} {exponent = 3.000000e+00 : f32} : tensor<?x10xf32>
  %16 = nn.pow %15 {exponent = 3.0 : f32} : tensor<?x10xf32>
  return %16 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @linear_algebra
func.func @linear_algebra(%x: tensor<?x784xf32>, %w: tensor<784x256xf32>,
                          %b3: tensor<4x3x5xf32>, %c3: tensor<4x5x2xf32>, %w2: tensor<5x7xf32>)
    -> (tensor<256x?xf32>, tensor<4x3x2xf32>, tensor<4x3x7xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x256xf32>) -> tensor<?x256xf32>
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x256xf32>) -> tensor<?x256xf32>
  // CHECK: nn.transpose %{{.*}} [1, 0] : (tensor<?x256xf32>) -> tensor<256x?xf32>
  %1 = nn.transpose %0 [1, 0] : (tensor<?x256xf32>) -> tensor<256x?xf32>
  // CHECK: nn.matmul {{.*}} -> tensor<4x3x2xf32>
  %2 = nn.matmul %b3, %c3 : (tensor<4x3x5xf32>, tensor<4x5x2xf32>) -> tensor<4x3x2xf32>
  // CHECK: nn.matmul {{.*}} -> tensor<4x3x7xf32>
  %3 = nn.matmul %b3, %w2 : (tensor<4x3x5xf32>, tensor<5x7xf32>) -> tensor<4x3x7xf32>
  return %1, %2, %3 : tensor<256x?xf32>, tensor<4x3x2xf32>, tensor<4x3x7xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<?x784xf32>, %y: tensor<?x4xf32>) -> tensor<?x788xf32> {
  // CHECK: nn.reshape %{{.*}} : (tensor<?x784xf32>) -> tensor<?x1x28x28xf32>
  %0 = nn.reshape %x : (tensor<?x784xf32>) -> tensor<?x1x28x28xf32>
  // CHECK: nn.flatten %{{.*}} : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
  %1 = nn.flatten %0 : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x784xf32>, tensor<?x4xf32>) -> tensor<?x788xf32>
  %2 = nn.concat %1, %y {axis = 1 : i64} : (tensor<?x784xf32>, tensor<?x4xf32>) -> tensor<?x788xf32>
  return %2 : tensor<?x788xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<?x10xf32>) -> (tensor<?xf32>, tensor<?x1xf32>, tensor<f32>, tensor<?x10xf32>, tensor<?x10xf32>) {
  // CHECK: nn.sum %{{.*}} {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  %0 = nn.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  // CHECK: nn.mean %{{.*}} {axes = array<i64: 1>, keepdims = true} : (tensor<?x10xf32>) -> tensor<?x1xf32>
  %1 = nn.mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x10xf32>) -> tensor<?x1xf32>
  // CHECK: nn.reduce_max %{{.*}} : (tensor<?x10xf32>) -> tensor<f32>
  %2 = nn.reduce_max %x : (tensor<?x10xf32>) -> tensor<f32>
  // CHECK: nn.softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
  %3 = nn.softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  // CHECK: nn.log_softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
  %4 = nn.log_softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  return %0, %1, %2, %3, %4 : tensor<?xf32>, tensor<?x1xf32>, tensor<f32>, tensor<?x10xf32>, tensor<?x10xf32>
}

// CHECK-LABEL: func.func @conv_pool
func.func @conv_pool(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) -> (tensor<?x6x14x14xf32>, tensor<?x6x14x14xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} {padding = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x28x28xf32>
  %0 = nn.conv2d %x, %w {stride = 1 : i64, padding = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x28x28xf32>
  // CHECK: nn.max_pool2d %{{.*}} {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x28x28xf32>) -> tensor<?x6x14x14xf32>
  %1 = nn.max_pool2d %0 {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x28x28xf32>) -> tensor<?x6x14x14xf32>
  // CHECK: nn.avg_pool2d
  %2 = nn.avg_pool2d %0 {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x28x28xf32>) -> tensor<?x6x14x14xf32>
  return %1, %2 : tensor<?x6x14x14xf32>, tensor<?x6x14x14xf32>
}

// CHECK-LABEL: func.func @training
func.func @training(%x: tensor<?x10xf32>, %labels: tensor<?xi32>) -> (tensor<?x10xf32>, tensor<f32>, tensor<f32>, tensor<?xi32>) {
  // CHECK: nn.dropout %{{.*}} {rate = 5.000000e-01 : f32} : tensor<?x10xf32>
  %0 = nn.dropout %x {rate = 0.5 : f32} : tensor<?x10xf32>
  // CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %1 = nn.cross_entropy %0, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  // CHECK: nn.mse %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %2 = nn.mse %0, %x : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  // CHECK: nn.argmax %{{.*}} {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?xi32>
  %3 = nn.argmax %x {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?xi32>
  return %0, %1, %2, %3 : tensor<?x10xf32>, tensor<f32>, tensor<f32>, tensor<?xi32>
}

// CHECK-LABEL: func.func @dropout_mask
func.func @dropout_mask(%x: tensor<?x10xf32>, %step: tensor<f32>) -> tensor<?x10xf32> {
  // CHECK: nn.dropout_mask %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f32, salt = 1 : i64, seed = 42 : i64} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %0 = nn.dropout_mask %x, %step {rate = 0.5 : f32, seed = 42 : i64, salt = 1 : i64} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// The predicate is an enum attribute: a keyword in the custom form, checked by the parser
// (and by the verifier in the generic form).
// CHECK-LABEL: func.func @compare
func.func @compare(%x: tensor<?x10xf32>, %z: tensor<f32>) -> (tensor<?x10xf32>, tensor<?x10xf32>) {
  // CHECK: nn.compare le, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %0 = nn.compare le, %x, %z : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: nn.compare eq,
  %1 = nn.compare eq, %x, %z : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return %0, %1 : tensor<?x10xf32>, tensor<?x10xf32>
}
