// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Each typed attribute verifies itself once (NNAttributes.cpp).

// expected-error @+1 {{'lr' is out of range: 0.0}}
func.func @zero_lr() attributes {optimizer = #nn.optimizer<kind = sgd, lr = 0.0, weight_decay = 0.0>} {
  return
}

// -----

// expected-error @+1 {{nesterov needs sgd with a momentum above 0}}
func.func @nesterov_without_momentum() attributes {optimizer = #nn.optimizer<kind = sgd, lr = 0.1, nesterov = true, weight_decay = 0.0>} {
  return
}

// -----

// expected-error @+1 {{'beta2' is out of range: 1.0}}
func.func @beta() attributes {optimizer = #nn.optimizer<kind = adam, lr = 0.1, beta2 = 1.0, weight_decay = 0.0>} {
  return
}

// -----

// expected-error @+2 {{expected ::mlir::nn::OptimizerKind to be one of: sgd, adam, adamw}}
// expected-error @+1 {{failed to parse NN_OptimizerAttr parameter 'kind'}}
func.func @unknown_optimizer() attributes {optimizer = #nn.optimizer<kind = rmsprop, lr = 0.1, weight_decay = 0.0>} {
  return
}

// -----

// expected-error @+1 {{batch must be at least 1 and epochs not negative}}
func.func @batch() attributes {nn.train = #nn.train<loss = mse, batch = 0>} {
  return
}

// -----

// expected-error @+1 {{idx data needs 2 file name(s) as strings}}
func.func @files() attributes {data = #nn.data<format = idx, dir = "", files = ["x"]>} {
  return
}

// -----

// expected-error @+1 {{uniform needs lo < hi, found 1.0 and 0.0}}
func.func @uniform(%w: tensor<3xf32> {nn.init = #nn.init<kind = uniform, lo = 1.0, hi = 0.0>}) {
  return
}

// -----

// expected-error @+1 {{he_normal needs fan_in and fan_out of at least 1}}
func.func @fans(%w: tensor<3xf32> {nn.init = #nn.init<kind = he_normal>}) {
  return
}
