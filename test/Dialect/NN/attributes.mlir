// RUN: nn-opt %s --split-input-file | FileCheck %s
// RUN: nn-opt %s --split-input-file | nn-opt --split-input-file | FileCheck %s
// The typed attributes of NNAttributes.td: defaults omitted when printing,
// doubles printed so that they read back as the same double (1/255 has 15
// significant digits, 1e-6 gets its point), nested attributes without their
// #nn. prefix (their type is known).

// CHECK-LABEL: func.func @defaults
// CHECK-SAME: nn.train = #nn.train<loss = mse, optimizer = <kind = sgd, lr = 0.01, weight_decay = 0.0>>}
func.func @defaults(%x: tensor<?x4xf32>) -> tensor<?x4xf32>
    attributes {nn.model, nn.train = #nn.train<loss = mse, batch = 32, epochs = 1, seed = 0, shuffle = true,
                optimizer = #nn.optimizer<kind = sgd, lr = 0.01, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
  return %x : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @everything
// CHECK-SAME: %{{.*}}: tensor<4x3xf32> {nn.init = #nn.init<kind = glorot_uniform, fan_in = 4, fan_out = 3>, nn.param = "w"}
// CHECK-SAME: %{{.*}}: tensor<3xf32> {nn.init = #nn.init<kind = uniform, lo = -0.1, hi = 0.1>, nn.param = "b"}
// CHECK-SAME: #nn.train<loss = cross_entropy, batch = 64, epochs = 3, seed = 7, shuffle = false,
// CHECK-SAME: optimizer = <kind = adamw, lr = 0.001, beta1 = 0.8, eps = 1.0e-06, weight_decay = 0.01>,
// CHECK-SAME: data = <format = csv, dir = "/d", files = ["a.csv"], scale = 0.00392156862745098, label = 4, header = true>,
// CHECK-SAME: test = <format = idx, dir = "", files = ["x", "y"]>>}
func.func @everything(%x: tensor<?x4xf32> {nn.input = "x"},
                      %w: tensor<4x3xf32> {nn.param = "w", nn.init = #nn.init<kind = glorot_uniform, fan_in = 4, fan_out = 3>},
                      %b: tensor<3xf32> {nn.param = "b", nn.init = #nn.init<kind = uniform, lo = -0.1, hi = 0.1>}) -> tensor<?x4xf32>
    attributes {nn.model, nn.train = #nn.train<loss = cross_entropy, batch = 64, epochs = 3, seed = 7, shuffle = false,
                optimizer = #nn.optimizer<kind = adamw, lr = 1.0e-3, beta1 = 0.8, eps = 1.0e-6, weight_decay = 0.01>,
                data = #nn.data<format = csv, dir = "/d", files = ["a.csv"], scale = 0.0039215686274509803, label = 4, header = true>,
                test = #nn.data<format = idx, dir = "", files = ["x", "y"]>>} {
  return %x : tensor<?x4xf32>
}
