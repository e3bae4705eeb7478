// RUN: nn-opt %s --split-input-file --nn-build-train-step --verify-diagnostics

// expected-error @below {{unknown optimizer 'rmsprop', expected sgd, adam or adamw}}
func.func @M(%x: tensor<?x4xf32> {nn.input = "x"}) -> tensor<?x4xf32>
    attributes {nn.model, nn.train = {loss = "mse", optimizer = {kind = "rmsprop"}}} {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @below {{nesterov momentum requires momentum > 0}}
func.func @M(%x: tensor<?x4xf32> {nn.input = "x"}) -> tensor<?x4xf32>
    attributes {nn.model, nn.train = {loss = "mse", optimizer = {kind = "sgd", nesterov = true}}} {
  return %x : tensor<?x4xf32>
}
