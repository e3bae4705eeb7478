//===- Manifest.cpp - the model description linked into executables -------===//
//
// The runtime learns everything about the model (inputs, parameters and their
// initializers, optimizer state, the train block) from this text, so the
// generated code needs no other metadata. Format: docs/design.md.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <charconv>

using namespace mlir;

// The backend lives in ::nn; mlir::nn is the dialect.
namespace nnc = ::nn;

namespace {
constexpr StringLiteral kStateAttr = "nn.state";
constexpr StringLiteral kTargetAttr = "nn.target";

class ManifestWriter {
public:
  explicit ManifestWriter(std::string &text) : os(text) {}

  void line(StringRef kind) {
    os << (first ? "" : "\n") << kind, first = false;
  }
  void field(StringRef value) {
    os << '\t' << value;
    if (value.find_first_of("\t\n") != StringRef::npos)
      bad = true;
  }
  void field(StringRef key, Attribute value);
  void type(Type type);
  /// `kind` first, then every other entry as key=value.
  void dictionary(DictionaryAttr dict);
  bool hasBadText() const { return bad; }

private:
  llvm::raw_string_ostream os;
  bool first = true;
  bool bad = false;
};
} // namespace

void ManifestWriter::field(StringRef key, Attribute value) {
  std::string text;
  llvm::raw_string_ostream vs(text);
  if (auto array = dyn_cast<ArrayAttr>(value)) {
    // `files = ["a", "b"]` becomes `file=a  file=b`.
    StringRef singular = key.ends_with("s") ? key.drop_back() : key;
    for (Attribute element : array)
      field(singular, element);
    return;
  }
  if (auto str = dyn_cast<StringAttr>(value))
    vs << str.getValue();
  else if (auto b = dyn_cast<BoolAttr>(value))
    vs << (b.getValue() ? 1 : 0);
  else if (auto i = dyn_cast<IntegerAttr>(value))
    vs << i.getInt();
  else if (auto f = dyn_cast<FloatAttr>(value)) {
    // The shortest text that reads back as the same double: lr=0.1, not
    // lr=0.10000000000000001.
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, f.getValueAsDouble());
    vs << StringRef(buf, r.ptr - buf);
  } else
    vs << value;
  field((key + "=" + text).str());
}

void ManifestWriter::type(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  field(tensor.getElementType().isInteger(32) ? "i32" : "f32");
  std::string dims;
  llvm::raw_string_ostream ds(dims);
  llvm::interleave(
      tensor.getShape(), ds,
      [&](int64_t d) { ds << (ShapedType::isDynamic(d) ? -1 : d); }, ",");
  field(dims);
}

void ManifestWriter::dictionary(DictionaryAttr dict) {
  if (auto kind = dict.getAs<StringAttr>("kind"))
    field(kind.getValue());
  for (NamedAttribute entry : dict)
    if (entry.getName() != "kind")
      field(entry.getName().getValue(), entry.getValue());
}

llvm::SmallVector<nnc::EntryPoint> nnc::findEntryPoints(ModuleOp module) {
  llvm::SmallVector<EntryPoint> entries;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr(mlir::nn::kModelAttr))
      entries.push_back({func.getSymName().str(), "forward"});
    else if (llvm::is_contained({"gradients", "gradients_f64", "train_step",
                                 "apply_gradients"},
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

static func::FuncOp findFunc(ModuleOp module, StringRef name) {
  return module.lookupSymbol<func::FuncOp>(name);
}

FailureOr<std::string> nnc::buildManifest(ModuleOp module) {
  func::FuncOp model;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(mlir::nn::kModelAttr))
      model = func;
  if (!model)
    return module.emitError("no function with the nn.model attribute"),
           failure();

  std::string text;
  ManifestWriter w(text);
  w.line("nnc-manifest");
  w.field("1");
  w.line("model");
  w.field(model.getSymName());

  for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
    Type type = model.getArgumentTypes()[i];
    if (auto name =
            model.getArgAttrOfType<StringAttr>(i, mlir::nn::kInputAttr)) {
      w.line("input");
      w.field(name.getValue());
      w.type(type);
    } else if (auto name = model.getArgAttrOfType<StringAttr>(
                   i, mlir::nn::kParamAttr)) {
      w.line("param");
      w.field(name.getValue());
      w.type(type);
      if (auto init = model.getArgAttrOfType<mlir::nn::InitAttr>(
              i, mlir::nn::kInitAttr))
        w.dictionary(asRecord(init));
      else
        w.field("zeros");
    }
  }
  for (Type type : model.getResultTypes()) {
    w.line("output");
    w.type(type);
  }

  if (auto train =
          model->getAttrOfType<mlir::nn::TrainAttr>(mlir::nn::kTrainAttr)) {
    Builder b(module.getContext());
    w.line("train");
    w.field("batch", b.getI64IntegerAttr(train.getBatch()));
    w.field("epochs", b.getI64IntegerAttr(train.getEpochs()));
    w.field("loss",
            b.getStringAttr(mlir::nn::stringifyLossKind(train.getLoss())));
    w.field("seed", b.getI64IntegerAttr(train.getSeed()));
    w.field("shuffle", b.getBoolAttr(train.getShuffle()));
    w.line("optimizer");
    w.dictionary(asRecord(train.getOptimizerOrDefault()));
    for (auto [key, data] : {std::pair{"data", train.getData()},
                             std::pair{"test", train.getTest()}}) {
      if (data) {
        w.line(key);
        w.dictionary(asRecord(data));
      }
    }
  }

  if (func::FuncOp step = findFunc(module, "train_step")) {
    for (unsigned i = 0, e = step.getNumArguments(); i < e; ++i) {
      Type type = step.getArgumentTypes()[i];
      if (step.getArgAttr(i, kTargetAttr)) {
        w.line("target");
        w.type(type);
      } else if (auto name = step.getArgAttrOfType<StringAttr>(i, kStateAttr)) {
        // "dense.w.momentum" names the parameter and the slot.
        auto [param, slot] = name.getValue().rsplit('.');
        w.line("state");
        w.field(param);
        w.field(slot);
        w.type(type);
      }
    }
  }
  for (const EntryPoint &entry : findEntryPoints(module)) {
    w.line("entry");
    w.field(entry.entry);
  }
  if (w.hasBadText())
    return module.emitError("a name or path in the model holds a tab or a "
                            "newline, which the manifest cannot carry"),
           failure();
  return text;
}
