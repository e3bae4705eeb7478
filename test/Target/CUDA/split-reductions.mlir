// nn-gpu-split-reductions: a sum with few outputs and a long reduction becomes partial sums
// over the innermost reduction dimensions (made parallel) and a second sum into the
// original init; short sums, sums with enough outputs and reductions that are not a sum
// into the output stay as they are.
// RUN: nn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(nn-gpu-split-reductions))' | FileCheck %s

// A bias gradient: 6 outputs, each a sum over N x 24 x 24. oh and ow become parallel
// (6 x 24 x 24 threads, each adding N elements); the 576 partial sums per output are long
// enough to be split again over ow (6 x 24 threads of 24), then 24 per output remain.
// CHECK-LABEL: func.func @bias_grad
// CHECK-SAME: (%[[G:.*]]: tensor<?x6x24x24xf32>, %[[INIT:.*]]: tensor<6xf32>)
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<6x24x24xf32>
// CHECK: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<6x24x24xf32>)
// CHECK: %[[P1:.*]] = linalg.generic {indexing_maps = [#[[IN1:.*]], #[[OUT1:.*]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[G]] : tensor<?x6x24x24xf32>) outs(%[[Z1]] : tensor<6x24x24xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<6x24xf32>
// CHECK: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<6x24xf32>)
// CHECK: %[[P2:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[P1]] : tensor<6x24x24xf32>) outs(%[[Z2]] : tensor<6x24xf32>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[P2]] : tensor<6x24xf32>) outs(%[[INIT]] : tensor<6xf32>)
// CHECK: arith.addf
// CHECK: return %[[S]]
#g = affine_map<(n, c, h, w) -> (n, c, h, w)>
#o = affine_map<(n, c, h, w) -> (c)>
func.func @bias_grad(%g: tensor<?x6x24x24xf32>, %init: tensor<6xf32>) -> tensor<6xf32> {
  %r = linalg.generic {indexing_maps = [#g, #o], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%g : tensor<?x6x24x24xf32>) outs(%init : tensor<6xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  return %r : tensor<6xf32>
}

// -----

// A convolution's filter gradient, as the conversion to linalg writes it: 16 x 6 x 5 x 5
// outputs, whose partial sums over (oh, ow) = 8 x 8 (first, a thread each) are added by a
// second op.
// CHECK-LABEL: func.func @filter_grad
// CHECK: tensor.empty() : tensor<16x6x5x5x8x8xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: outs(%arg2 : tensor<16x6x5x5xf32>)
func.func @filter_grad(%x: tensor<?x6x12x12xf32>, %dy: tensor<?x16x8x8xf32>, %init: tensor<16x6x5x5xf32>) -> tensor<16x6x5x5xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(f, c, kh, kw, n, oh, ow) -> (n, c, oh + kh, ow + kw)>, affine_map<(f, c, kh, kw, n, oh, ow) -> (n, f, oh, ow)>, affine_map<(f, c, kh, kw, n, oh, ow) -> (f, c, kh, kw)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : tensor<?x6x12x12xf32>, tensor<?x16x8x8xf32>) outs(%init : tensor<16x6x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x6x5x5xf32>
  return %r : tensor<16x6x5x5xf32>
}

// -----

// A named op is generalized first: a convolution with 2 x 2 outputs per image and a
// 3 x 12 x 12 window gets its kw dimension made parallel.
// CHECK-LABEL: func.func @named_conv
// CHECK: tensor.empty(%{{.*}}) : tensor<?x1x2x2x12xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: return
func.func @named_conv(%x: tensor<?x3x13x13xf32>, %w: tensor<1x3x12x12xf32>, %init: tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32> {
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<?x3x13x13xf32>, tensor<1x3x12x12xf32>) outs(%init : tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32>
  return %r : tensor<?x1x2x2xf32>
}

// -----

// Left alone: a matmul (its one reduction dimension cannot be made parallel whole), a
// short sum, a sum with enough outputs, and a max.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
#n = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (j)>
func.func @left_alone(%a: tensor<?x784xf32>, %b: tensor<784x128xf32>, %c: tensor<?x128xf32>,
                      %short: tensor<100x120xf32>, %b120: tensor<120xf32>,
                      %wide: tensor<300x40000xf32>, %b40k: tensor<40000xf32>)
    -> (tensor<?x128xf32>, tensor<120xf32>, tensor<40000xf32>, tensor<40000xf32>) {
  %m = linalg.matmul ins(%a, %b : tensor<?x784xf32>, tensor<784x128xf32>) outs(%c : tensor<?x128xf32>) -> tensor<?x128xf32>
  %s = linalg.generic {indexing_maps = [#n, #r], iterator_types = ["reduction", "parallel"]}
      ins(%short : tensor<100x120xf32>) outs(%b120 : tensor<120xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.addf %x, %acc : f32
    linalg.yield %y : f32
  } -> tensor<120xf32>
  %w = linalg.generic {indexing_maps = [#n, #r], iterator_types = ["reduction", "parallel"]}
      ins(%wide : tensor<300x40000xf32>) outs(%b40k : tensor<40000xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.addf %x, %acc : f32
    linalg.yield %y : f32
  } -> tensor<40000xf32>
  %mx = linalg.generic {indexing_maps = [#n, #r], iterator_types = ["reduction", "parallel"]}
      ins(%wide : tensor<300x40000xf32>) outs(%b40k : tensor<40000xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.maximumf %x, %acc : f32
    linalg.yield %y : f32
  } -> tensor<40000xf32>
  return %m, %s, %w, %mx : tensor<?x128xf32>, tensor<120xf32>, tensor<40000xf32>, tensor<40000xf32>
}
