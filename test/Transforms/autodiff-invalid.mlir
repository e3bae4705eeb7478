// RUN: nn-opt %s --split-input-file --nn-autodiff --verify-diagnostics
// RUN: nn-opt %s --split-input-file --nn-build-train-step --verify-diagnostics

func.func private @opaque(tensor<?x3xf32>) -> tensor<?x3xf32>
func.func @Call(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  // expected-error @below {{'func.call' op is not differentiable}}
  %1 = func.call @opaque(%0) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// The loss is an enum of the attribute: the parser refuses others.
func.func @BadLoss(%x: tensor<?x4xf32> {nn.input = "x"}) -> tensor<?x4xf32>
    // expected-error @+2 {{expected ::mlir::nn::LossKind to be one of: cross_entropy, mse}}
    // expected-error @+1 {{failed to parse NN_TrainAttr parameter 'loss'}}
    attributes {nn.model, nn.train = #nn.train<loss = hinge>} {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @below {{the module already has a symbol @}}
func.func @M(%x: tensor<?x4xf32> {nn.input = "x"}, %w: tensor<4x3xf32> {nn.param = "w"})
    -> tensor<?x3xf32> attributes {nn.model, nn.train = #nn.train<loss = cross_entropy>} {
  %0 = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
func.func @gradients() { return }
func.func @train_step() { return }
