// Two steps of @train_step with adamw against torch.optim.
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
// OPTIM: torch.optim.AdamW(P, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)
// LR: 0.01
// NSLOTS: 2
func.func @Reg(%x: tensor<?x4xf32> {nn.input = "x"},
               %w: tensor<4x2xf32> {nn.param = "w"},
               %b: tensor<2xf32> {nn.param = "b"})
    -> tensor<?x2xf32> attributes {nn.model, nn.train = #nn.train<loss = mse,
        optimizer = #nn.optimizer<kind = adamw, lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1.0e-06, weight_decay = 0.05>>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = nn.tanh %1 : tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}
