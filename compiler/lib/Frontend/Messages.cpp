//===- Messages.cpp - types, values and names as messages show them -------===//

#include "SemaInternal.h"
#include "llvm/ADT/StringExtras.h"
#include <cmath>
#include <cstdio>

using namespace nn;
using llvm::SMLoc;

std::string nn::formatType(const TensorType &type, llvm::StringRef batchName) {
  std::string s = type.elem == ElemType::F32 ? "f32[" : "i32[";
  for (unsigned i = 0; i < type.dims.size(); ++i) {
    if (i)
      s += ", ";
    s += type.dims[i] == kBatchDim ? batchName.str()
                                   : std::to_string(type.dims[i]);
  }
  return s + "]";
}

std::string nn::describeValue(const Value &v, llvm::StringRef batchName) {
  switch (v.kind) {
  case Value::Tensor:
    return formatType(v.type, batchName);
  case Value::Int:
    if (v.intValue == kBatchDim)
      return "the batch dimension " + batchName.str();
    return "int " + std::to_string(v.intValue);
  case Value::Float:
    return "float " + formatNumber(v.floatValue);
  case Value::Bool:
    return v.boolValue ? "bool true" : "bool false";
  case Value::String:
    return "a string";
  case Value::List:
    return "a list";
  case Value::Ident:
    return "name '" + v.text + "'";
  case Value::Error:
    return "an invalid value";
  }
  return "a value";
}

std::string nn::formatNumber(double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

std::string nn::didYouMean(llvm::StringRef name,
                           llvm::ArrayRef<llvm::StringRef> candidates) {
  llvm::StringRef best;
  unsigned bestDist = std::max<unsigned>(2, name.size() / 3) + 1;
  for (llvm::StringRef c : candidates) {
    unsigned d = name.edit_distance(c, true, bestDist);
    if (d < bestDist && c != name) {
      bestDist = d;
      best = c;
    }
  }
  return best.empty() ? "" : "; did you mean '" + best.str() + "'?";
}
