// RUN: nn-opt %s --convert-nn-to-linalg --split-input-file --verify-diagnostics

// Integer division has no agreed meaning (PyTorch's `/` gives floats), so
// the pattern refuses it and the op stays illegal.
func.func @int_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{failed to legalize operation 'nn.div'}}
  %0 = nn.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
