//===- Sema.cpp - Name resolution, inlining and shape checking ------------===//
//
// Sema evaluates each model symbolically: layer calls are inlined, `for`
// loops unrolled, every primitive's shape rule applied (ShapeRules.cpp) and
// every parameter named as LANGUAGE.md §5 says. The result is a ModelGraph.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

using namespace nn;
using llvm::SMLoc;

namespace {

/// Budgets that keep the compiler from running away on hostile input.
constexpr unsigned kMaxCallDepth = 64;
constexpr unsigned kMaxStatements = 200000;
constexpr int64_t kMaxLoopTrips = 100000;

const char *const kInitNames[] = {"zeros",          "ones",      "constant",
                                  "uniform",        "normal",    "glorot_uniform",
                                  "he_normal",      "he_uniform", "lecun_uniform"};

bool isInitName(llvm::StringRef name) {
  return llvm::is_contained(kInitNames, name);
}

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

} // namespace

mlir::InFlightDiagnostic Evaluator::error(SMLoc loc, Frame &f,
                                          const llvm::Twine &msg) {
  auto diag = diags.error(loc, msg);
  for (Frame *fr = &f; fr && fr->func && !fr->func->isModel; fr = fr->parent)
    diag.attachNote(diags.getLoc(fr->callLoc))
        << "in this call of layer '" << fr->func->name << "'";
  return diag;
}

mlir::Location Evaluator::locOf(SMLoc loc, Frame &f) {
  mlir::Location l = diags.getLoc(loc);
  return f.callerLoc ? mlir::Location(mlir::CallSiteLoc::get(l, *f.callerLoc))
                     : l;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Value Evaluator::eval(const Expr &e, Frame &f, llvm::StringRef binding) {
  Value v;
  switch (e.kind) {
  case ExprKind::Name:
    return evalName(e, f);
  case ExprKind::Binary:
    return evalBinary(e, f);
  case ExprKind::Neg:
    return evalNeg(e, f);
  case ExprKind::Call:
    return evalCall(e, f, binding);
  case ExprKind::List:
    v.kind = Value::List;
    for (const Arg &a : e.args) {
      v.list.push_back(eval(*a.value, f));
      if (v.list.back().isError())
        return Value();
    }
    break;
  default:
    v = evalConstant(e, diags);
    break;
  }
  v.loc = e.loc;
  return v;
}

Value Evaluator::evalName(const Expr &e, Frame &f) {
  auto it = f.env.find(e.text);
  if (it != f.env.end()) {
    Value v = it->second;
    v.loc = e.loc;
    return v;
  }
  if (funcs.count(e.text) || lookupBuiltin(e.text)) {
    error(e.loc, f, "'" + e.text + "' is a layer or operation; call it with " +
                        "arguments, as in " + e.text + "(x)");
  } else if (isInitName(e.text)) {
    error(e.loc, f, "initializer '" + e.text +
                        "' can only be used in a param declaration");
  } else {
    std::vector<llvm::StringRef> names;
    for (auto &entry : f.env)
      names.push_back(entry.getKey());
    error(e.loc, f, "use of undeclared name '" + e.text + "'" +
                        didYouMean(e.text, names));
  }
  return Value();
}

Value Evaluator::evalNeg(const Expr &e, Frame &f) {
  Value x = eval(*e.lhs, f);
  if (x.isError())
    return x;
  if (x.kind == Value::Tensor)
    return apply(getBuiltin(OpKind::Neg), {x}, {}, {}, e.loc, f);
  if (!x.isNumber() || x.intValue == kBatchDim) {
    error(e.loc, f, "cannot negate " + describe(x));
    return Value();
  }
  Value r = x.kind == Value::Int ? Value::makeInt(-x.intValue)
                                 : Value::makeFloat(-x.floatValue);
  r.loc = e.loc;
  return r;
}

Value Evaluator::evalBinary(const Expr &e, Frame &f) {
  // `a + b + ... + z` is a left spine as deep as the chain is long: walk it
  // in a loop, so that no length of chain exhausts the stack.
  llvm::SmallVector<const Expr *> spine;
  const Expr *leaf = &e;
  for (; leaf->kind == ExprKind::Binary; leaf = leaf->lhs.get())
    spine.push_back(leaf);
  Value acc = eval(*leaf, f);
  for (const Expr *op : llvm::reverse(spine)) {
    Value r = eval(*op->rhs, f);
    acc = applyBinary(*op, acc, r, f);
  }
  return acc;
}

Value Evaluator::applyBinary(const Expr &e, Value &l, Value &r, Frame &f) {
  if (l.isError() || r.isError())
    return Value();
  for (const Value *v : {&l, &r}) {
    if (v->kind != Value::Tensor && !v->isNumber()) {
      error(v->loc, f, llvm::Twine("'") + llvm::Twine(e.op) + "' expects tensors or " +
                           "numbers, got " + describe(*v));
      return Value();
    }
  }
  if (e.op != '@' && l.isNumber() && r.isNumber())
    return foldBinary(e.op, l, r, e.loc, diags);
  if (e.op == '@') {
    if (l.kind != Value::Tensor || r.kind != Value::Tensor) {
      error(e.loc, f, "'@' expects two tensors, got " + describe(l) + " and " +
                          describe(r));
      return Value();
    }
    return apply(getBuiltin(OpKind::Matmul), {l, r}, {}, {}, e.loc, f);
  }
  if (!toTensor(l, f) || !toTensor(r, f))
    return Value();
  OpKind op = e.op == '+'   ? OpKind::Add
              : e.op == '-' ? OpKind::Sub
              : e.op == '*' ? OpKind::Mul
                            : OpKind::Div;
  return apply(getBuiltin(op), {l, r}, {}, {}, e.loc, f);
}

/// A number used as a tensor becomes a scalar f32[] constant.
bool Evaluator::toTensor(Value &v, Frame &f) {
  if (v.kind == Value::Tensor)
    return true;
  if (!v.isNumber() || v.intValue == kBatchDim) {
    error(v.loc, f, "expected a tensor, got " + describe(v));
    return false;
  }
  Node node{OpKind::Constant, {}, TensorType{ElemType::F32, {}}, locOf(v.loc, f)};
  node.floatAttr = v.asDouble();
  g.nodes.push_back(std::move(node));
  SMLoc loc = v.loc;
  v = Value();
  v.kind = Value::Tensor;
  v.node = g.nodes.size() - 1;
  v.type = g.nodes.back().type;
  v.loc = loc;
  return true;
}

Value Evaluator::apply(const BuiltinInfo &info, llvm::ArrayRef<Value> tensors,
                       llvm::ArrayRef<Value> attrs,
                       llvm::ArrayRef<SMLoc> attrLocs, SMLoc loc, Frame &f) {
  Node node{info.op, {}, TensorType(), locOf(loc, f)};
  llvm::SmallVector<TensorType> types;
  llvm::SmallVector<SMLoc> locs;
  for (const Value &t : tensors) {
    node.operands.push_back(t.node);
    types.push_back(t.type);
    locs.push_back(t.loc);
  }
  Value noAttrs[2];
  SMLoc noLocs[2];
  RuleContext ctx{info.name,
                  loc,
                  types,
                  locs,
                  attrs.empty() ? llvm::ArrayRef<Value>(noAttrs) : attrs,
                  attrLocs.empty() ? llvm::ArrayRef<SMLoc>(noLocs) : attrLocs,
                  g.batchName,
                  node,
                  [&](SMLoc at, const llvm::Twine &msg) {
                    return error(at, f, msg);
                  }};
  std::optional<TensorType> type = info.rule(ctx);
  if (!type)
    return Value();
  node.type = *type;
  g.nodes.push_back(std::move(node));
  Value v;
  v.kind = Value::Tensor;
  v.node = g.nodes.size() - 1;
  v.type = *type;
  v.loc = loc;
  return v;
}

Value Evaluator::evalCall(const Expr &e, Frame &f, llvm::StringRef binding) {
  auto it = funcs.find(e.text);
  if (it != funcs.end()) {
    if (it->second->isModel) {
      error(e.loc, f, "cannot call model '" + e.text +
                          "'; only layers can be called");
      return Value();
    }
    return callLayer(*it->second, e, f, binding);
  }
  if (const BuiltinInfo *info = lookupBuiltin(e.text))
    return callBuiltin(*info, e, f);
  if (isInitName(e.text)) {
    error(e.loc, f, "initializer '" + e.text +
                        "' can only be used in a param declaration");
    return Value();
  }
  std::vector<llvm::StringRef> names;
  for (auto &entry : funcs)
    names.push_back(entry.getKey());
  for (const char *b : {"relu", "sigmoid", "tanh", "softmax", "matmul",
                        "reshape", "flatten", "transpose", "concat", "conv2d",
                        "max_pool2d", "avg_pool2d", "dropout", "mean", "sum"})
    names.push_back(b);
  error(e.loc, f, "unknown layer or operation '" + e.text + "'" +
                      didYouMean(e.text, names));
  return Value();
}

bool Evaluator::checkAttr(const AttrSpec &spec, Value &v,
                          llvm::StringRef callee, Frame &f) {
  auto isInt = [](const Value &x) {
    return x.kind == Value::Int && x.intValue != kBatchDim;
  };
  auto isIntList = [&](const Value &x, bool allowBatch) {
    return x.kind == Value::List &&
           llvm::all_of(x.list, [&](const Value &e) {
             return e.kind == Value::Int && (allowBatch || isInt(e));
           });
  };
  bool ok = false;
  const char *expected = "";
  switch (spec.kind) {
  case AttrKind::Int:
  case AttrKind::OptInt:
    ok = isInt(v);
    expected = "an int";
    break;
  case AttrKind::Float:
    ok = isInt(v) || v.kind == Value::Float;
    expected = "a number";
    if (ok)
      v = Value::makeFloat(v.asDouble());
    break;
  case AttrKind::Bool:
    ok = v.kind == Value::Bool;
    expected = "true or false";
    break;
  case AttrKind::Axes:
    ok = isInt(v) || isIntList(v, false);
    expected = "an int or a list of ints";
    break;
  case AttrKind::IntList:
    ok = isIntList(v, true);
    expected = "a list of ints";
    break;
  case AttrKind::OptIntList:
    ok = isIntList(v, false);
    expected = "a list of ints";
    break;
  }
  if (!ok)
    error(v.loc, f, "attribute '" + llvm::Twine(spec.name) + "' of " + callee +
                        " must be " + expected + ", got " + describe(v));
  return ok;
}

Value Evaluator::callBuiltin(const BuiltinInfo &info, const Expr &call,
                             Frame &f) {
  unsigned numTensors = info.numTensors;
  if (info.numTensors < 0) // variadic: every positional argument
    numTensors = llvm::count_if(call.args,
                                [](const Arg &a) { return a.name.empty(); });
  llvm::SmallVector<llvm::StringRef> slots(numTensors, "");
  unsigned numAttrs = 0;
  for (const AttrSpec &spec : info.attrs)
    if (spec.name)
      slots.push_back(spec.name), ++numAttrs;
  llvm::SmallVector<const Arg *> bound;
  if (!bindCallArgs(call, slots, bound, diags, info.name))
    return Value();

  llvm::SmallVector<Value> tensors;
  bool ok = true;
  for (unsigned i = 0; i < numTensors; ++i) {
    if (!bound[i]) {
      error(call.loc, f, llvm::Twine(info.name) + " expects " +
                             llvm::Twine(info.numTensors) +
                             " tensor arguments, got " + llvm::Twine(i));
      return Value();
    }
    Value v = eval(*bound[i]->value, f);
    ok = !v.isError() && toTensor(v, f) && ok;
    tensors.push_back(v);
  }
  if (numTensors == 0) {
    error(call.loc, f, llvm::Twine(info.name) + " expects a tensor argument");
    return Value();
  }
  Value attrs[2];
  SMLoc attrLocs[2];
  for (unsigned i = 0; i < numAttrs; ++i) {
    const AttrSpec &spec = info.attrs[i];
    if (const Arg *arg = bound[numTensors + i]) {
      attrs[i] = eval(*arg->value, f);
      attrLocs[i] = arg->value->loc;
      ok = !attrs[i].isError() && checkAttr(spec, attrs[i], info.name, f) && ok;
    } else if (spec.required) {
      error(call.loc, f, "missing attribute '" + llvm::Twine(spec.name) +
                             "' in call to " + info.name);
      ok = false;
    } else if (spec.kind == AttrKind::Int) {
      attrs[i] = Value::makeInt(int64_t(spec.defaultValue));
    } else if (spec.kind == AttrKind::Float) {
      attrs[i] = Value::makeFloat(spec.defaultValue);
    } else if (spec.kind == AttrKind::Bool) {
      attrs[i] = Value::makeBool(spec.defaultValue != 0);
    }
  }
  if (!ok)
    return Value();
  return apply(info, tensors, attrs, attrLocs, call.loc, f);
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

static std::string formatTypeNode(const TypeNode &t) {
  std::string s = t.name;
  if (!t.isTensor)
    return s;
  s += "[";
  for (unsigned i = 0; i < t.dims.size(); ++i) {
    if (i)
      s += ", ";
    s += t.dims[i].isVar ? t.dims[i].name : std::to_string(t.dims[i].value);
  }
  return s + "]";
}

static std::optional<ElemType> elemTypeOf(llvm::StringRef name) {
  if (name == "f32")
    return ElemType::F32;
  if (name == "i32")
    return ElemType::I32;
  return std::nullopt;
}

bool Evaluator::unifyDims(const TypeNode &decl, const TensorType &actual,
                          Frame &env, std::string &detail) {
  for (unsigned i = 0; i < decl.dims.size(); ++i) {
    const DimNode &d = decl.dims[i];
    int64_t got = actual.dims[i];
    if (!d.isVar) {
      if (d.value != got)
        return false;
      continue;
    }
    auto it = env.env.find(d.name);
    if (it == env.env.end()) {
      env.env[d.name] = Value::makeInt(got);
      continue;
    }
    if (it->second.kind != Value::Int) {
      detail = " ('" + d.name + "' is " + describe(it->second) + ")";
      return false;
    }
    if (it->second.intValue != got) {
      detail = " with " + d.name + " = " +
               (it->second.intValue == kBatchDim
                    ? g.batchName
                    : std::to_string(it->second.intValue));
      return false;
    }
  }
  return true;
}

bool Evaluator::bindTensorArg(const FuncDecl &fn, const ArgDecl &arg,
                              const Value &v, const Expr *argExpr,
                              Frame &callee, Frame &caller) {
  SMLoc at = argExpr ? argExpr->loc : callee.callLoc;
  const TypeNode &decl = arg.type;
  std::optional<ElemType> elem = elemTypeOf(decl.name);
  if (!elem)
    return false; // reported when the layer was declared
  if (decl.dims.size() != v.type.getRank()) {
    auto diag = error(at, caller, fn.name + " expects a rank-" +
                                      llvm::Twine(decl.dims.size()) +
                                      " input " + formatTypeNode(decl) +
                                      ", got " + fmt(v.type));
    if (decl.dims.size() == 2 && v.type.getRank() > 2) {
      int64_t rest = 1;
      for (int64_t d : llvm::ArrayRef(v.type.dims).drop_front())
        if (d == kBatchDim || __builtin_mul_overflow(rest, d, &rest))
          return false;
      TensorType flat{v.type.elem, {v.type.dims[0], rest}};
      std::string what = argExpr && argExpr->kind == ExprKind::Name
                             ? argExpr->text
                             : "x";
      diag.attachNote(diags.getLoc(at))
          << "flatten(" << what << ") gives " << fmt(flat);
    }
    return false;
  }
  std::string detail;
  if (*elem != v.type.elem || !unifyDims(decl, v.type, callee, detail)) {
    error(at, caller, fn.name + " expects " + arg.name + ": " +
                          formatTypeNode(decl) + detail + ", got " +
                          fmt(v.type));
    return false;
  }
  return true;
}

bool Evaluator::checkLayerAttr(const ArgDecl &arg, Value &v,
                               llvm::StringRef callee, Frame &f) {
  AttrKind kind = arg.type.name == "int"     ? AttrKind::Int
                  : arg.type.name == "float" ? AttrKind::Float
                                             : AttrKind::Bool;
  AttrSpec spec{arg.name.c_str(), kind, true, 0};
  return checkAttr(spec, v, callee, f);
}

std::string Evaluator::uniqueName(Frame &f, llvm::StringRef base) {
  std::string name = base.str();
  for (unsigned i = 1; f.usedNames.count(name); ++i)
    name = base.str() + "_" + std::to_string(i);
  f.usedNames.insert(name);
  return name;
}

Value Evaluator::callLayer(const FuncDecl &fn, const Expr &call, Frame &f,
                           llvm::StringRef binding) {
  if (llvm::is_contained(stack, &fn)) {
    error(call.loc, f, "layer '" + fn.name + "' calls itself");
    return Value();
  }
  if (stack.size() >= kMaxCallDepth) {
    error(call.loc, f, "layer calls nested too deeply");
    return Value();
  }
  llvm::SmallVector<llvm::StringRef> slots;
  for (const ArgDecl &arg : fn.args)
    slots.push_back(arg.name);
  llvm::SmallVector<const Arg *> bound;
  if (!bindCallArgs(call, slots, bound, diags, fn.name))
    return Value();
  llvm::SmallVector<Value> values(fn.args.size());
  bool ok = true;
  for (unsigned i = 0; i < fn.args.size(); ++i) {
    if (bound[i]) {
      values[i] = eval(*bound[i]->value, f);
      ok = ok && !values[i].isError();
    }
  }
  if (!ok)
    return Value();

  Frame callee;
  callee.func = &fn;
  callee.parent = &f;
  callee.callLoc = call.loc;
  callee.callerLoc = locOf(call.loc, f);
  std::string name = uniqueName(f, binding.empty() ? llvm::StringRef(fn.name)
                                                   : binding);
  callee.path = f.path.empty() ? name : f.path + "." + name;

  for (unsigned i = 0; i < fn.args.size(); ++i) {
    const ArgDecl &arg = fn.args[i];
    Value &v = values[i];
    if (!bound[i]) {
      if (!arg.defaultValue) {
        error(call.loc, f, "missing argument '" + arg.name + "' in call to " +
                               fn.name);
        ok = false;
        continue;
      }
      v = eval(*arg.defaultValue, callee);
      if (v.isError()) {
        ok = false;
        continue;
      }
    }
    const Expr *argExpr = bound[i] ? bound[i]->value.get() : nullptr;
    if (arg.type.isTensor)
      ok = toTensor(v, f) && bindTensorArg(fn, arg, v, argExpr, callee, f) && ok;
    else
      ok = checkLayerAttr(arg, v, fn.name, f) && ok;
    callee.env[arg.name] = v;
  }
  if (!ok)
    return Value();

  stack.push_back(&fn);
  Value ret;
  execBody(fn.body, callee, ret);
  stack.pop_back();
  if (ret.isError() || !checkResult(fn, ret, callee, f))
    return Value();
  ret.loc = call.loc;
  return ret;
}

bool Evaluator::checkResult(const FuncDecl &fn, const Value &ret,
                            Frame &callee, Frame &caller) {
  if (ret.kind != Value::Tensor) {
    error(ret.loc, callee, "the result of " + fn.name + " must be a tensor, got " +
                               describe(ret));
    return false;
  }
  if (!fn.hasResultType)
    return true;
  const TypeNode &decl = fn.resultType;
  std::optional<ElemType> elem = elemTypeOf(decl.name);
  std::string detail;
  if (elem && *elem == ret.type.elem &&
      decl.dims.size() == ret.type.getRank() &&
      unifyDims(decl, ret.type, callee, detail))
    return true;
  if (!elem)
    return false;
  auto diag = error(ret.loc, callee, "return type mismatch: " + fn.name +
                                         " returns " + fmt(ret.type) +
                                         " but is declared to return " +
                                         formatTypeNode(decl) + detail);
  diag.attachNote(diags.getLoc(decl.loc)) << "declared result type is here";
  (void)caller;
  return false;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

std::optional<int64_t> Evaluator::evalInt(const Expr &e, Frame &f,
                                          llvm::StringRef what) {
  Value v = eval(e, f);
  if (v.isError())
    return std::nullopt;
  if (v.kind != Value::Int || v.intValue == kBatchDim) {
    error(e.loc, f, what + " must be a compile-time int, got " + describe(v));
    return std::nullopt;
  }
  return v.intValue;
}

void Evaluator::execBody(const std::vector<StmtPtr> &body, Frame &f,
                         Value &ret) {
  for (const StmtPtr &stmt : body) {
    if (aborted || diags.shouldStop())
      return;
    if (++statements > kMaxStatements) {
      error(stmt->loc, f, "the model is too large: more than " +
                              llvm::Twine(kMaxStatements) +
                              " statements after inlining and unrolling");
      aborted = true;
      return;
    }
    switch (stmt->kind) {
    case StmtKind::Param:
      declareParam(*stmt, f);
      break;
    case StmtKind::Assign: {
      bool wholeCall = stmt->value->kind == ExprKind::Call;
      f.env[stmt->name] = eval(*stmt->value, f, wholeCall ? stmt->name : "");
      break;
    }
    case StmtKind::Return:
      ret = eval(*stmt->value, f);
      return;
    case StmtKind::For: {
      auto lo = evalInt(*stmt->value, f, "the start of a loop range");
      auto hi = evalInt(*stmt->upper, f, "the end of a loop range");
      if (!lo || !hi)
        break;
      if (*hi - *lo > kMaxLoopTrips) {
        error(stmt->loc, f, "loop of " + llvm::Twine(*hi - *lo) +
                                " iterations is too long to unroll (at most " +
                                llvm::Twine(kMaxLoopTrips) + ")");
        break;
      }
      for (int64_t i = *lo; i < *hi && !aborted; ++i) {
        Value iv = Value::makeInt(i);
        iv.loc = stmt->nameLoc;
        f.env[stmt->name] = iv;
        execBody(stmt->body, f, ret);
      }
      break;
    }
    }
  }
}

bool Evaluator::resolveParamType(const TypeNode &type, Frame &f,
                                 TensorType &out) {
  if (!type.isTensor || type.name != "f32") {
    error(type.loc, f, "a parameter must be an f32 tensor, got " +
                           formatTypeNode(type));
    return false;
  }
  for (const DimNode &d : type.dims) {
    int64_t v = d.value;
    if (d.isVar) {
      auto it = f.env.find(d.name);
      if (it == f.env.end() || it->second.kind != Value::Int) {
        error(d.loc, f, "unknown dimension '" + d.name +
                            "': a parameter's shape must be known");
        return false;
      }
      v = it->second.intValue;
    }
    if (v == kBatchDim) {
      error(d.loc, f, "a parameter's shape cannot use the batch dimension " +
                          g.batchName);
      return false;
    }
    if (v <= 0) {
      error(d.loc, f, "parameter dimension must be positive, got " +
                          llvm::Twine(v));
      return false;
    }
    out.dims.push_back(v);
  }
  return true;
}

/// Keras fans: [I, U] -> I, U; [F, C, KH, KW] -> C*KH*KW, F*KH*KW.
static void computeFans(const TensorType &t, InitSpec &init) {
  llvm::ArrayRef<int64_t> d = t.dims;
  if (d.empty()) {
    init.fanIn = init.fanOut = 1;
  } else if (d.size() == 1) {
    init.fanIn = init.fanOut = d[0];
  } else if (d.size() == 2) {
    init.fanIn = d[0];
    init.fanOut = d[1];
  } else {
    int64_t receptive = 1;
    for (int64_t x : d.drop_front(2))
      receptive *= x;
    init.fanIn = d[1] * receptive;
    init.fanOut = d[0] * receptive;
  }
}

bool Evaluator::parseInit(const Expr &e, Frame &f, const TensorType &type,
                          InitSpec &init) {
  struct InitForm {
    const char *name;
    llvm::SmallVector<llvm::StringRef, 2> args;
  };
  static const InitForm forms[] = {
      {"zeros", {}},          {"ones", {}},
      {"constant", {"value"}}, {"uniform", {"lo", "hi"}},
      {"normal", {"mean", "std"}}, {"glorot_uniform", {}},
      {"he_normal", {}},      {"he_uniform", {}},
      {"lecun_uniform", {}}};
  const InitForm *form = nullptr;
  if (e.kind == ExprKind::Name || e.kind == ExprKind::Call)
    for (const InitForm &candidate : forms)
      if (e.text == candidate.name)
        form = &candidate;
  if (!form) {
    std::vector<llvm::StringRef> names(std::begin(kInitNames),
                                       std::end(kInitNames));
    error(e.loc, f, "expected an initializer: zeros, ones, constant(v), "
                    "uniform(lo, hi), normal(mean, std), glorot_uniform, "
                    "he_normal, he_uniform or lecun_uniform" +
                        (e.kind == ExprKind::Name || e.kind == ExprKind::Call
                             ? didYouMean(e.text, names)
                             : ""));
    return false;
  }
  init.kind = form->name;
  if (e.kind == ExprKind::Name && !form->args.empty()) {
    error(e.loc, f, "initializer '" + e.text + "' needs arguments: " + e.text +
                        "(" + llvm::join(form->args, ", ") + ")");
    return false;
  }
  llvm::SmallVector<const Arg *> bound;
  if (e.kind == ExprKind::Call &&
      !bindCallArgs(e, form->args, bound, diags, e.text))
    return false;
  double values[2] = {0, 0};
  for (unsigned i = 0; i < form->args.size(); ++i) {
    if (!bound[i]) {
      error(e.loc, f, "missing argument '" + form->args[i] +
                          "' of initializer " + e.text);
      return false;
    }
    Value v = eval(*bound[i]->value, f);
    if (v.isError())
      return false;
    if (!v.isNumber() || v.intValue == kBatchDim) {
      error(v.loc, f, "initializer argument must be a number, got " +
                          describe(v));
      return false;
    }
    values[i] = v.asDouble();
  }
  init.a = values[0];
  init.b = values[1];
  if (init.kind == "uniform" && !(init.a < init.b)) {
    error(e.loc, f, "uniform needs lo < hi, got uniform(" + formatNumber(init.a) +
                        ", " + formatNumber(init.b) + ")");
    return false;
  }
  if (init.kind == "normal" && init.b < 0) {
    error(e.loc, f, "normal needs std >= 0, got " + formatNumber(init.b));
    return false;
  }
  computeFans(type, init);
  return true;
}

void Evaluator::declareParam(const Stmt &stmt, Frame &f) {
  f.env[stmt.name] = Value(); // poison until declared
  TensorType type;
  InitSpec init;
  if (!resolveParamType(stmt.type, f, type) ||
      !parseInit(*stmt.value, f, type, init))
    return;
  auto prev = f.paramLocs.find(stmt.name);
  if (prev != f.paramLocs.end()) {
    auto diag = error(stmt.nameLoc, f, "duplicate parameter '" + stmt.name +
                                           "' in this body");
    diag.attachNote(diags.getLoc(prev->second)) << "previously declared here";
    return;
  }
  f.paramLocs[stmt.name] = stmt.nameLoc;
  std::string name = f.path.empty() ? stmt.name : f.path + "." + stmt.name;
  if (paramNames.count(name)) {
    error(stmt.nameLoc, f, "parameter name '" + name + "' is already taken");
    return;
  }
  paramNames[name] = stmt.nameLoc;
  Node node{OpKind::Param, {}, type, locOf(stmt.nameLoc, f)};
  node.index = g.params.size();
  g.nodes.push_back(std::move(node));
  g.params.push_back(ParamInfo{name, type, init, int(g.nodes.size() - 1)});
  Value v;
  v.kind = Value::Tensor;
  v.node = g.nodes.size() - 1;
  v.type = type;
  v.loc = stmt.nameLoc;
  f.env[stmt.name] = v;
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

bool Evaluator::evalModel(const FuncDecl &model) {
  unsigned errorsBefore = diags.getNumErrors();
  Frame top;
  top.func = &model;
  g.name = model.name;
  // The leading dimension variable of the first input is the batch.
  for (const ArgDecl &arg : model.args)
    if (arg.type.isTensor && !arg.type.dims.empty() && arg.type.dims[0].isVar) {
      g.batchName = arg.type.dims[0].name;
      break;
    }
  for (const ArgDecl &arg : model.args) {
    std::optional<ElemType> elem = elemTypeOf(arg.type.name);
    if (!arg.type.isTensor || !elem)
      continue; // reported by the declaration checks
    TensorType type{*elem, {}};
    for (unsigned i = 0; i < arg.type.dims.size(); ++i) {
      const DimNode &d = arg.type.dims[i];
      if (!d.isVar) {
        type.dims.push_back(d.value);
        continue;
      }
      if (d.name != g.batchName || i != 0)
        error(d.loc, top, "dimension '" + d.name + "' of model input '" +
                              arg.name + "' must be a number: only the " +
                              "leading dimension " + g.batchName +
                              " (the batch) may be a variable");
      type.dims.push_back(kBatchDim);
    }
    Node node{OpKind::Input, {}, type, diags.getLoc(arg.loc)};
    node.index = g.inputs.size();
    g.nodes.push_back(std::move(node));
    int id = g.nodes.size() - 1;
    g.inputs.push_back(InputInfo{arg.name, type, diags.getLoc(arg.loc), id});
    Value v;
    v.kind = Value::Tensor;
    v.node = id;
    v.type = type;
    top.env[arg.name] = v;
  }
  if (diags.getNumErrors() != errorsBefore)
    return false;
  top.env[g.batchName] = Value::makeInt(kBatchDim);
  Value ret;
  execBody(model.body, top, ret);
  if (ret.isError() || diags.getNumErrors() != errorsBefore)
    return false;
  Frame resultFrame;
  resultFrame.env[g.batchName] = Value::makeInt(kBatchDim);
  if (!checkResult(model, ret, resultFrame, top))
    return false;
  g.result = ret.node;
  return true;
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// Checks what does not depend on a call: argument kinds and order, types,
/// and that the body ends in its only return.
static void checkDecl(const FuncDecl &fn, DiagEngine &diags) {
  const char *what = fn.isModel ? "model" : "layer";
  llvm::StringMap<SMLoc> seen;
  bool sawAttr = false;
  auto checkType = [&](const TypeNode &t, bool mustBeTensor) {
    if (t.isTensor) {
      if (t.name == "f16" || t.name == "bf16")
        diags.error(t.loc, "element type '" + t.name + "' is not supported yet");
      else if (!elemTypeOf(t.name))
        diags.error(t.loc, "unknown element type '" + t.name +
                               "'; expected f32 or i32");
      return;
    }
    if (elemTypeOf(t.name) || t.name == "f16" || t.name == "bf16")
      diags.error(t.loc, "expected a shape after '" + t.name + "', as in " +
                             t.name + "[N, 10]");
    else if (mustBeTensor)
      diags.error(t.loc, "expected a tensor type such as f32[N, 10], found '" +
                             t.name + "'");
    else if (t.name != "int" && t.name != "float" && t.name != "bool")
      diags.error(t.loc, "unknown type '" + t.name +
                             "'; expected int, float, bool or a tensor type");
  };
  for (const ArgDecl &arg : fn.args) {
    auto [it, inserted] = seen.try_emplace(arg.name, arg.loc);
    if (!inserted) {
      diags.error(arg.loc, "duplicate argument '" + arg.name + "'")
              .attachNote(diags.getLoc(it->second))
          << "previous argument is here";
    }
    checkType(arg.type, fn.isModel);
    if (arg.type.isTensor && sawAttr)
      diags.error(arg.loc, "tensor argument '" + arg.name +
                               "' must come before the attributes");
    if (arg.type.isTensor && arg.defaultValue)
      diags.error(arg.defaultValue->loc,
                  "a tensor argument cannot have a default value");
    if (fn.isModel && arg.defaultValue && !arg.type.isTensor)
      diags.error(arg.defaultValue->loc, "a model input cannot have a default");
    sawAttr |= !arg.type.isTensor;
  }
  if (fn.hasResultType)
    checkType(fn.resultType, /*mustBeTensor=*/true);

  std::function<void(const std::vector<StmtPtr> &, bool)> checkBody =
      [&](const std::vector<StmtPtr> &body, bool inLoop) {
        for (unsigned i = 0; i < body.size(); ++i) {
          const Stmt &s = *body[i];
          if (s.kind == StmtKind::For)
            checkBody(s.body, true);
          if (s.kind != StmtKind::Return)
            continue;
          if (inLoop)
            diags.error(s.loc, "return is not allowed inside a for loop");
          else if (i + 1 != body.size())
            diags.error(body[i + 1]->loc, "statement after return");
        }
      };
  checkBody(fn.body, false);
  if (fn.body.empty() || fn.body.back()->kind != StmtKind::Return)
    diags.error(fn.endLoc, llvm::Twine("missing return at the end of ") + what +
                               " '" + fn.name + "'");
}

bool nn::checkProgram(const Program &program, DiagEngine &diags,
                      std::vector<ModelGraph> &models) {
  unsigned errorsBefore = diags.getNumErrors();
  llvm::StringMap<const FuncDecl *> funcs;
  for (const auto &file : program.files) {
    for (const auto &fn : file->funcs) {
      checkDecl(*fn, diags);
      if (lookupBuiltin(fn->name)) {
        diags.error(fn->loc, "'" + fn->name + "' is a built-in operation and " +
                                 "cannot be redefined");
        continue;
      }
      auto [it, inserted] = funcs.try_emplace(fn->name, fn.get());
      if (inserted)
        continue;
      if (it->second->fromStdlib && !fn->fromStdlib) {
        it->second = fn.get(); // a user layer shadows the stdlib
        continue;
      }
      diags.error(fn->loc, "redefinition of '" + fn->name + "'")
              .attachNote(diags.getLoc(it->second->loc))
          << "previous definition is here";
    }
  }
  bool declsOk = diags.getNumErrors() == errorsBefore;
  for (const auto &file : program.files) {
    for (const auto &fn : file->funcs) {
      if (!fn->isModel || diags.shouldStop() || funcs[fn->name] != fn.get())
        continue;
      ModelGraph graph(diags.getLoc(fn->loc));
      graph.inMainFile = fn->inMainFile;
      Evaluator evaluator(diags, funcs, graph);
      if (!declsOk || !evaluator.evalModel(*fn))
        graph.result = -1;
      models.push_back(std::move(graph));
    }
  }
  checkTrainBlocks(program, diags, models);
  return diags.getNumErrors() == errorsBefore && !diags.shouldStop();
}

const ModelGraph *nn::selectModel(const std::vector<ModelGraph> &models,
                                  llvm::StringRef name, DiagEngine &diags,
                                  SMLoc fileLoc) {
  std::vector<llvm::StringRef> names;
  for (const ModelGraph &m : models)
    names.push_back(m.name);
  if (!name.empty()) {
    for (const ModelGraph &m : models)
      if (m.name == name)
        return m.result >= 0 ? &m : nullptr;
    diags.error(fileLoc, "no model named '" + name + "'" +
                             didYouMean(name, names));
    return nullptr;
  }
  // The file named on the command line wins over what it imports: importing
  // a file must not change which model is built.
  std::vector<const ModelGraph *> candidates;
  for (const ModelGraph &m : models)
    if (m.inMainFile)
      candidates.push_back(&m);
  if (candidates.empty())
    for (const ModelGraph &m : models)
      candidates.push_back(&m);
  auto pick = [](const ModelGraph *m) { return m->result >= 0 ? m : nullptr; };
  if (candidates.size() == 1)
    return pick(candidates[0]);
  const ModelGraph *trained = nullptr;
  unsigned numTrained = 0;
  for (const ModelGraph *m : candidates)
    if (m->train)
      trained = m, ++numTrained;
  if (numTrained == 1)
    return pick(trained);
  if (candidates.empty()) {
    diags.error(fileLoc, "no model to compile: the file declares no model");
    return nullptr;
  }
  std::vector<llvm::StringRef> candidateNames;
  for (const ModelGraph *m : candidates)
    candidateNames.push_back(m->name);
  diags.error(fileLoc, "the file has several models (" +
                           llvm::join(candidateNames, ", ") +
                           "); choose one with --model");
  return nullptr;
}
