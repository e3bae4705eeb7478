// RUN: nn-opt %s --split-input-file --convert-nn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @compare
// CHECK: linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: arith.uitofp
func.func @compare(%x: tensor<?x4xf32>, %z: tensor<f32>) -> tensor<?x4xf32> {
  %0 = nn.compare gt, %x, %z : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_and_count
// CHECK: tensor.dim %{{.*}}, %c0
// CHECK: linalg.generic
// CHECK: arith.uitofp
// CHECK: tensor.from_elements
func.func @broadcast_and_count(%g: tensor<4xf32>, %x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<f32>) {
  %0 = nn.broadcast_to %g, %x : (tensor<4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = nn.num_elements %x {axes = array<i64: 0>} : (tensor<?x4xf32>) -> tensor<f32>
  return %0, %1 : tensor<?x4xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.*}}[0, 3] [%{{.*}}, 2] [1, 1]
func.func @slice(%g: tensor<?x6xf32>) -> tensor<?x2xf32> {
  %0 = nn.slice %g {axis = 1 : i64, offset = 3 : i64} : (tensor<?x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @cross_entropy_grad(%l: tensor<?x10xf32>, %t: tensor<?xi32>, %g: tensor<f32>) -> tensor<?x10xf32> {
  %0 = nn.cross_entropy_grad %l, %t, %g : (tensor<?x10xf32>, tensor<?xi32>, tensor<f32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// The adjoint is dilated by the stride and padded by K-1-p = 2 inside a
// zero tensor; the filter is transposed and flipped.
// CHECK-LABEL: func.func @conv2d_input_grad
// CHECK: linalg.generic
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 2, 2] [%{{.*}}, 6, 3, 3] [1, 1, 2, 2] : tensor<?x6x3x3xf32> into tensor<?x6x9x9xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x6x9x9xf32>, tensor<1x6x3x3xf32>)
func.func @conv2d_input_grad(%g: tensor<?x6x3x3xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<?x1x7x7xf32> {
  %0 = nn.conv2d_input_grad %g, %w {stride = 2 : i64, padding = 0 : i64} : (tensor<?x6x3x3xf32>, tensor<6x1x3x3xf32>) -> tensor<?x1x7x7xf32>
  return %0 : tensor<?x1x7x7xf32>
}

// -----

// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5 * 2 + d2, d6 * 2 + d3)>
// CHECK-LABEL: func.func @conv2d_filter_grad
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @conv2d_filter_grad(%x: tensor<?x1x7x7xf32>, %g: tensor<?x6x3x3xf32>) -> tensor<6x1x3x3xf32> {
  %0 = nn.conv2d_filter_grad %x, %g {stride = 2 : i64, padding = 0 : i64} : (tensor<?x1x7x7xf32>, tensor<?x6x3x3xf32>) -> tensor<6x1x3x3xf32>
  return %0 : tensor<6x1x3x3xf32>
}

// -----

// First-maximum index per window, then one strided slice-add per offset.
// Windows that tile the input: the argmax generic, then one generic writes
// every element of dx, viewed as [N, C, OH, 2, OW, 2], once: no strided slices.
// CHECK-LABEL: func.func @max_pool2d_grad
// CHECK: linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: tensor.expand_shape {{.*}} {{\[}}[0], [1], [2, 3], [4, 5]] {{.*}} into tensor<?x2x2x2x2x2xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]
// CHECK: arith.cmpi eq
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x2x4x4xf32>
// CHECK-NOT: tensor.insert_slice
func.func @max_pool2d_grad(%g: tensor<?x2x2x2xf32>, %x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %0 = nn.max_pool2d_grad %g, %x {size = 2 : i64, stride = 2 : i64} : (tensor<?x2x2x2xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// Overlapping windows: one strided slice-add per window offset.
// CHECK-LABEL: func.func @max_pool2d_grad_overlap
// CHECK: arith.cmpf ogt
// CHECK-COUNT-4: tensor.insert_slice {{.*}} [1, 1, 1, 1]
func.func @max_pool2d_grad_overlap(%g: tensor<?x2x3x3xf32>, %x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %0 = nn.max_pool2d_grad %g, %x {size = 2 : i64, stride = 1 : i64} : (tensor<?x2x3x3xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d_grad
// CHECK: arith.divf
// CHECK-COUNT-4: tensor.insert_slice {{.*}} [1, 1, 1, 1]
func.func @avg_pool2d_grad(%g: tensor<?x2x3x3xf32>) -> tensor<?x2x4x4xf32> {
  %0 = nn.avg_pool2d_grad %g {size = 2 : i64, stride = 1 : i64} : (tensor<?x2x3x3xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// The key mixes seed, step and salt once; one generic hashes each element's
// row-major index (i0 * 10 + i1) with it and keeps u >= rate, scaled by 2.
// CHECK-LABEL: func.func @dropout_mask
// CHECK-SAME: (%[[X:.*]]: tensor<?x10xf32>, %[[STEP:.*]]: tensor<f32>)
// CHECK: %[[S:.*]] = tensor.extract %[[STEP]][] : tensor<f32>
// CHECK: arith.fptosi %[[S]] : f32 to i64
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x10xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[E]] : tensor<?x10xf32>)
// CHECK-DAG: linalg.index 0 : index
// CHECK-DAG: linalg.index 1 : index
// CHECK: arith.index_cast
// CHECK: arith.uitofp {{.*}} : i64 to f32
// CHECK: arith.cmpf oge
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
func.func @dropout_mask(%x: tensor<?x10xf32>, %step: tensor<f32>) -> tensor<?x10xf32> {
  %0 = nn.dropout_mask %x, %step {rate = 0.5 : f32, seed = 42 : i64, salt = 0 : i64} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}
