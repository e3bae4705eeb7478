// RUN: nn-opt %s --split-input-file --nn-build-train-step | FileCheck %s

// SGD with momentum: one `momentum` state per parameter, param-major.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %{{.*}}: tensor<?x4xf32> {nn.input = "x"}, %{{.*}}: tensor<?x2xf32> {nn.target}
// CHECK-SAME: %[[W:.*]]: tensor<4x2xf32> {nn.param = "w"}, %[[B:.*]]: tensor<2xf32> {nn.param = "b"}
// CHECK-SAME: %[[WM:.*]]: tensor<4x2xf32> {nn.state = "w.momentum"}, %[[BM:.*]]: tensor<2xf32> {nn.state = "b.momentum"}
// CHECK-SAME: %[[LR:.*]]: tensor<f32> {nn.lr}, %{{.*}}: tensor<f32> {nn.step}
// Each new parameter or state carries its argument's marker (a backend may
// write it in place).
// CHECK-SAME: -> (tensor<f32>, tensor<4x2xf32> {nn.param = "w"}, tensor<2xf32> {nn.param = "b"}, tensor<4x2xf32> {nn.state = "w.momentum"}, tensor<2xf32> {nn.state = "b.momentum"})
// CHECK: %[[LOSS:.*]] = nn.mse
// CHECK: %[[MOM:.*]] = arith.constant dense<0.899999976> : tensor<f32>
// CHECK: %[[DECAYED:.*]] = nn.mul %[[WM]], %[[MOM]]
// CHECK: %[[NEWWM:.*]] = nn.add %[[DECAYED]], %{{.*}}
// CHECK: %[[STEP:.*]] = nn.mul %[[LR]], %[[NEWWM]]
// CHECK: %[[NEWW:.*]] = nn.sub %[[W]], %[[STEP]]
// CHECK: return %[[LOSS]], %[[NEWW]], %{{.*}}, %[[NEWWM]], %{{.*}}
// The same update alone, on gradients passed in (data-parallel training sums
// them over processes between @gradients and this).
// CHECK-LABEL: func.func @apply_gradients
// CHECK-SAME: (%[[AW:[^:]*]]: tensor<4x2xf32> {nn.param = "w"}, %{{[^:]*}}: tensor<2xf32> {nn.param = "b"}
// CHECK-SAME: %[[GW:[^:]*]]: tensor<4x2xf32> {nn.grad = "w"}, %{{[^:]*}}: tensor<2xf32> {nn.grad = "b"}
// CHECK-SAME: %[[AWM:[^:]*]]: tensor<4x2xf32> {nn.state = "w.momentum"}, %{{[^:]*}}: tensor<2xf32> {nn.state = "b.momentum"}
// CHECK-SAME: %[[ALR:[^:]*]]: tensor<f32> {nn.lr}, %{{[^:]*}}: tensor<f32> {nn.step})
// CHECK-SAME: -> (tensor<4x2xf32> {nn.param = "w"}, tensor<2xf32> {nn.param = "b"}, tensor<4x2xf32> {nn.state = "w.momentum"}, tensor<2xf32> {nn.state = "b.momentum"})
// CHECK: %[[AD:.*]] = nn.mul %[[AWM]], %{{.*}}
// CHECK: %[[ANEWWM:.*]] = nn.add %[[AD]], %[[GW]]
// CHECK: %[[ASTEP:.*]] = nn.mul %[[ALR]], %[[ANEWWM]]
// CHECK: %[[ANEWW:.*]] = nn.sub %[[AW]], %[[ASTEP]]
// CHECK: return %[[ANEWW]], %{{.*}}, %[[ANEWWM]], %{{.*}}
// And on a flat run of any one parameter's elements (each rank of a data-parallel job
// updates its own slice of all of them).
// CHECK-LABEL: func.func @apply_gradients_slice
// CHECK-SAME: (%[[SP:[^:]*]]: tensor<?xf32> {nn.param = "slice"}, %[[SG:[^:]*]]: tensor<?xf32> {nn.grad = "slice"}, %[[SM:[^:]*]]: tensor<?xf32> {nn.state = "slice.momentum"}, %[[SLR:[^:]*]]: tensor<f32> {nn.lr}, %{{[^:]*}}: tensor<f32> {nn.step})
// CHECK-SAME: -> (tensor<?xf32> {nn.param = "slice"}, tensor<?xf32> {nn.state = "slice.momentum"})
// CHECK: %[[SD:.*]] = nn.mul %[[SM]], %{{.*}}
// CHECK: %[[SNEWM:.*]] = nn.add %[[SD]], %[[SG]]
// CHECK: %[[SSTEP:.*]] = nn.mul %[[SLR]], %[[SNEWM]]
// CHECK: %[[SNEWP:.*]] = nn.sub %[[SP]], %[[SSTEP]]
// CHECK: return %[[SNEWP]], %[[SNEWM]]
func.func @Reg(%x: tensor<?x4xf32> {nn.input = "x"},
               %w: tensor<4x2xf32> {nn.param = "w"},
               %b: tensor<2xf32> {nn.param = "b"})
    -> tensor<?x2xf32> attributes {nn.model, nn.train = #nn.train<loss = mse,
        optimizer = #nn.optimizer<kind = sgd, lr = 0.1, momentum = 0.9, nesterov = false, weight_decay = 0.0>>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Plain SGD (the default optimizer) has no state.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %{{.*}}: tensor<?xi32> {nn.target}, %[[W:.*]]: tensor<4x3xf32> {nn.param = "w"}, %[[LR:.*]]: tensor<f32> {nn.lr}, %{{.*}}: tensor<f32> {nn.step})
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32> {nn.param = "w"})
// CHECK: %[[STEP:.*]] = nn.mul %[[LR]], %{{.*}}
// CHECK: nn.sub %[[W]], %[[STEP]]
func.func @Lin(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Adam: exp_avg then exp_avg_sq per parameter; bias corrections in f64.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: {nn.state = "w.exp_avg"}, %{{.*}}: tensor<4x3xf32> {nn.state = "w.exp_avg_sq"}, %[[LR:.*]]: tensor<f32> {nn.lr}, %[[T:.*]]: tensor<f32> {nn.step})
// CHECK: %[[TS:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK: %[[T64:.*]] = arith.extf %[[TS]] : f32 to f64
// CHECK: math.powf %{{.*}}, %[[T64]] : f64
// CHECK: nn.sqrt
// CHECK: nn.div
// CHECK: return
// CHECK-LABEL: func.func @apply_gradients_slice
// CHECK-SAME: (%{{[^:]*}}: tensor<?xf32> {nn.param = "slice"}, %{{[^:]*}}: tensor<?xf32> {nn.grad = "slice"}, %{{[^:]*}}: tensor<?xf32> {nn.state = "slice.exp_avg"}, %{{[^:]*}}: tensor<?xf32> {nn.state = "slice.exp_avg_sq"}, %{{[^:]*}}: tensor<f32> {nn.lr}, %{{[^:]*}}: tensor<f32> {nn.step})
// CHECK: math.powf
// CHECK: nn.sqrt
func.func @LinAdam(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy,
        optimizer = #nn.optimizer<kind = adam, lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = 0.0>>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// No train block: nothing to build.
// CHECK-LABEL: func.func @Infer
// CHECK-NOT: @train_step
func.func @Infer(%x: tensor<?x4xf32> {nn.input = "x"}) -> tensor<?x4xf32> attributes {nn.model} {
  return %x : tensor<?x4xf32>
}
