// nnc-cpu-materialize-transposed-rhs: a matmul that reads a static right operand transposed
// (B[n, k]: the backward pass's dX = dY W^T) reads a transposed copy of it in order instead;
// a transposed left operand (dW = X^T dY) and a dynamic right operand stay as they are. The
// tile script then copies the transpose in 8x8 vector tiles (the partial tiles of a 128x10
// weight peeled), each a transposing read of 8 rows (lowered to shuffles), and the matmul's
// B rows are plain vector loads of the copy.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-materialize-transposed-rhs))' | FileCheck %s
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-materialize-transposed-rhs),nnc-cpu-transform{stage=tile isa=avx2})' | FileCheck %s --check-prefix=TILE

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#nk = affine_map<(m, n, k) -> (n, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @input_gradient
// CHECK-SAME: (%[[DY:.*]]: tensor<?x128xf32>, %[[W:.*]]: tensor<256x128xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<128x256xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<256x128xf32>) outs(%[[E]] : tensor<128x256xf32>) permutation = [1, 0] {nnc.transposed_rhs}
// CHECK: linalg.matmul ins(%[[DY]], %[[WT]] : tensor<?x128xf32>, tensor<128x256xf32>)
// TILE-LABEL: func.func @input_gradient
// TILE-NOT: linalg.transpose
// TILE: %[[COPY:.*]] = scf.for
// TILE: vector.transfer_read %{{.*}} {permutation_map = #{{.*}}} : tensor<8x8xf32>, vector<8x8xf32>
// TILE: scf.forall
// TILE: vector.transfer_read %[[COPY]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<128x256xf32>, vector<16xf32>
// TILE: return
func.func @input_gradient(%dy: tensor<?x128xf32>, %w: tensor<256x128xf32>, %init: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%dy, %w : tensor<?x128xf32>, tensor<256x128xf32>) outs(%init : tensor<?x256xf32>) -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// A weight whose sides the 8x8 tile does not divide: the remainder tiles are vectorized too.
// CHECK-LABEL: func.func @narrow_weight
// CHECK: linalg.transpose ins(%{{.*}} : tensor<128x10xf32>) outs(%{{.*}} : tensor<10x128xf32>) permutation = [1, 0]
// TILE-LABEL: func.func @narrow_weight
// TILE-NOT: linalg.transpose
// TILE: vector.transfer_read %{{.*}} {permutation_map = #{{.*}}} : tensor<8x8xf32>, vector<8x8xf32>
// TILE: vector.transfer_read %{{.*}} {permutation_map = #{{.*}}} : tensor<8x2xf32>, vector<2x8xf32>
// TILE: return
func.func @narrow_weight(%dy: tensor<?x10xf32>, %w: tensor<128x10xf32>, %init: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%dy, %w : tensor<?x10xf32>, tensor<128x10xf32>) outs(%init : tensor<?x128xf32>) -> tensor<?x128xf32>
  return %r : tensor<?x128xf32>
}

// CHECK-LABEL: func.func @weight_gradient
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%{{.*}}, %{{.*}} : tensor<?x256xf32>, tensor<?x128xf32>)
func.func @weight_gradient(%x: tensor<?x256xf32>, %dy: tensor<?x128xf32>, %init: tensor<256x128xf32>) -> tensor<256x128xf32> {
  %r = linalg.matmul indexing_maps = [#km, #kn, #mn] ins(%x, %dy : tensor<?x256xf32>, tensor<?x128xf32>) outs(%init : tensor<256x128xf32>) -> tensor<256x128xf32>
  return %r : tensor<256x128xf32>
}

// CHECK-LABEL: func.func @dynamic_rhs
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul
func.func @dynamic_rhs(%a: tensor<16x?xf32>, %b: tensor<32x?xf32>, %init: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%a, %b : tensor<16x?xf32>, tensor<32x?xf32>) outs(%init : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// A transpose of the program's own is not the pass's: the tile script leaves it to loops.
// CHECK-LABEL: func.func @other_transpose
// TILE-LABEL: func.func @other_transpose
// TILE: linalg.transpose
func.func @other_transpose(%x: tensor<64x32xf32>, %init: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %r = linalg.transpose ins(%x : tensor<64x32xf32>) outs(%init : tensor<32x64xf32>) permutation = [1, 0]
  return %r : tensor<32x64xf32>
}
