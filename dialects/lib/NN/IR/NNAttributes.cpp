//===- NNAttributes.cpp - typed attributes of the nn dialect --------------===//
//
// Each attribute checks itself once, with the ranges of LANGUAGE.md §9; the
// frontend's messages say the same at the source line.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <charconv>

using namespace mlir;
using namespace mlir::nn;

std::string nn::formatDouble(double value) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  StringRef text(buf, r.ptr - buf);
  // MLIR's float literals have a point: 1 is written 1.0, 1e-06 1.0e-06.
  if (text.contains('.') || !llvm::isDigit(text.back()))
    return text.str();
  auto [mantissa, exponent] = text.split('e');
  return (mantissa + ".0" + (exponent.empty() ? "" : "e") + exponent).str();
}

void nn::printShortestDouble(AsmPrinter &printer, double value) {
  printer << formatDouble(value);
}

OptimizerAttr OptimizerAttr::get(MLIRContext *context, OptimizerKind kind) {
  double lr = kind == OptimizerKind::sgd ? 0.01 : 0.001;
  double weightDecay = kind == OptimizerKind::adamw ? 0.01 : 0.0;
  using D = TrainDefaults;
  return get(context, kind, lr, D::momentum, D::nesterov, D::beta1, D::beta2,
             D::eps, weightDecay);
}

bool nn::optimizerSettingInRange(StringRef name, double value) {
  if (name == "lr" || name == "eps")
    return value > 0;
  if (name == "beta1" || name == "beta2")
    return value >= 0 && value < 1;
  return value >= 0; // momentum, weight_decay
}

LogicalResult
OptimizerAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      OptimizerKind kind, F64 lr, F64 momentum, bool nesterov,
                      F64 beta1, F64 beta2, F64 eps, F64 weightDecay) {
  std::pair<StringRef, double> settings[] = {
      {"lr", lr},       {"momentum", momentum}, {"beta1", beta1},
      {"beta2", beta2}, {"eps", eps},           {"weight_decay", weightDecay}};
  for (auto [name, value] : settings)
    if (!optimizerSettingInRange(name, value))
      return emitError() << "'" << name
                         << "' is out of range: " << formatDouble(value);
  if (nesterov && (kind != OptimizerKind::sgd || momentum == 0))
    return emitError() << "nesterov needs sgd with a momentum above 0";
  return success();
}

LogicalResult DataAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               DataFormat format, StringRef dir,
                               ArrayAttr files, F64 scale, int64_t label,
                               DataHeader header) {
  size_t expected = format == DataFormat::csv ? 1 : 2;
  if (files.size() != expected ||
      !llvm::all_of(files, [](Attribute f) { return isa<StringAttr>(f); }))
    return emitError() << stringifyDataFormat(format) << " data needs "
                       << expected << " file name(s) as strings";
  return success();
}

LogicalResult TrainAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                LossKind loss, int64_t batch, int64_t epochs,
                                int64_t seed, bool shuffle,
                                OptimizerAttr optimizer, DataAttr data,
                                DataAttr test) {
  if (batch < 1 || epochs < 0)
    return emitError() << "batch must be at least 1 and epochs not negative";
  return success();
}

OptimizerAttr TrainAttr::getOptimizerOrDefault() const {
  if (OptimizerAttr optimizer = getOptimizer())
    return optimizer;
  return OptimizerAttr::get(getContext(), TrainDefaults::optimizer);
}

bool InitAttr::kindUsesFans(InitKind kind) {
  switch (kind) {
  case InitKind::glorot_uniform:
  case InitKind::he_normal:
  case InitKind::he_uniform:
  case InitKind::lecun_uniform:
    return true;
  default:
    return false;
  }
}

LogicalResult InitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               InitKind kind, F64 value, F64 lo, F64 hi,
                               F64 mean, F64 std, int64_t fanIn,
                               int64_t fanOut) {
  if (kind == InitKind::uniform && !(lo < hi))
    return emitError() << "uniform needs lo < hi, found " << formatDouble(lo)
                       << " and " << formatDouble(hi);
  if (kind == InitKind::normal && !(std >= 0))
    return emitError() << "normal needs std >= 0, found " << formatDouble(std);
  if (kindUsesFans(kind) && (fanIn < 1 || fanOut < 1))
    return emitError() << stringifyInitKind(kind)
                       << " needs fan_in and fan_out of at least 1";
  return success();
}

#include "nn/Dialect/NN/IR/NNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "nn/Dialect/NN/IR/NNAttributes.cpp.inc"

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "nn/Dialect/NN/IR/NNAttributes.cpp.inc"
      >();
}
