// nn-gpu-collapse-parallel-loops: an outermost scf.parallel of several dimensions becomes
// one loop over their linear index (the innermost dimension varying fastest); the loops
// inside it and one-dimensional loops are left alone.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nn-gpu-collapse-parallel-loops))' | FileCheck %s

// CHECK-LABEL: func.func @three_dims
// CHECK-SAME: (%[[B:.*]]: memref<?x6x24xf32>, %[[N:.*]]: index)
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[C24:.*]] = arith.constant 24 : index
// CHECK: %[[T1:.*]] = arith.muli %{{.*}}, %[[N]]
// CHECK: %[[T2:.*]] = arith.muli %[[T1]], %[[C6]]
// CHECK: %[[TOTAL:.*]] = arith.muli %[[T2]], %[[C24]]
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[TOTAL]]) step (%{{.*}})
// CHECK: %[[W:.*]] = arith.remsi %[[I]], %[[C24]]
// CHECK: %[[Q:.*]] = arith.divsi %[[I]], %[[C24]]
// CHECK: %[[C:.*]] = arith.remsi %[[Q]], %[[C6]]
// CHECK: %[[NN:.*]] = arith.divsi %[[Q]], %[[C6]]
// CHECK: memref.store %{{.*}}, %[[B]][%[[NN]], %[[C]], %[[W]]]
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @three_dims(%b: memref<?x6x24xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %c24 = arith.constant 24 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%n, %c6, %c24) step (%c1, %c1, %c1) {
    memref.store %one, %b[%i, %j, %k] : memref<?x6x24xf32>
  }
  return
}

// CHECK-LABEL: func.func @one_dim
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c100) step (%c1)
func.func @one_dim(%b: memref<100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c100) step (%c1) {
    memref.store %one, %b[%i] : memref<100xf32>
  }
  return
}
