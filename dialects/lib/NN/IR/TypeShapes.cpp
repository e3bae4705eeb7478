//===- TypeShapes.cpp - the shape rules applied to IR types ---------------===//

#include "TypeShapes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nn;

static_assert(shapes::kUnknown == ShapedType::kDynamic,
              "the shape rules' unknown dimension is MLIR's dynamic one");

static SmallVector<shapes::Operand> toOperands(TypeRange types, bool &valid) {
  SmallVector<shapes::Operand> operands;
  for (Type t : types) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor) {
      valid = false;
      return {};
    }
    operands.push_back({tensor.getShape(), tensor.getElementType().isF32()});
  }
  return operands;
}

TypeShapes::TypeShapes(StringRef opName, TypeRange operandTypes)
    : opName(opName.str()), types(operandTypes.begin(), operandTypes.end()),
      operands(toOperands(operandTypes, isValid)),
      ruleSet(StringRef(this->opName)
                  .drop_until([](char c) { return c == '.'; })
                  .drop_front(),
              operands, shapes::Conventions{}, *this) {}

std::string TypeShapes::operand(unsigned i) const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << types[i];
  return s;
}

std::string TypeShapes::dim(int64_t d) const {
  return d == ShapedType::kDynamic ? "?" : std::to_string(d);
}

std::string nn::formatDims(ArrayRef<int64_t> dims) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(dims, os, [&](int64_t d) {
    os << (d == ShapedType::kDynamic ? "?" : std::to_string(d));
  });
  return s + "]";
}

LogicalResult TypeShapes::infer(const std::optional<shapes::Dims> &dims,
                                Type elem, std::optional<Location> loc,
                                SmallVectorImpl<Type> &inferred) {
  if (!dims)
    return emitOptionalError(loc, "'", opName, "' op ", ruleSet.message());
  inferred.push_back(RankedTensorType::get(*dims, elem));
  return success();
}

LogicalResult TypeShapes::check(Operation *op,
                                const std::optional<shapes::Dims> &dims,
                                ArrayRef<int64_t> expected, StringRef what) {
  if (!dims)
    return op->emitOpError() << ruleSet.message();
  if (dims->size() == expected.size() &&
      llvm::all_of(llvm::zip(*dims, expected), [&](auto pair) {
        return shapes::dimsAgree(std::get<0>(pair), std::get<1>(pair));
      }))
    return success();
  return op->emitOpError() << what << " shape should be " << formatDims(*dims)
                           << ", found " << formatDims(expected);
}
