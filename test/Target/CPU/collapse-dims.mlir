// nnc-cpu-collapse-dims: the parallel loops of a linalg.generic that every operand walks
// contiguously, in order, become one loop; reductions, transposes, strided windows, linalg.index bodies and named ops
// keep their loops.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-collapse-dims))' | FileCheck %s

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>
#swap = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>

// A ReLU gradient over N x 6 x 24 x 24: one loop over all its elements.
// CHECK-LABEL: func.func @relu_grad
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2, 3]] : tensor<?x6x24x24xf32> into tensor<?xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2, 3]]
func.func @relu_grad(%g: tensor<?x6x24x24xf32>, %x: tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %g, %c0 : tensor<?x6x24x24xf32>
  %init = tensor.empty(%n) : tensor<?x6x24x24xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %x : tensor<?x6x24x24xf32>, tensor<?x6x24x24xf32>) outs(%init : tensor<?x6x24x24xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %b, %zero : f32
    %v = arith.select %pos, %a, %zero : f32
    linalg.yield %v : f32
  } -> tensor<?x6x24x24xf32>
  return %r : tensor<?x6x24x24xf32>
}

// A bias add: the channel stays a loop of its own, H and W merge (N x 6 x 576).
// CHECK-LABEL: func.func @bias_add
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<?x6x24x24xf32> into tensor<?x6x576xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<?x6x576xf32>, tensor<6xf32>)
func.func @bias_add(%x: tensor<?x6x24x24xf32>, %b: tensor<6xf32>) -> tensor<?x6x24x24xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x6x24x24xf32>
  %init = tensor.empty(%n) : tensor<?x6x24x24xf32>
  %r = linalg.generic {indexing_maps = [#id4, #chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %b : tensor<?x6x24x24xf32>, tensor<6xf32>) outs(%init : tensor<?x6x24x24xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %v = arith.addf %a, %c : f32
    linalg.yield %v : f32
  } -> tensor<?x6x24x24xf32>
  return %r : tensor<?x6x24x24xf32>
}

// A bias gradient (sum over N, H and W): reductions keep their loops. Merged, H x W became
// one long static loop that LLVM unrolled completely without vectorizing it (a float sum
// keeps its order): LeNet's compile took 1.3x as long, with no gain at run time.
// CHECK-LABEL: func.func @bias_grad
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
func.func @bias_grad(%x: tensor<?x16x8x8xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %r = linalg.generic {indexing_maps = [#id4, #chan], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%x : tensor<?x16x8x8xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %v = arith.addf %a, %out : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// Left alone: a transpose, a max-pool window (strided reads), a body reading linalg.index,
// and a named op.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: linalg.add
// CHECK-NOT: tensor.collapse_shape
func.func @kept(%w: tensor<16x6x5x5xf32>, %x: tensor<4x6x24x24xf32>, %k: tensor<2x2xf32>,
                %l: tensor<4x10xf32>) -> (tensor<6x16x5x5xf32>, tensor<4x6x12x12xf32>, tensor<4x10xf32>, tensor<4x10xf32>) {
  %wt0 = tensor.empty() : tensor<6x16x5x5xf32>
  %wt = linalg.generic {indexing_maps = [#swap, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%w : tensor<16x6x5x5xf32>) outs(%wt0 : tensor<6x16x5x5xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<6x16x5x5xf32>
  %p0 = tensor.empty() : tensor<4x6x12x12xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %k : tensor<4x6x24x24xf32>, tensor<2x2xf32>) outs(%p0 : tensor<4x6x12x12xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.maximumf %a, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x6x12x12xf32>
  %i0 = tensor.empty() : tensor<4x10xf32>
  %onehot = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%l : tensor<4x10xf32>) outs(%i0 : tensor<4x10xf32>) {
  ^bb0(%a: f32, %out: f32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %jf = arith.sitofp %ji : i64 to f32
    %v = arith.mulf %a, %jf : f32
    linalg.yield %v : f32
  } -> tensor<4x10xf32>
  %s = linalg.add ins(%l, %l : tensor<4x10xf32>, tensor<4x10xf32>) outs(%i0 : tensor<4x10xf32>) -> tensor<4x10xf32>
  return %wt, %p, %onehot, %s : tensor<6x16x5x5xf32>, tensor<4x6x12x12xf32>, tensor<4x10xf32>, tensor<4x10xf32>
}
