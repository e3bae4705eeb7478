// The tile script shares the generics NNToLinalg marks nnc.batch_parallel (pooling
// gradients) out over the threads in blocks of 8 images of the batch; only the batch is
// split, so the bits do not depend on the thread count. Max pooling itself stays whole
// (as a thread block it cost batch-1 inference two fork-joins, 8%).
// RUN: nn-opt %s --transform-preload-library=transform-library-paths=%nnc_src/compiler/lib/Target/CPU/Transforms/cpu-tile.mlir --transform-interpreter=entry-point=nnc_cpu_tile_avx2 | FileCheck %s

// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: scf.forall
// CHECK: linalg.pooling_nchw_max {{.*}} outs(%{{.*}} : tensor<?x6x12x12xf32>)
func.func @max_pool(%x: tensor<?x6x24x24xf32>, %init: tensor<?x6x12x12xf32>) -> tensor<?x6x12x12xf32> {
  %window = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %window : tensor<?x6x24x24xf32>, tensor<2x2xf32>) outs(%init : tensor<?x6x12x12xf32>) -> tensor<?x6x12x12xf32>
  return %r : tensor<?x6x12x12xf32>
}

// CHECK-LABEL: func.func @marked
// CHECK: scf.forall
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x6x24x24xf32>) attrs = {{ *}}{nnc.batch_parallel}
func.func @marked(%x: tensor<?x6x24x24xf32>, %init: tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x6x24x24xf32>) outs(%init : tensor<?x6x24x24xf32>) attrs = {nnc.batch_parallel} {
  ^bb0(%a: f32, %b: f32):
    %sq = arith.mulf %a, %a : f32
    linalg.yield %sq : f32
  } -> tensor<?x6x24x24xf32>
  return %r : tensor<?x6x24x24xf32>
}

// An unmarked generic stays whole.
// CHECK-LABEL: func.func @unmarked
// CHECK-NOT: scf.forall
// CHECK: return
func.func @unmarked(%x: tensor<?x6x24x24xf32>, %init: tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x6x24x24xf32>) outs(%init : tensor<?x6x24x24xf32>) {
  ^bb0(%a: f32, %b: f32):
    %sq = arith.mulf %a, %a : f32
    linalg.yield %sq : f32
  } -> tensor<?x6x24x24xf32>
  return %r : tensor<?x6x24x24xf32>
}
