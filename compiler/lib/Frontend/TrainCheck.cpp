//===- TrainCheck.cpp - Checks of the train block (LANGUAGE.md §10) -------===//
//
// The compiler never opens data files: it checks each setting's form and
// fills in the defaults.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace nn;
using llvm::SMLoc;

namespace {

const llvm::StringRef kKeys[] = {"data",  "test",   "loss", "optimizer",
                                 "batch", "epochs", "seed", "shuffle"};

class TrainChecker {
public:
  TrainChecker(DiagEngine &diags, const TrainDecl &decl,
               const ModelGraph *model)
      : diags(diags), decl(decl), model(model) {}

  bool check(TrainSpec &spec);

private:
  mlir::InFlightDiagnostic error(SMLoc loc, const llvm::Twine &msg) {
    ok = false;
    return diags.error(loc, msg);
  }
  Value eval(const Expr &e) {
    Value v = evalConstant(e, diags);
    ok &= !v.isError();
    return v;
  }
  std::optional<int64_t> getInt(const Expr &e, llvm::StringRef key,
                                int64_t min);
  std::optional<double> getNumber(const Expr &e, llvm::StringRef what);
  bool getSource(const Expr &e, llvm::StringRef key, DataSource &src);
  bool getOptimizer(const Expr &e, TrainSpec &spec);
  bool getPath(const Expr &e, std::string &path);

  DiagEngine &diags;
  const TrainDecl &decl;
  const ModelGraph *model;
  bool ok = true;
};

} // namespace

std::optional<int64_t> TrainChecker::getInt(const Expr &e, llvm::StringRef key,
                                            int64_t min) {
  Value v = eval(e);
  if (v.isError())
    return std::nullopt;
  if (v.kind != Value::Int || v.intValue < min) {
    error(e.loc, "'" + key + "' must be an int of at least " +
                     llvm::Twine(min) + ", got " + describeValue(v, "N"));
    return std::nullopt;
  }
  return v.intValue;
}

std::optional<double> TrainChecker::getNumber(const Expr &e,
                                              llvm::StringRef what) {
  Value v = eval(e);
  if (v.isError())
    return std::nullopt;
  if (!v.isNumber()) {
    error(e.loc, what + " must be a number, got " + describeValue(v, "N"));
    return std::nullopt;
  }
  return v.asDouble();
}

bool TrainChecker::getPath(const Expr &e, std::string &path) {
  if (e.kind != ExprKind::String) {
    error(e.loc, "expected a file name string");
    return false;
  }
  if (e.text.empty() || e.text.find_first_of("\t\n") != std::string::npos) {
    error(e.loc, "a file name must be non-empty and have no tabs or newlines");
    return false;
  }
  path = e.text;
  return true;
}

/// source ::= idx(images, labels, scale = 1.0) | csv(file, label = 0,
///            header = auto, scale = 1.0) | npy(inputs, targets, scale = 1.0)
bool TrainChecker::getSource(const Expr &e, llvm::StringRef key,
                             DataSource &src) {
  if (e.kind != ExprKind::Call ||
      (e.text != "idx" && e.text != "csv" && e.text != "npy")) {
    error(e.loc, "'" + key +
                     "' must be a data source: idx(images, labels), "
                     "csv(file) or npy(inputs, targets)");
    return false;
  }
  src.kind = e.text;
  src.dir = decl.dir;
  llvm::SmallVector<llvm::StringRef, 4> slots;
  if (e.text == "idx")
    slots = {"images", "labels", "scale"};
  else if (e.text == "csv")
    slots = {"file", "label", "header", "scale"};
  else
    slots = {"inputs", "targets", "scale"};
  unsigned numFiles = e.text == "csv" ? 1 : 2;
  llvm::SmallVector<const Arg *> bound;
  if (!bindCallArgs(e, slots, bound, diags, e.text))
    return ok = false;
  for (unsigned i = 0; i < numFiles; ++i) {
    if (!bound[i]) {
      error(e.loc, "missing argument '" + slots[i] + "' of " + e.text);
      return false;
    }
    std::string path;
    if (!getPath(*bound[i]->value, path))
      return false;
    src.files.push_back(path);
  }
  // Every kind scales its inputs (the last slot), as the runtime does.
  if (const Arg *arg = bound.back()) {
    auto scale = getNumber(*arg->value, "'scale'");
    if (!scale)
      return false;
    src.scale = *scale;
  }
  if (e.text == "csv" && bound[1]) {
    Value v = eval(*bound[1]->value);
    if (v.isError())
      return false;
    if (v.kind != Value::Int) {
      error(v.loc, "'label' must be a column index (an int), got " +
                       describeValue(v, "N"));
      return false;
    }
    src.label = v.intValue;
  }
  if (e.text == "csv" && bound[2]) {
    Value v = eval(*bound[2]->value);
    if (v.kind == Value::Bool)
      src.header = v.boolValue ? "true" : "false";
    else if ((v.kind == Value::Ident || v.kind == Value::String) &&
             v.text == "auto")
      src.header = "auto";
    else if (!v.isError())
      error(v.loc, "'header' must be true, false or auto, got " +
                       describeValue(v, "N"));
  }
  return ok;
}

/// optimizer ::= sgd(lr, momentum, nesterov, weight_decay)
///             | (adam | adamw)(lr, beta1, beta2, eps, weight_decay)
bool TrainChecker::getOptimizer(const Expr &e, TrainSpec &spec) {
  bool isCall = e.kind == ExprKind::Call;
  if ((!isCall && e.kind != ExprKind::Name) ||
      (e.text != "sgd" && e.text != "adam" && e.text != "adamw")) {
    error(e.loc, "unknown optimizer; expected sgd(lr, ...), adam(...) or "
                 "adamw(...)");
    return false;
  }
  spec.optimizer = e.text;
  bool isSgd = e.text == "sgd";
  if (!isCall)
    return true;
  llvm::SmallVector<llvm::StringRef, 5> slots;
  if (isSgd)
    slots = {"lr", "momentum", "nesterov", "weight_decay"};
  else
    slots = {"lr", "beta1", "beta2", "eps", "weight_decay"};
  llvm::SmallVector<const Arg *> bound;
  if (!bindCallArgs(e, slots, bound, diags, e.text))
    return ok = false;
  for (unsigned i = 0; i < slots.size(); ++i) {
    if (!bound[i])
      continue;
    const Expr &arg = *bound[i]->value;
    if (slots[i] == "nesterov") {
      Value v = eval(arg);
      if (v.kind != Value::Bool && !v.isError())
        error(arg.loc,
              "'nesterov' must be true or false, got " + describeValue(v, "N"));
      spec.nesterov = v.boolValue;
      continue;
    }
    auto x = getNumber(arg, "'" + slots[i].str() + "'");
    if (!x)
      continue;
    if (!mlir::nn::optimizerSettingInRange(slots[i], *x)) {
      error(arg.loc, "'" + slots[i] + "' is out of range: " + formatNumber(*x));
      continue;
    }
    if (slots[i] == "lr")
      spec.lr = *x;
    else if (slots[i] == "momentum")
      spec.momentum = *x;
    else if (slots[i] == "weight_decay")
      spec.weightDecay = *x;
    else if (slots[i] == "beta1")
      spec.beta1 = *x;
    else if (slots[i] == "beta2")
      spec.beta2 = *x;
    else
      spec.eps = *x;
  }
  if (spec.nesterov.value_or(false) && spec.momentum.value_or(0) == 0)
    error(e.loc, "nesterov needs a momentum above 0");
  return ok;
}

bool TrainChecker::check(TrainSpec &spec) {
  llvm::StringMap<SMLoc> seen;
  const TrainEntry *lossEntry = nullptr;
  bool hasData = false;
  for (const TrainEntry &entry : decl.entries) {
    auto [it, inserted] = seen.try_emplace(entry.key, entry.loc);
    if (!inserted) {
      error(entry.loc, "setting '" + entry.key + "' is given twice")
              .attachNote(diags.getLoc(it->second))
          << "first given here";
      continue;
    }
    const Expr &value = *entry.value;
    llvm::StringRef key = entry.key;
    if (key == "data") {
      hasData = getSource(value, key, spec.data);
    } else if (key == "test") {
      spec.test.emplace();
      getSource(value, key, *spec.test);
    } else if (key == "loss") {
      lossEntry = &entry;
      if (value.kind != ExprKind::Name ||
          (value.text != "cross_entropy" && value.text != "mse"))
        error(value.loc, "'loss' must be cross_entropy or mse");
      else
        spec.loss = value.text;
    } else if (key == "optimizer") {
      getOptimizer(value, spec);
    } else if (key == "batch" || key == "epochs") {
      if (auto v = getInt(value, key, 1))
        (key == "batch" ? spec.batch : spec.epochs) = *v;
    } else if (key == "seed") {
      if (auto v = getInt(value, key, 0))
        spec.seed = *v;
    } else if (key == "shuffle") {
      Value v = eval(value);
      if (v.kind == Value::Bool)
        spec.shuffle = v.boolValue;
      else if (!v.isError())
        error(value.loc,
              "'shuffle' must be true or false, got " + describeValue(v, "N"));
    } else {
      error(entry.loc, "unknown train setting '" + key + "'; expected one of " +
                           llvm::join(llvm::ArrayRef(kKeys), ", ") +
                           didYouMean(key, kKeys));
    }
  }
  if (!seen.count("data"))
    error(decl.loc,
          "the train block of '" + decl.model + "' has no 'data' source");
  if (!seen.count("loss"))
    error(decl.loc, "the train block of '" + decl.model + "' has no 'loss'");
  if (!ok || !hasData || !model || model->result < 0)
    return ok;
  if (model->inputs.size() != 1)
    error(decl.loc,
          "a model with a train block must have exactly one input; '" +
              decl.model + "' has " + llvm::Twine(model->inputs.size()));
  const TensorType &out = model->nodes[model->result].type;
  if (spec.loss == "cross_entropy" &&
      (out.getRank() != 2 || out.elem != ElemType::F32))
    error(lossEntry->value->loc, "cross_entropy needs a model output f32[" +
                                     model->batchName + ", C], but '" +
                                     decl.model + "' returns " +
                                     formatType(out, model->batchName));
  if (spec.loss == "mse" && out.elem != ElemType::F32)
    error(lossEntry->value->loc, "mse needs an f32 model output");
  return ok;
}

void nn::checkTrainBlocks(const Program &program, DiagEngine &diags,
                          std::vector<ModelGraph> &models) {
  llvm::StringMap<SMLoc> trained;
  for (const auto &file : program.files) {
    for (const auto &decl : file->trains) {
      ModelGraph *model = nullptr;
      std::vector<llvm::StringRef> names;
      for (ModelGraph &m : models) {
        names.push_back(m.name);
        if (m.name == decl->model)
          model = &m;
      }
      if (!model) {
        diags.error(decl->loc, "unknown model '" + decl->model +
                                   "' in train block" +
                                   didYouMean(decl->model, names));
        continue;
      }
      auto [it, inserted] = trained.try_emplace(decl->model, decl->loc);
      if (!inserted) {
        diags.error(decl->loc,
                    "model '" + decl->model + "' already has a train block")
                .attachNote(diags.getLoc(it->second))
            << "the first train block is here";
        continue;
      }
      TrainSpec spec;
      if (TrainChecker(diags, *decl, model).check(spec))
        model->train = std::move(spec);
    }
  }
}
