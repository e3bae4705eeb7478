// nn-gpu-accumulate-in-registers: a loop that loads, adds into and stores back one element
// carries it as an iteration argument instead (one load before, one store after); loops
// that store elsewhere too, read the element at another index, or store at indices that
// change in the loop are left alone.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nn-gpu-accumulate-in-registers))' | FileCheck %s

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
