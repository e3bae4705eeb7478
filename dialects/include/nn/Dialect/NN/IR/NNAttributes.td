//===- NNAttributes.td - typed attributes of the nn dialect -*- tablegen -*-===//
//
// What a model's train block and its parameters' initializers say, as typed
// attributes verified once. The defaults of LANGUAGE.md §9 are written once,
// in NNAttributes.h (TrainDefaults) and, where they depend on the optimizer,
// in OptimizerAttr::get; the syntax and the frontend both use them.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_NNATTRIBUTES_TD
#define NN_DIALECT_NN_IR_NNATTRIBUTES_TD

include "nn/Dialect/NN/IR/NNDialect.td"
include "nn/Dialect/NN/IR/NNEnums.td"
include "mlir/IR/AttrTypeBase.td"

/// A double printed so that it reads back as the same double; optional in
/// the syntax when it has a default.
class NN_F64Parameter<string desc, string default = "">
    : AttrOrTypeParameter<"::mlir::nn::F64", desc, "double"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::mlir::nn::F64> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::mlir::nn::F64(value);
  }() }];
  let printer = [{ ::mlir::nn::printShortestDouble($_printer, $_self) }];
  let defaultValue = default;
}

/// The defaults of LANGUAGE.md §9, from NNAttributes.h.
class NN_Default<string name> {
  string value = "::mlir::nn::TrainDefaults::" # name;
}

class NN_Attr<string name, string attrMnemonic>
    : AttrDef<NN_Dialect, name> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def NN_OptimizerAttr : NN_Attr<"Optimizer", "optimizer"> {
  let summary = "the optimizer of a train block and its hyper-parameters";
  let description = [{
    PyTorch's SGD (with momentum, Nesterov and L2 weight decay), Adam (L2
    weight decay) and AdamW (decoupled weight decay).

    ```mlir
    #nn.optimizer<kind = adam, lr = 0.001, weight_decay = 0.0>
    #nn.optimizer<kind = sgd, lr = 0.1, momentum = 0.9, nesterov = true,
                  weight_decay = 0.0>
    ```
  }];
  let parameters = (ins
    EnumParameter<NN_OptimizerKind>:$kind,
    NN_F64Parameter<"learning rate">:$lr,
    NN_F64Parameter<"sgd momentum", NN_Default<"momentum">.value>:$momentum,
    DefaultValuedParameter<"bool", NN_Default<"nesterov">.value,
                           "sgd: Nesterov momentum">:$nesterov,
    NN_F64Parameter<"adam: decay of the first moment",
                    NN_Default<"beta1">.value>:$beta1,
    NN_F64Parameter<"adam: decay of the second moment",
                    NN_Default<"beta2">.value>:$beta2,
    NN_F64Parameter<"adam: added to the denominator",
                    NN_Default<"eps">.value>:$eps,
    NN_F64Parameter<"weight decay (L2 for sgd and adam)">:$weight_decay);
  let extraClassDeclaration = [{
    /// The optimizer `kind` with the defaults of LANGUAGE.md: those of
    /// TrainDefaults, and lr 0.01 for sgd and 0.001 for adam(w), weight
    /// decay 0.01 for adamw (PyTorch's), 0 otherwise.
    static OptimizerAttr get(::mlir::MLIRContext *context, OptimizerKind kind);
  }];
}

def NN_DataAttr : NN_Attr<"Data", "data"> {
  let summary = "where a train block reads its samples";
  let description = [{
    `idx` files (images and labels, pixels times `scale`), one `csv` file
    (the label in column `label`; `header` is auto, true or false), or `npy`
    files (inputs and targets).

    ```mlir
    #nn.data<format = idx, dir = "/data", files = ["x.gz", "y.gz"], scale = 0.00392>
    ```
  }];
  let parameters = (ins
    EnumParameter<NN_DataFormat>:$format,
    StringRefParameter<"folder that relative file names start from">:$dir,
    "::mlir::ArrayAttr":$files,
    NN_F64Parameter<"factor applied to every input value",
                    NN_Default<"scale">.value>:$scale,
    DefaultValuedParameter<"int64_t", NN_Default<"label">.value,
                           "csv: the label's column">:$label,
    DefaultValuedParameter<"DataHeader", NN_Default<"header">.value,
                           "csv: whether the first row is a header">:$header);
}

def NN_TrainAttr : NN_Attr<"Train", "train"> {
  let summary = "a model's train block";
  let description = [{
    Set on the model function as `nn.train`. The training passes read the
    loss and the optimizer; the runtime reads the rest from the manifest.

    ```mlir
    #nn.train<loss = cross_entropy, batch = 64, epochs = 2, seed = 42,
              optimizer = #nn.optimizer<kind = adam, lr = 0.001, weight_decay = 0.0>,
              data = #nn.data<format = idx, dir = "", files = ["x", "y"]>>
    ```
  }];
  let parameters = (ins
    EnumParameter<NN_LossKind>:$loss,
    DefaultValuedParameter<"int64_t", NN_Default<"batch">.value,
                           "samples in one step">:$batch,
    DefaultValuedParameter<"int64_t", NN_Default<"epochs">.value,
                           "passes over the data">:$epochs,
    DefaultValuedParameter<"int64_t", NN_Default<"seed">.value,
                           "seed of the initial weights and shuffling">:$seed,
    DefaultValuedParameter<"bool", NN_Default<"shuffle">.value,
                           "shuffle the samples every epoch">:$shuffle,
    OptionalParameter<"OptimizerAttr",
                      "the optimizer; sgd with its defaults if absent">:$optimizer,
    OptionalParameter<"DataAttr", "training samples (the manifest's)">:$data,
    OptionalParameter<"DataAttr", "held-out samples for eval">:$test);
  let extraClassDeclaration = [{
    /// The optimizer, or the default one (TrainDefaults::optimizer).
    OptimizerAttr getOptimizerOrDefault() const;
  }];
}

def NN_InitAttr : NN_Attr<"Init", "init"> {
  let summary = "how a parameter is initialized";
  let description = [{
    Set on a model argument as `nn.init`. `constant` uses `value`, `uniform`
    draws from [`lo`, `hi`), `normal` from N(`mean`, `std`); the fan-based
    kinds (glorot_uniform, he_normal, he_uniform, lecun_uniform) use
    `fan_in` and `fan_out`.

    ```mlir
    #nn.init<kind = glorot_uniform, fan_in = 784, fan_out = 128>
    ```
  }];
  let parameters = (ins
    EnumParameter<NN_InitKind>:$kind,
    NN_F64Parameter<"constant: the value", "0.0">:$value,
    NN_F64Parameter<"uniform: lowest value", "0.0">:$lo,
    NN_F64Parameter<"uniform: bound above", "0.0">:$hi,
    NN_F64Parameter<"normal: mean", "0.0">:$mean,
    NN_F64Parameter<"normal: standard deviation", "0.0">:$std,
    DefaultValuedParameter<"int64_t", "0", "inputs per output">:$fan_in,
    DefaultValuedParameter<"int64_t", "0", "outputs per input">:$fan_out);
  let extraClassDeclaration = [{
    /// glorot_uniform, he_normal, he_uniform and lecun_uniform.
    static bool kindUsesFans(InitKind kind);
    bool usesFans() const { return kindUsesFans(getKind()); }
  }];
}

#endif // NN_DIALECT_NN_IR_NNATTRIBUTES_TD
