// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @matmul
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x256xf32>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<?x784xf32>, tensor<784x256xf32>) outs(%[[F]] : tensor<?x256xf32>)
func.func @matmul(%x: tensor<?x784xf32>, %w: tensor<784x256xf32>) -> tensor<?x256xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x256xf32>) -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @matmul_batched
// CHECK: linalg.batch_matmul ins(%arg0, %arg1 : tensor<4x3x5xf32>, tensor<4x5x2xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<4x3x5xf32> into tensor<12x5xf32>
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[C]], %arg2 : tensor<12x5xf32>, tensor<5x7xf32>)
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0, 1], [2]] {{.*}} : tensor<12x7xf32> into tensor<4x3x7xf32>
func.func @matmul_batched(%b3: tensor<4x3x5xf32>, %c3: tensor<4x5x2xf32>, %w2: tensor<5x7xf32>)
    -> (tensor<4x3x2xf32>, tensor<4x3x7xf32>) {
  %0 = nn.matmul %b3, %c3 : (tensor<4x3x5xf32>, tensor<4x5x2xf32>) -> tensor<4x3x2xf32>
  %1 = nn.matmul %b3, %w2 : (tensor<4x3x5xf32>, tensor<5x7xf32>) -> tensor<4x3x7xf32>
  return %0, %1 : tensor<4x3x2xf32>, tensor<4x3x7xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<256x?xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<?x256xf32>) outs(%[[E]] : tensor<256x?xf32>) permutation = [1, 0]
func.func @transpose(%x: tensor<?x256xf32>) -> tensor<256x?xf32> {
  %0 = nn.transpose %x [1, 0] : (tensor<?x256xf32>) -> tensor<256x?xf32>
  return %0 : tensor<256x?xf32>
}

// CHECK-LABEL: func.func @shapes
// CHECK: %[[R:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2, 3]] {{.*}} : tensor<?x784xf32> into tensor<?x1x28x28xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2, 3]] : tensor<?x1x28x28xf32> into tensor<?x784xf32>
// CHECK: tensor.concat dim(1) %[[F]], %arg1 : (tensor<?x784xf32>, tensor<?x4xf32>) -> tensor<?x788xf32>
func.func @shapes(%x: tensor<?x784xf32>, %y: tensor<?x4xf32>) -> tensor<?x788xf32> {
  %0 = nn.reshape %x : (tensor<?x784xf32>) -> tensor<?x1x28x28xf32>
  %1 = nn.flatten %0 : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
  %2 = nn.concat %1, %y {axis = 1 : i64} : (tensor<?x784xf32>, tensor<?x4xf32>) -> tensor<?x788xf32>
  return %2 : tensor<?x788xf32>
}

// A reshape that does not reassociate goes through a rank-1 tensor.
// CHECK-LABEL: func.func @reshape_regroup
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<?x2x3xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] {{.*}} : tensor<?xf32> into tensor<?x3x2xf32>
func.func @reshape_regroup(%x: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %0 = nn.reshape %x : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
  return %0 : tensor<?x3x2xf32>
}
