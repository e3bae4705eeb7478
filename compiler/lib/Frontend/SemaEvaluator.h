//===- SemaEvaluator.h - Sema's evaluator, shared by its files --*- C++ -*-===//
//
// Sema is split by concern: expressions (SemaExpressions.cpp), layer calls
// (SemaLayers.cpp), statements and parameters (SemaStatements.cpp), models
// and declarations (Sema.cpp). They share the Evaluator declared here.
//
//===----------------------------------------------------------------------===//

#ifndef NN_LIB_FRONTEND_SEMAEVALUATOR_H
#define NN_LIB_FRONTEND_SEMAEVALUATOR_H

#include "SemaInternal.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace nn::sema {
using llvm::SMLoc;

/// Budgets that keep the compiler from running away on hostile input.
inline constexpr unsigned kMaxCallDepth = 64;
inline constexpr unsigned kMaxStatements = 200000;
inline constexpr int64_t kMaxLoopTrips = 100000;

inline const char *const kInitNames[] = {
    "zeros",          "ones",      "constant",   "uniform",      "normal",
    "glorot_uniform", "he_normal", "he_uniform", "lecun_uniform"};

inline bool isInitName(llvm::StringRef name) {
  return llvm::is_contained(kInitNames, name);
}

/// "f32[N, 10]" as the source wrote the type, for messages.
std::string formatTypeNode(const TypeNode &t);
/// f32 and i32; nullopt for any other element type name.
std::optional<ElemType> elemTypeOf(llvm::StringRef name);

/// The scope of one body being run: a model, or one call of a layer.
struct Frame {
  llvm::StringMap<Value> env;
  llvm::StringSet<> usedNames;      // call names taken in this body (§5)
  llvm::StringMap<SMLoc> paramLocs; // params declared in this body
  std::string path;                 // dotted name of this call
  const FuncDecl *func = nullptr;
  std::optional<mlir::Location> callerLoc;
  SMLoc callLoc;
  Frame *parent = nullptr;
};

class Evaluator {
public:
  Evaluator(DiagEngine &diags, const llvm::StringMap<const FuncDecl *> &funcs,
            ModelGraph &graph)
      : diags(diags), funcs(funcs), g(graph) {}

  bool evalModel(const FuncDecl &model);

private:
  mlir::InFlightDiagnostic error(SMLoc loc, Frame &f, const llvm::Twine &msg);
  mlir::Location locOf(SMLoc loc, Frame &f);
  std::string fmt(const TensorType &t) { return formatType(t, g.batchName); }
  std::string describe(const Value &v) { return describeValue(v, g.batchName); }

  Value eval(const Expr &e, Frame &f, llvm::StringRef binding = "");
  Value evalName(const Expr &e, Frame &f);
  Value evalBinary(const Expr &e, Frame &f);
  Value applyBinary(const Expr &e, Value &l, Value &r, Frame &f);
  Value evalNeg(const Expr &e, Frame &f);
  Value evalCall(const Expr &e, Frame &f, llvm::StringRef binding);
  Value callBuiltin(const BuiltinInfo &info, const Expr &call, Frame &f);
  Value callLayer(const FuncDecl &fn, const Expr &call, Frame &f,
                  llvm::StringRef binding);
  Value apply(const BuiltinInfo &info, llvm::ArrayRef<Value> tensors,
              llvm::ArrayRef<Value> attrs, llvm::ArrayRef<SMLoc> attrLocs,
              SMLoc loc, Frame &f);
  bool toTensor(Value &v, Frame &f);
  bool checkAttr(const AttrSpec &spec, Value &v, llvm::StringRef callee,
                 Frame &f);
  bool checkLayerAttr(const ArgDecl &arg, Value &v, llvm::StringRef callee,
                      Frame &f);
  bool unifyDims(const TypeNode &decl, const TensorType &actual, Frame &env,
                 std::string &detail);
  bool bindTensorArg(const FuncDecl &fn, const ArgDecl &arg, const Value &v,
                     const Expr *argExpr, Frame &callee, Frame &caller);
  bool checkResult(const FuncDecl &fn, const Value &ret, Frame &callee,
                   Frame &caller);
  std::string uniqueName(Frame &f, llvm::StringRef base);

  void execBody(const std::vector<StmtPtr> &body, Frame &f, Value &ret);
  void declareParam(const Stmt &stmt, Frame &f);
  bool resolveParamType(const TypeNode &type, Frame &f, TensorType &out);
  bool parseInit(const Expr &e, Frame &f, const TensorType &type,
                 InitSpec &init);
  std::optional<int64_t> evalInt(const Expr &e, Frame &f, llvm::StringRef what);

  DiagEngine &diags;
  const llvm::StringMap<const FuncDecl *> &funcs;
  ModelGraph &g;
  std::vector<const FuncDecl *> stack;
  llvm::StringMap<SMLoc> paramNames;
  unsigned statements = 0;
  bool aborted = false;
};

} // namespace nn::sema

#endif // NN_LIB_FRONTEND_SEMAEVALUATOR_H
