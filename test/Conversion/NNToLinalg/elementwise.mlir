// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s

// Broadcasting is in the indexing maps; stretched size-1 dims are collapsed
// away so that every map is a projected permutation.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func.func @add_bias
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x10xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<?x10xf32>, tensor<10xf32>) outs(%[[E]] : tensor<?x10xf32>)
// CHECK: arith.addf
func.func @add_bias(%a: tensor<?x10xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = nn.add %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @binary_broadcasts
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK: arith.subf
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg2 {{\[}}[0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%{{.*}}, %[[C]] :
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @binary_broadcasts(%a: tensor<?x10xf32>, %s: tensor<f32>, %c: tensor<?x1xf32>) -> tensor<?x10xf32> {
  %0 = nn.sub %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %1 = nn.mul %0, %c : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %2 = nn.div %1, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %3 = nn.maximum %2, %a : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  %4 = nn.minimum %3, %c : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  return %4 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @integers
// CHECK: arith.addi
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @integers(%a: tensor<?xi32>, %b: tensor<1xi32>) -> tensor<?xi32> {
  %0 = nn.add %a, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %1 = nn.sub %0, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %2 = nn.mul %1, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %3 = nn.maximum %2, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %4 = nn.minimum %3, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  return %4 : tensor<?xi32>
}

// CHECK-LABEL: func.func @unary
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.tanh
// CHECK: math.absf
// sigmoid
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
// relu
// CHECK: arith.maximumf
// gelu
// CHECK: arith.constant 4.471500e-02
// CHECK: math.tanh
// leaky_relu
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// pow 3 multiplies out, pow 0.5 calls powf
// CHECK: arith.mulf %[[X:.*]], %[[X]]
// CHECK: math.powf
// dropout is the identity
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @unary(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.neg %x : tensor<?x10xf32>
  %1 = nn.exp %0 : tensor<?x10xf32>
  %2 = nn.log %1 : tensor<?x10xf32>
  %3 = nn.sqrt %2 : tensor<?x10xf32>
  %4 = nn.tanh %3 : tensor<?x10xf32>
  %5 = nn.abs %4 : tensor<?x10xf32>
  %6 = nn.sigmoid %5 : tensor<?x10xf32>
  %7 = nn.relu %6 : tensor<?x10xf32>
  %8 = nn.gelu %7 : tensor<?x10xf32>
  %9 = nn.leaky_relu %8 {alpha = 0.2 : f32} : tensor<?x10xf32>
  %10 = nn.pow %9 {exponent = 3.0 : f32} : tensor<?x10xf32>
  %11 = nn.pow %10 {exponent = 0.5 : f32} : tensor<?x10xf32>
  %12 = nn.dropout %11 {rate = 0.5 : f32} : tensor<?x10xf32>
  return %12 : tensor<?x10xf32>
}
