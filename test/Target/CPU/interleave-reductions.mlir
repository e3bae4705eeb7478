// nnc-cpu-interleave-reductions: a sum whose innermost loops are a long static reduction
// (a convolution's bias gradient: N x C x H x W summed to C) gets its parallel loops moved
// after its reduction loops, each kind in its order, so that the C sums add in turn; each
// sum keeps its order of terms. Short chains, many or dynamic outputs and ops marked for
// the tiling script keep their loops.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-interleave-reductions))' | FileCheck %s
// The loops lowered: the channel loop is innermost, inside the image, row and column loops.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-interleave-reductions),one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops))' | FileCheck %s --check-prefix=LOOPS

#nchw = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d1)>

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @bias_grad
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
// LOOPS-LABEL: func.func @bias_grad
// LOOPS: memref.dim
// LOOPS: scf.for %[[N:.*]] = %{{.*}} to %{{.*}}
// LOOPS: scf.for %[[H:.*]] = %{{.*}} to %{{.*}}
// LOOPS: scf.for %[[W:.*]] = %{{.*}} to %{{.*}}
// LOOPS: scf.for %[[C:.*]] = %{{.*}} to %{{.*}}
// LOOPS: memref.load %{{.*}}[%[[N]], %[[C]], %[[H]], %[[W]]]
func.func @bias_grad(%g: tensor<?x6x24x24xf32>) -> tensor<6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %s = linalg.generic {indexing_maps = [#nchw, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%g : tensor<?x6x24x24xf32>) outs(%f : tensor<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<6xf32>
  return %s : tensor<6xf32>
}

// A 2x2 window (4 terms) is too short a chain; 10 classes too.
// CHECK-LABEL: func.func @short_chain
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
func.func @short_chain(%g: tensor<?x6x2x2xf32>) -> tensor<6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %s = linalg.generic {indexing_maps = [#nchw, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%g : tensor<?x6x2x2xf32>) outs(%f : tensor<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<6xf32>
  return %s : tensor<6xf32>
}

// More than 64 outputs (a convolution written as a generic would sweep its whole output
// per reduction step), or a dynamic number of them, keep their loops.
// CHECK-LABEL: func.func @many_outputs
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @many_outputs(%g: tensor<?x128x24x24xf32>, %r: tensor<?x32xf32>) -> (tensor<128xf32>, tensor<?xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<128xf32>) -> tensor<128xf32>
  %s = linalg.generic {indexing_maps = [#nchw, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%g : tensor<?x128x24x24xf32>) outs(%f : tensor<128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %r, %c0 : tensor<?x32xf32>
  %e2 = tensor.empty(%n) : tensor<?xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?xf32>) -> tensor<?xf32>
  %rows = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%r : tensor<?x32xf32>) outs(%f2 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<?xf32>
  return %s, %rows : tensor<128xf32>, tensor<?xf32>
}

// A generic marked for the tiling script keeps its loops.
// CHECK-LABEL: func.func @marked
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
func.func @marked(%g: tensor<?x6x24x24xf32>) -> tensor<6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %s = linalg.generic {indexing_maps = [#nchw, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%g : tensor<?x6x24x24xf32>) outs(%f : tensor<6xf32>) attrs = {nnc.batch_parallel} {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<6xf32>
  return %s : tensor<6xf32>
}
