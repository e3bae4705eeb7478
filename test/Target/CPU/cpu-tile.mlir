// The CPU codegen's tile script (compiler/lib/Target/CPU/Transforms/cpu-tile.mlir), run by
// the upstream transform interpreter from its file, as nnc-cpu-transform{stage=tile} runs it
// embedded: a matmul with a dynamic batch gets 64x64 thread blocks (scf.forall), K in chunks
// of 128 outermost in a block, register tiles of 8x32 (AVX-512) or 4x16 (AVX2) whose static main part is vectorized with the
// accumulator carried through the K loop, remainder rows vectorized one row at a time, and
// the remainder columns left as linalg.
// RUN: nn-opt %s --transform-preload-library=transform-library-paths=%nnc_src/compiler/lib/Target/CPU/Transforms/cpu-tile.mlir --transform-interpreter=entry-point=nnc_cpu_tile_avx512 | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: nn-opt %s --transform-preload-library=transform-library-paths=%nnc_src/compiler/lib/Target/CPU/Transforms/cpu-tile.mlir --transform-interpreter=entry-point=nnc_cpu_tile_avx2 | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: nn-opt %s --transform-preload-library=transform-library-paths=%nnc_src/compiler/lib/Target/CPU/Transforms/cpu-tile.mlir --transform-interpreter=entry-point=nnc_cpu_tile_avx512 | FileCheck %s --check-prefix=SCALAR

// CHECK-LABEL: func.func @dense
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 2) shared_outs
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c128
// AVX512: scf.for %{{.*}} step %c8
// AVX512: scf.for %{{.*}} step %c32
// AVX2: scf.for %{{.*}} step %c4
// AVX2: scf.for %{{.*}} step %c16
// AVX512: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// AVX2: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c128 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[ACC]])
// AVX512: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// AVX2: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// The column remainder (dynamic: 120 - 64 = 56 columns in the second block) stays linalg.
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<[[M:8|4]]x?xf32>)
// Batch rows past the last full tile (all of them at batch 1) go one at a time: a static
// 1x32 (1x16) tile whose vector accumulator is carried through the K loop.
// CHECK: scf.for %{{.*}} step %c1 iter_args
// AVX512: %[[ROW:.*]] = vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<32xf32>
// AVX2: %[[ROW:.*]] = vector.transfer_read {{.*}} : tensor<1x16xf32>, vector<16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c128 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[ROW]])
// AVX512: vector.contract {{.*}} : vector<1xf32>, vector<32x1xf32> into vector<32xf32>
// AVX2: vector.contract {{.*}} : vector<1xf32>, vector<16x1xf32> into vector<16xf32>
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<1x?xf32>)
func.func @dense(%a: tensor<?x256xf32>, %b: tensor<256x120xf32>, %c: tensor<?x120xf32>) -> tensor<?x120xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x256xf32>, tensor<256x120xf32>) outs(%c : tensor<?x120xf32>) -> tensor<?x120xf32>
  return %0 : tensor<?x120xf32>
}

// A direct convolution: blocks of 8 images for threads, tiles of 2 output channels x 4
// rows x 8 columns whose accumulator (8 vectors of 8) is carried through the KH and KW
// loops (C = 1: its loop is gone).
// CHECK-LABEL: func.func @conv(
// CHECK: scf.forall
// CHECK: %[[INIT:.*]] = vector.transfer_read {{.*}} : tensor<2x4x8xf32>, vector<2x4x8xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[INIT]]) -> ({{.*}}, vector<2x4x8xf32>)
// CHECK: arith.mulf {{.*}} : vector<2x4x8xf32>
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: return
func.func @conv(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>, %init: tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) outs(%init : tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32>
  return %0 : tensor<?x6x24x24xf32>
}

// 5 channels and 10 x 10 outputs: the last channel, the last 2 rows and the last 2 columns
// are peeled tiles, static, and vectorize too; nothing is left to scalar loops.
// CHECK: func.func @conv_rem
// CHECK-DAG: arith.addf {{.*}} : vector<2x4x8xf32>
// CHECK-DAG: arith.addf {{.*}} : vector<2x2x2xf32>
// CHECK-DAG: arith.addf {{.*}} : vector<4x8xf32>
// CHECK-DAG: arith.addf {{.*}} : vector<2x2xf32>
// SCALAR-LABEL: func.func @conv_rem
// SCALAR-NOT: linalg.generic
// SCALAR: return
func.func @conv_rem(%x: tensor<?x3x14x14xf32>, %w: tensor<5x3x5x5xf32>, %init: tensor<?x5x10x10xf32>) -> tensor<?x5x10x10xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<?x3x14x14xf32>, tensor<5x3x5x5xf32>) outs(%init : tensor<?x5x10x10xf32>) -> tensor<?x5x10x10xf32>
  return %0 : tensor<?x5x10x10xf32>
}
