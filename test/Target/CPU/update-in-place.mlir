// nnc-cpu-write-updates-in-place: a result marked nn.param / nn.state (train_step's new
// parameters and optimizer states) is written into the argument with the same marker; the
// body reads the old value through the init. An update that reads another one (the new
// weights read the new momentum) is fused with it into one op with both results. Updates of
// at least 32768 elements are marked for thread blocks. Unmarked results, inits that are not
// tensor.empty and reductions keep their fresh tensors. Every argument that no result
// replaces becomes read-only (bufferization.writable = false).
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-write-updates-in-place))' | FileCheck %s
// After bufferization (nnc-cpu-return-updated-arguments after the deallocation), the step
// returns its arguments themselves: no allocation or copy of them is left. Where the old
// value is still read after the update, bufferization copies it and the result is fresh.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-write-updates-in-place),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-deallocation-pipeline,func.func(nnc-cpu-return-updated-arguments))' | FileCheck %s --check-prefix=BUF

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#id1 = affine_map<(d0) -> (d0)>
#scalar2 = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[W:[^:]*]]: tensor<256x128xf32> {nn.param = "w"}, %[[B:[^:]*]]: tensor<128xf32> {nn.param = "b"}, %[[M:[^:]*]]: tensor<256x128xf32> {nn.state = "w.momentum"}, %[[G:[^:]*]]: tensor<256x128xf32> {bufferization.writable = false}, %[[GB:[^:]*]]: tensor<128xf32> {bufferization.writable = false}, %[[LR:[^:]*]]: tensor<f32> {bufferization.writable = false})
// CHECK: %[[NEW:.*]]:2 = linalg.generic {{.*}} ins(%[[LR]], %[[G]] : tensor<f32>, tensor<256x128xf32>) outs(%[[M]], %[[W]] : tensor<256x128xf32>, tensor<256x128xf32>) attrs = {nnc.parallel_update}
// CHECK: ^bb0(%[[LRIN:.*]]: f32, %[[GIN:.*]]: f32, %[[MOUT:.*]]: f32, %[[WOUT:.*]]: f32):
// CHECK: %[[DECAYED:.*]] = arith.mulf %[[MOUT]]
// CHECK: %[[NEWMV:.*]] = arith.addf %[[DECAYED]], %[[GIN]]
// CHECK: %[[STEP:.*]] = arith.mulf %[[LRIN]], %[[NEWMV]]
// CHECK: %[[NEWWV:.*]] = arith.subf %[[WOUT]], %[[STEP]]
// CHECK: linalg.yield %[[NEWMV]], %[[NEWWV]]
// CHECK: %[[NEWB:.*]] = linalg.generic {{.*}} ins(%[[GB]] : tensor<128xf32>) outs(%[[B]] : tensor<128xf32>) {
// CHECK: return %[[NEW]]#1, %[[NEWB]], %[[NEW]]#0
// BUF-LABEL: func.func @step
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF-NOT: bufferization.clone
// BUF: return %arg0, %arg1, %arg2 : memref<256x128xf32>, memref<128xf32>, memref<256x128xf32>
func.func @step(%w: tensor<256x128xf32> {nn.param = "w"}, %b: tensor<128xf32> {nn.param = "b"},
                %m: tensor<256x128xf32> {nn.state = "w.momentum"}, %g: tensor<256x128xf32>,
                %gb: tensor<128xf32>, %lr: tensor<f32>)
    -> (tensor<256x128xf32> {nn.param = "w"}, tensor<128xf32> {nn.param = "b"},
        tensor<256x128xf32> {nn.state = "w.momentum"}) {
  %cst = arith.constant 0.9 : f32
  %e = tensor.empty() : tensor<256x128xf32>
  %newm = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %g : tensor<256x128xf32>, tensor<256x128xf32>) outs(%e : tensor<256x128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %0 = arith.mulf %a, %cst : f32
    %1 = arith.addf %0, %c : f32
    linalg.yield %1 : f32
  } -> tensor<256x128xf32>
  %neww = linalg.generic {indexing_maps = [#id2, #scalar2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%w, %lr, %newm : tensor<256x128xf32>, tensor<f32>, tensor<256x128xf32>) outs(%e : tensor<256x128xf32>) {
  ^bb0(%a: f32, %l: f32, %c: f32, %o: f32):
    %0 = arith.mulf %l, %c : f32
    %1 = arith.subf %a, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<256x128xf32>
  %eb = tensor.empty() : tensor<128xf32>
  %newb = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%b, %gb : tensor<128xf32>, tensor<128xf32>) outs(%eb : tensor<128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %0 = arith.subf %a, %c : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  return %neww, %newb, %newm : tensor<256x128xf32>, tensor<128xf32>, tensor<256x128xf32>
}

// A gradient that reads the parameter (weight decay) is no new value of it: unmarked results
// keep their fresh tensor, as does an init that is not tensor.empty.
// CHECK-LABEL: func.func @gradients
// CHECK: %[[E:.*]] = tensor.empty
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<128xf32>)
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: linalg.generic {{.*}} outs(%[[F]] : tensor<128xf32>)
// CHECK-NOT: nnc.parallel_update
func.func @gradients(%b: tensor<128xf32> {nn.param = "b"}, %gb: tensor<128xf32>)
    -> (tensor<128xf32>, tensor<128xf32> {nn.param = "b"}) {
  %e = tensor.empty() : tensor<128xf32>
  %decay = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%b, %gb : tensor<128xf32>, tensor<128xf32>) outs(%e : tensor<128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %0 = arith.addf %a, %c : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<128xf32>) -> tensor<128xf32>
  %acc = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%b : tensor<128xf32>) outs(%f : tensor<128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.addf %a, %o : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  return %decay, %acc : tensor<128xf32>, tensor<128xf32>
}

// The old value is read after the update: bufferization writes the new one elsewhere, and the
// result is that fresh buffer, not the argument.
// BUF-LABEL: func.func @read_after
// BUF: %[[NEW:.*]] = memref.alloc
// BUF: return %[[NEW]], %{{.*}} :
func.func @read_after(%b: tensor<128xf32> {nn.param = "b"}, %gb: tensor<128xf32>)
    -> (tensor<128xf32> {nn.param = "b"}, tensor<128xf32>) {
  %e = tensor.empty() : tensor<128xf32>
  %newb = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%b, %gb : tensor<128xf32>, tensor<128xf32>) outs(%e : tensor<128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %0 = arith.subf %a, %c : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  %e2 = tensor.empty() : tensor<128xf32>
  %old = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%b : tensor<128xf32>) outs(%e2 : tensor<128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.addf %a, %a : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  return %newb, %old : tensor<128xf32>, tensor<128xf32>
}

// Every other argument is read-only: an op whose destination is one (here a gradient scaled
// in place) writes a copy of it, never the caller's buffer, which data-parallel training
// shares between processes.
// CHECK-LABEL: func.func @read_only
// CHECK-SAME: (%{{[^:]*}}: tensor<128xf32> {nn.param = "b"}, %{{[^:]*}}: tensor<128xf32> {bufferization.writable = false})
// BUF-LABEL: func.func @read_only
// BUF: %[[COPY:.*]] = memref.alloc
// BUF: memref.copy %arg1, %[[COPY]]
// BUF: return %arg0, %[[COPY]] :
func.func @read_only(%b: tensor<128xf32> {nn.param = "b"}, %gb: tensor<128xf32>)
    -> (tensor<128xf32> {nn.param = "b"}, tensor<128xf32>) {
  %e = tensor.empty() : tensor<128xf32>
  %newb = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%b, %gb : tensor<128xf32>, tensor<128xf32>) outs(%e : tensor<128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %0 = arith.subf %a, %c : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  %twice = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]}
      outs(%gb : tensor<128xf32>) {
  ^bb0(%o: f32):
    %0 = arith.addf %o, %o : f32
    linalg.yield %0 : f32
  } -> tensor<128xf32>
  return %newb, %twice : tensor<128xf32>, tensor<128xf32>
}
