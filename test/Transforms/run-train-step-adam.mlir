// Two steps of @train_step with adam against torch.optim.
// RUN: nn-opt %s --nn-build-train-step > %t.ts.mlir
// RUN: %gradcheck driver train %s %t.ts.mlir > %t.mlir
// RUN: nn-opt %t.mlir --convert-nn-to-linalg %lower-to-llvm | %mlir-run > %t.out
// RUN: %gradcheck check train %s < %t.out | FileCheck %s

// CHECK: OK loss
// CHECK: OK param w
// CHECK: OK param b
// CHECK: OK state w.exp_avg
// CHECK-NOT: FAIL

// TORCH: torch.tanh(x @ w + b)
// OPTIM: torch.optim.Adam(P, lr=0.01, weight_decay=0.1)
// LR: 0.01
// NSLOTS: 2
func.func @Reg(%x: tensor<?x4xf32> {nn.input = "x"},
               %w: tensor<4x2xf32> {nn.param = "w"},
               %b: tensor<2xf32> {nn.param = "b"})
    -> tensor<?x2xf32> attributes {nn.model, nn.train = #nn.train<loss = mse,
        optimizer = #nn.optimizer<kind = adam, lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1.0e-08, weight_decay = 0.1>>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = nn.tanh %1 : tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}
