// The CPU codegen's lower script (compiler/lib/Target/CPU/Transforms/cpu-lower.mlir), run by
// the upstream transform interpreter from its file: a register tile's vector.contract
// (what the tile script leaves in the K loop) becomes one FMA per row of the tile, a
// broadcast element of A times the row of B.
// RUN: nn-opt %s --transform-preload-library=transform-library-paths=%nnc_src/compiler/lib/Target/CPU/Transforms/cpu-lower.mlir --transform-interpreter=entry-point=nnc_cpu_lower | FileCheck %s

// CHECK-LABEL: func.func @tile
// CHECK-NOT: vector.contract
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.contract
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @tile(%a: vector<4x1xf32>, %b: vector<1x16xf32>, %c: vector<4x16xf32>) -> vector<4x16xf32> {
  %0 = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
  return %0 : vector<4x16xf32>
}
