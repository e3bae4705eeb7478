// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func.func @sum
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: outs(%[[F]] : tensor<?xf32>)
// CHECK: arith.addf
func.func @sum(%x: tensor<?x10xf32>) -> tensor<?xf32> {
  %0 = nn.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// The count of a reduction over the batch reads tensor.dim.
// CHECK-LABEL: func.func @mean
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[CNT:.*]] = arith.muli %{{.*}}, %[[N]]
// CHECK: arith.uitofp
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @mean(%x: tensor<?x10xf32>) -> tensor<1x1xf32> {
  %0 = nn.mean %x {keepdims = true} : (tensor<?x10xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @reduce_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.maximumf
func.func @reduce_max(%x: tensor<?x10xf32>) -> tensor<f32> {
  %0 = nn.reduce_max %x : (tensor<?x10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @softmax
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0, %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: %[[SH:.*]] = arith.subf
// CHECK: %[[LOG:.*]] = math.log
// CHECK: arith.subf %[[SH]], %[[LOG]]
func.func @log_softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.log_softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @argmax
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.index 1
// CHECK: -> (tensor<?xf32>, tensor<?xi32>)
// CHECK: return %[[R]]#1
func.func @argmax(%x: tensor<?x10xf32>) -> tensor<?xi32> {
  %0 = nn.argmax %x {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}
