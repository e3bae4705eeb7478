// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @cross_entropy
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: %[[ROWS:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0, %[[MAX]], %arg1 : tensor<?x10xf32>, tensor<?xf32>, tensor<?xi32>)
// CHECK: math.exp
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} ins(%[[MAX]], %[[ROWS]]#0, %[[ROWS]]#1 :
// CHECK: math.log
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK: tensor.dim %arg0, %{{.*}}
// CHECK: arith.divf
func.func @cross_entropy(%x: tensor<?x10xf32>, %labels: tensor<?xi32>) -> tensor<f32> {
  %0 = nn.cross_entropy %x, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @mse
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: tensor.dim %arg0, %{{.*}}
// CHECK: arith.divf
func.func @mse(%p: tensor<?x10xf32>, %t: tensor<?x10xf32>) -> tensor<f32> {
  %0 = nn.mse %p, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
