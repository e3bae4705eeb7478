// nn-accumulate-in-registers: a loop that loads, adds into and stores back one element
// carries it as an iteration argument instead (one load before, one store after); loops
// that store elsewhere too, read the element at another index, or store at indices that
// change in the loop are left alone.
// Both targets run it (the CUDA pipeline on its kernels' loops, the CPU pipeline after
// linalg becomes loops): the CPU run checks that a bias gradient's sum along W keeps its
// accumulator in a register instead of storing after every addition. (128 channels: with
// at most 64, nnc-cpu-interleave-reductions runs the channel loop innermost instead, and
// the sums take turns; test/Target/CPU/interleave-reductions.mlir.)
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nn-accumulate-in-registers))' | FileCheck %s
// RUN: nn-opt %s --nn-lower-cpu --mlir-print-ir-after=nn-accumulate-in-registers -o /dev/null 2>&1 | FileCheck %s --check-prefix=CPU

// CHECK-LABEL: func.func @dot
// CHECK-SAME: (%[[A:.*]]: memref<?x784xf32>, %[[B:.*]]: memref<784x128xf32>, %[[C:.*]]: memref<?x128xf32>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK: %[[INIT:.*]] = memref.load %[[C]][%[[I]], %[[J]]]
// CHECK: %[[SUM:.*]] = scf.for %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NOT: memref.store
// CHECK: %[[NEXT:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: }
// CHECK: memref.store %[[SUM]], %[[C]][%[[I]], %[[J]]]
func.func @dot(%a: memref<?x784xf32>, %b: memref<784x128xf32>, %c: memref<?x128xf32>, %i: index, %j: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c784 = arith.constant 784 : index
  scf.for %k = %c0 to %c784 step %c1 {
    %x = memref.load %a[%i, %k] : memref<?x784xf32>
    %y = memref.load %b[%k, %j] : memref<784x128xf32>
    %acc = memref.load %c[%i, %j] : memref<?x128xf32>
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    memref.store %s, %c[%i, %j] : memref<?x128xf32>
  }
  return
}

// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: iter_args
// CHECK: return
func.func @left_alone(%a: memref<16xf32>, %c: memref<16xf32>, %d: memref<16xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  // a second store
  scf.for %k = %c0 to %c16 step %c1 {
    %x = memref.load %a[%k] : memref<16xf32>
    %acc = memref.load %c[%i] : memref<16xf32>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %c[%i] : memref<16xf32>
    memref.store %s, %d[%k] : memref<16xf32>
  }
  // the element read at another index as well
  scf.for %k = %c0 to %c16 step %c1 {
    %x = memref.load %c[%k] : memref<16xf32>
    %acc = memref.load %c[%i] : memref<16xf32>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %c[%i] : memref<16xf32>
  }
  // indices that change in the loop
  scf.for %k = %c0 to %c16 step %c1 {
    %acc = memref.load %c[%k] : memref<16xf32>
    %s = arith.addf %acc, %acc : f32
    memref.store %s, %c[%k] : memref<16xf32>
  }
  return
}

// CPU-LABEL: func.func @bias_gradient
// CPU: %[[INIT:.*]] = memref.load %{{.*}} : memref<128xf32>
// CPU-NEXT: %[[SUM:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (f32) {
// CPU-NOT: memref.store
// CPU: scf.yield
// CPU-NEXT: }
// CPU-NEXT: memref.store %[[SUM]], %{{.*}} : memref<128xf32>
func.func @bias_gradient(%dy: tensor<?x128x24x24xf32>, %init: tensor<128xf32>) -> tensor<128xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%dy : tensor<?x128x24x24xf32>) outs(%init : tensor<128xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  return %r : tensor<128xf32>
}
