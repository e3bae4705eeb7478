//===- Manifest.cpp - the model description linked into executables -------===//
//
// The runtime learns everything about the model (inputs, parameters and their
// initializers, optimizer state, the train block) from this JSON object, so
// the generated code needs no other metadata. Schema: docs/design.md.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace json = llvm::json;

// The backend lives in ::nn; mlir::nn is the dialect.
namespace nnc = ::nn;

namespace {
constexpr StringLiteral kStateAttr = "nn.state";
// The train_step argument that carries the label (the training target).
constexpr StringLiteral kLabelArgAttr = "nn.target";

/// Builds JSON values from attributes, remembering any string that is not
/// UTF-8 (llvm::json would silently replace its bytes, and a path with them
/// would then name another file).
class ManifestWriter {
public:
  json::Value string(StringRef s) {
    if (!json::isUTF8(s))
      bad = true;
    return json::fixUTF8(s);
  }
  json::Value value(Attribute attr);
  /// {"dtype": "f32", "shape": [-1, 784]}, -1 for a dynamic dimension.
  json::Object tensor(Type type);
  bool hasBadText() const { return bad; }

private:
  bool bad = false;
};
} // namespace

json::Value ManifestWriter::value(Attribute attr) {
  if (auto array = dyn_cast<ArrayAttr>(attr)) {
    json::Array out;
    for (Attribute element : array)
      out.push_back(value(element));
    return out;
  }
  if (auto dict = dyn_cast<DictionaryAttr>(attr)) {
    json::Object out;
    for (NamedAttribute entry : dict)
      out[entry.getName().getValue()] = value(entry.getValue());
    return out;
  }
  if (auto str = dyn_cast<StringAttr>(attr))
    return string(str.getValue());
  if (auto b = dyn_cast<BoolAttr>(attr))
    return b.getValue();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getInt();
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  std::string text;
  llvm::raw_string_ostream(text) << attr;
  return string(text);
}

json::Object ManifestWriter::tensor(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  json::Array shape;
  for (int64_t d : tensor.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return json::Object{
      {"dtype", tensor.getElementType().isInteger(32) ? "i32" : "f32"},
      {"shape", std::move(shape)}};
}

llvm::SmallVector<nnc::EntryPoint> nnc::findEntryPoints(ModuleOp module) {
  llvm::SmallVector<EntryPoint> entries;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr(mlir::nn::kModelAttr))
      entries.push_back({func.getSymName().str(), "forward"});
    else if (llvm::is_contained({"gradients", "gradients_f64", "train_step",
                                 "apply_gradients", "apply_gradients_slice"},
                                func.getSymName()))
      entries.push_back({func.getSymName().str(), func.getSymName().str()});
  }
  return entries;
}

/// The typed attributes as key=value records (docs/design.md, "Manifest"):
/// `kind` first, then what the runtime reads.
static DictionaryAttr asRecord(mlir::nn::InitAttr init) {
  Builder b(init.getContext());
  using mlir::nn::InitKind;
  SmallVector<NamedAttribute> fields = {b.getNamedAttr(
      "kind", b.getStringAttr(mlir::nn::stringifyInitKind(init.getKind())))};
  auto add = [&](StringRef key, double v) {
    fields.push_back(b.getNamedAttr(key, b.getF64FloatAttr(v)));
  };
  if (init.getKind() == InitKind::constant)
    add("value", init.getValue());
  if (init.getKind() == InitKind::uniform)
    add("lo", init.getLo()), add("hi", init.getHi());
  if (init.getKind() == InitKind::normal)
    add("mean", init.getMean()), add("std", init.getStd());
  if (init.usesFans()) {
    fields.push_back(
        b.getNamedAttr("fan_in", b.getI64IntegerAttr(init.getFanIn())));
    fields.push_back(
        b.getNamedAttr("fan_out", b.getI64IntegerAttr(init.getFanOut())));
  }
  return b.getDictionaryAttr(fields);
}

static DictionaryAttr asRecord(mlir::nn::OptimizerAttr opt) {
  Builder b(opt.getContext());
  bool sgd = opt.getKind() == mlir::nn::OptimizerKind::sgd;
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("kind", b.getStringAttr(mlir::nn::stringifyOptimizerKind(
                                 opt.getKind()))),
      b.getNamedAttr("lr", b.getF64FloatAttr(opt.getLr())),
      b.getNamedAttr("weight_decay", b.getF64FloatAttr(opt.getWeightDecay()))};
  if (sgd) {
    fields.push_back(
        b.getNamedAttr("momentum", b.getF64FloatAttr(opt.getMomentum())));
    fields.push_back(
        b.getNamedAttr("nesterov", b.getBoolAttr(opt.getNesterov())));
  } else {
    fields.push_back(
        b.getNamedAttr("beta1", b.getF64FloatAttr(opt.getBeta1())));
    fields.push_back(
        b.getNamedAttr("beta2", b.getF64FloatAttr(opt.getBeta2())));
    fields.push_back(b.getNamedAttr("eps", b.getF64FloatAttr(opt.getEps())));
  }
  return b.getDictionaryAttr(fields);
}

static DictionaryAttr asRecord(mlir::nn::DataAttr data) {
  Builder b(data.getContext());
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("kind", b.getStringAttr(mlir::nn::stringifyDataFormat(
                                 data.getFormat()))),
      b.getNamedAttr("dir", b.getStringAttr(data.getDir())),
      b.getNamedAttr("files", data.getFiles()),
      b.getNamedAttr("scale", b.getF64FloatAttr(data.getScale()))};
  if (data.getFormat() == mlir::nn::DataFormat::csv) {
    fields.push_back(
        b.getNamedAttr("label", b.getI64IntegerAttr(data.getLabel())));
    fields.push_back(b.getNamedAttr(
        "header",
        b.getStringAttr(mlir::nn::stringifyDataHeader(data.getHeader()))));
  }
  return b.getDictionaryAttr(fields);
}

static DictionaryAttr asRecord(mlir::nn::TrainAttr train) {
  Builder b(train.getContext());
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("loss", b.getStringAttr(
                                 mlir::nn::stringifyLossKind(train.getLoss()))),
      b.getNamedAttr("batch", b.getI64IntegerAttr(train.getBatch())),
      b.getNamedAttr("epochs", b.getI64IntegerAttr(train.getEpochs())),
      b.getNamedAttr("seed", b.getI64IntegerAttr(train.getSeed())),
      b.getNamedAttr("shuffle", b.getBoolAttr(train.getShuffle())),
      b.getNamedAttr("optimizer", asRecord(train.getOptimizerOrDefault()))};
  if (train.getData())
    fields.push_back(b.getNamedAttr("data", asRecord(train.getData())));
  if (train.getTest())
    fields.push_back(b.getNamedAttr("test", asRecord(train.getTest())));
  return b.getDictionaryAttr(fields);
}

FailureOr<json::Object> nnc::buildManifest(ModuleOp module) {
  func::FuncOp model;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(mlir::nn::kModelAttr))
      model = func;
  if (!model)
    return module.emitError("no function with the nn.model attribute"),
           failure();

  ManifestWriter w;
  json::Object manifest{{"format", "nnc-manifest"},
                        {"version", 2},
                        {"model", w.string(model.getSymName())}};
  json::Array inputs, outputs, params;
  for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
    Type type = model.getArgumentTypes()[i];
    if (auto name =
            model.getArgAttrOfType<StringAttr>(i, mlir::nn::kInputAttr)) {
      json::Object input = w.tensor(type);
      input["name"] = w.string(name.getValue());
      inputs.push_back(std::move(input));
    } else if (auto name = model.getArgAttrOfType<StringAttr>(
                   i, mlir::nn::kParamAttr)) {
      json::Object param = w.tensor(type);
      param["name"] = w.string(name.getValue());
      auto init =
          model.getArgAttrOfType<mlir::nn::InitAttr>(i, mlir::nn::kInitAttr);
      param["init"] = init ? w.value(asRecord(init))
                           : json::Value(json::Object{{"kind", "zeros"}});
      params.push_back(std::move(param));
    }
  }
  for (Type type : model.getResultTypes())
    outputs.push_back(w.tensor(type));
  manifest["inputs"] = std::move(inputs);
  manifest["outputs"] = std::move(outputs);
  manifest["params"] = std::move(params);

  // The train block with every default filled in: loss, batch, ..., and
  // the optimizer, data and test objects.
  if (auto train =
          model->getAttrOfType<mlir::nn::TrainAttr>(mlir::nn::kTrainAttr))
    manifest["train"] = w.value(asRecord(train));

  if (auto step = module.lookupSymbol<func::FuncOp>("train_step")) {
    json::Array state;
    for (unsigned i = 0, e = step.getNumArguments(); i < e; ++i) {
      Type type = step.getArgumentTypes()[i];
      if (step.getArgAttr(i, kLabelArgAttr)) {
        manifest["label"] = w.tensor(type);
      } else if (auto name = step.getArgAttrOfType<StringAttr>(i, kStateAttr)) {
        // "dense.w.momentum" names the parameter and the slot.
        auto [param, slot] = name.getValue().rsplit('.');
        json::Object s = w.tensor(type);
        s["param"] = w.string(param);
        s["slot"] = w.string(slot);
        state.push_back(std::move(s));
      }
    }
    manifest["optimizer_state"] = std::move(state);
  }
  json::Array entries;
  for (const EntryPoint &entry : findEntryPoints(module))
    entries.push_back(entry.entry);
  manifest["entries"] = std::move(entries);
  if (w.hasBadText())
    return module.emitError("a name or path in the model is not valid UTF-8, "
                            "which the manifest (JSON) cannot carry"),
           failure();
  return manifest;
}

std::string nnc::printManifest(const json::Object &manifest) {
  static const char *const order[] = {
      "format", "version", "model", "inputs",          "outputs",
      "params", "train",   "label", "optimizer_state", "entries",
      "device", "build",   "cost",  "line_costs"};
  std::string text;
  llvm::raw_string_ostream os(text);
  bool first = true;
  auto print = [&](StringRef key, const json::Value &value) {
    os << (first ? "{\n  " : ",\n  ") << json::Value(key) << ": " << value;
    first = false;
  };
  for (const char *key : order)
    if (const json::Value *value = manifest.get(key))
      print(key, *value);
  // Keys outside the schema's order follow, sorted.
  std::vector<StringRef> rest;
  for (const auto &entry : manifest)
    if (!llvm::is_contained(order, StringRef(entry.first)))
      rest.push_back(entry.first);
  llvm::sort(rest);
  for (StringRef key : rest)
    print(key, *manifest.get(key));
  os << (first ? "{}" : "\n}") << '\n';
  return text;
}
