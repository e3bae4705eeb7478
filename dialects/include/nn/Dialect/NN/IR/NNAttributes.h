//===- NNAttributes.h - typed attributes of the nn dialect ------*- C++ -*-===//

#ifndef NN_DIALECT_NN_IR_NNATTRIBUTES_H
#define NN_DIALECT_NN_IR_NNATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "nn/Dialect/NN/IR/NNEnums.h.inc"
#include "llvm/ADT/bit.h"

namespace mlir::nn {
/// A double as an attribute parameter (LLVM hashes no doubles). Compares as
/// a double, so the hash treats -0 and +0 alike.
struct F64 {
  double value;
  F64(double value = 0) : value(value) {}
  operator double() const { return value; }
};
inline llvm::hash_code hash_value(F64 f) {
  return llvm::hash_value(f.value == 0 ? 0 : llvm::bit_cast<uint64_t>(f.value));
}

/// The defaults of a train block (LANGUAGE.md §9) that do not depend on the
/// optimizer: the attributes' syntax and the frontend both take them here.
struct TrainDefaults {
  static constexpr int64_t batch = 32, epochs = 1, seed = 0;
  static constexpr bool shuffle = true;
  static constexpr OptimizerKind optimizer = OptimizerKind::sgd;
  static constexpr double momentum = 0.0, beta1 = 0.9, beta2 = 0.999,
                          eps = 1e-8;
  static constexpr bool nesterov = false;
  static constexpr double scale = 1.0;
  static constexpr int64_t label = 0;
  static constexpr DataHeader header = DataHeader::automatic;
};

/// Whether `value` is in range for the optimizer setting `name`: lr and eps
/// above 0, beta1 and beta2 in [0, 1), momentum and weight_decay not negative.
/// OptimizerAttr's verifier and the frontend both ask this.
bool optimizerSettingInRange(StringRef name, double value);

/// The shortest text that reads back as the same double, as an MLIR float
/// literal: 0.1 (not 0.10000000000000001), 1.0, 1.0e-06.
std::string formatDouble(double value);
void printShortestDouble(AsmPrinter &printer, double value);
} // namespace mlir::nn

#define GET_ATTRDEF_CLASSES
#include "nn/Dialect/NN/IR/NNAttributes.h.inc"

#endif // NN_DIALECT_NN_IR_NNATTRIBUTES_H
