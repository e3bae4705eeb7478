// nn-gradients-f64 adds @gradients_f64, @gradients with every f32 widened to
// f64 (arguments, results, constants, linalg bodies), f32<->f64 conversions
// dropped; @gradients itself is unchanged.
// RUN: nn-opt %s --split-input-file --nn-gradients-f64 | FileCheck %s

#map = affine_map<(d0) -> (d0)>
func.func @gradients(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"}) -> (tensor<4xf32>, f64) {
  %c = arith.constant dense<[1.5, 2.0, 0.1, -3.0]> : tensor<4xf32>
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%x, %w, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %k: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %k : f32
    %h = arith.mulf %s, %half : f32
    linalg.yield %h : f32
  } -> tensor<4xf32>
  %i0 = arith.constant 0 : index
  %x0 = tensor.extract %x[%i0] : tensor<4xf32>
  %wide = arith.extf %x0 : f32 to f64
  return %r, %wide : tensor<4xf32>, f64
}
// CHECK-LABEL: func.func @gradients(%{{.*}}: tensor<4xf32>
// CHECK:         arith.extf
// CHECK-LABEL: func.func @gradients_f64(%{{.*}}: tensor<4xf64> {nn.input = "x"}, %{{.*}}: tensor<4xf64> {nn.param = "w"}) -> (tensor<4xf64>, f64)
// The constants keep their f32 values, exactly.
// CHECK-NEXT:    arith.constant dense<[1.500000e+00, 2.000000e+00, 0.10000000149011612, -3.000000e+00]> : tensor<4xf64>
// CHECK-NEXT:    arith.constant 5.000000e-01 : f64
// CHECK-NEXT:    tensor.empty() : tensor<4xf64>
// CHECK:         ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT:      arith.mulf {{.*}} : f64
// CHECK-NEXT:      arith.addf {{.*}} : f64
// CHECK-NEXT:      arith.mulf {{.*}} : f64
// CHECK:         %[[E:.*]] = tensor.extract {{.*}} : tensor<4xf64>
// CHECK-NEXT:    return %{{.*}}, %[[E]] : tensor<4xf64>, f64

// -----

// Code that reads the bits of an f32 (the dropout RNG) has no float64 copy.
func.func @gradients(%x: f32 {nn.input = "x"}) -> i32 {
  %bits = arith.bitcast %x : f32 to i32
  return %bits : i32
}
// CHECK-LABEL: func.func @gradients(
// CHECK-NOT:   @gradients_f64
