//===- SemaInternal.h - Values and shape rules shared by Sema ---*- C++ -*-===//

#ifndef NN_LIB_FRONTEND_SEMAINTERNAL_H
#define NN_LIB_FRONTEND_SEMAINTERNAL_H

#include "nn/Frontend/Diagnostics.h"
#include "nn/Frontend/Sema.h"
#include <functional>

namespace nn {

/// What an expression evaluates to at compile time: a tensor (a graph node)
/// or a constant. `Error` is poison: it was reported once and is silently
/// propagated.
struct Value {
  enum Kind { Error, Tensor, Int, Float, Bool, String, List, Ident };
  Kind kind = Error;
  int node = -1;           // Tensor
  TensorType type;         // Tensor
  int64_t intValue = 0;    // Int (kBatchDim for the batch dimension)
  double floatValue = 0;   // Float
  bool boolValue = false;  // Bool
  std::string text;        // String, Ident
  std::vector<Value> list; // List
  llvm::SMLoc loc;

  static Value makeInt(int64_t v) {
    Value r;
    r.kind = Int;
    r.intValue = v;
    return r;
  }
  static Value makeFloat(double v) {
    Value r;
    r.kind = Float;
    r.floatValue = v;
    return r;
  }
  static Value makeBool(bool v) {
    Value r;
    r.kind = Bool;
    r.boolValue = v;
    return r;
  }
  bool isError() const { return kind == Error; }
  bool isNumber() const { return kind == Int || kind == Float; }
  double asDouble() const {
    return kind == Int ? double(intValue) : floatValue;
  }
};

/// "int 3", "f32[N, 10]", "a list", ... for messages.
std::string describeValue(const Value &v, llvm::StringRef batchName);

enum class AttrKind {
  Int,   // an int
  Float, // an int or a float
  Bool,
  Axes,       // an int, a list of ints, or absent (= all axes)
  IntList,    // a list of ints
  OptIntList, // a list of ints, or absent
  OptInt,     // an int, or absent
};

struct AttrSpec {
  const char *name;
  AttrKind kind;
  bool required;
  double defaultValue;
};

/// A call of a primitive, as its shape rule sees it.
struct RuleContext {
  llvm::StringRef opName;
  llvm::SMLoc callLoc;
  llvm::ArrayRef<TensorType> inputs;
  llvm::ArrayRef<llvm::SMLoc> inputLocs;
  llvm::ArrayRef<Value> attrs; // in AttrSpec order; Error kind = absent
  llvm::ArrayRef<llvm::SMLoc> attrLocs;
  llvm::StringRef batchName;
  Node &node; // attributes to fill in
  std::function<mlir::InFlightDiagnostic(llvm::SMLoc, const llvm::Twine &)>
      error;

  std::string fmt(const TensorType &t) const {
    return formatType(t, batchName);
  }
};

using ShapeRule = std::optional<TensorType> (*)(RuleContext &ctx);

struct BuiltinInfo {
  const char *name;
  OpKind op;
  int numTensors; // -1: one or more
  AttrSpec attrs[2];
  ShapeRule rule;
};

/// The primitive called `name`, or null.
const BuiltinInfo *lookupBuiltin(llvm::StringRef name);
const BuiltinInfo &getBuiltin(OpKind op);

/// Checks the train blocks of `program` against the checked `models`.
void checkTrainBlocks(const Program &program, DiagEngine &diags,
                      std::vector<ModelGraph> &models);

} // namespace nn

namespace nn {

/// Folds `lhs op rhs` for two numbers (Python 3 semantics: `/` is true
/// division). Reports overflow, division by zero and the batch dimension.
Value foldBinary(char op, const Value &lhs, const Value &rhs, llvm::SMLoc loc,
                 DiagEngine &diags);

/// Evaluates an expression made of literals, names (as Ident values), lists
/// and arithmetic, as in a train block.
Value evalConstant(const Expr &e, DiagEngine &diags);

/// Matches the arguments of `call` to `slots`: positional ones in order,
/// named ones by name (a slot with an empty name is positional only).
/// Reports too many, unknown and repeated arguments.
bool bindCallArgs(const Expr &call, llvm::ArrayRef<llvm::StringRef> slots,
                  llvm::SmallVectorImpl<const Arg *> &bound, DiagEngine &diags,
                  llvm::StringRef callee);

/// A number as a message shows it: 0.5, 1e-08, 3.
std::string formatNumber(double v);

/// Appends "; did you mean 'x'?" for the closest of `candidates`.
std::string didYouMean(llvm::StringRef name,
                       llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace nn
#endif // NN_LIB_FRONTEND_SEMAINTERNAL_H
