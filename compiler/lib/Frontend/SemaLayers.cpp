//===- SemaLayers.cpp - Sema: calls of layers -----------------------------===//
//
// A layer call: arguments bound and checked against the declaration (dimension
// variables unified), the body run in a new frame, the result checked.
//
//===----------------------------------------------------------------------===//

#include "SemaEvaluator.h"

using namespace nn;
using namespace nn::sema;
using llvm::SMLoc;

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
    auto diag =
        error(at, caller,
              fn.name + " expects a rank-" + llvm::Twine(decl.dims.size()) +
                  " input " + formatTypeNode(decl) + ", got " + fmt(v.type));
    if (decl.dims.size() == 2 && v.type.getRank() > 2) {
      int64_t rest = 1;
      for (int64_t d : llvm::ArrayRef(v.type.dims).drop_front())
        if (d == kBatchDim || __builtin_mul_overflow(rest, d, &rest))
          return false;
      TensorType flat{v.type.elem, {v.type.dims[0], rest}};
      std::string what =
          argExpr && argExpr->kind == ExprKind::Name ? argExpr->text : "x";
      diag.attachNote(diags.getLoc(at))
          << "flatten(" << what << ") gives " << fmt(flat);
    }
    return false;
  }
  std::string detail;
  if (*elem != v.type.elem || !unifyDims(decl, v.type, callee, detail)) {
    error(at, caller,
          fn.name + " expects " + arg.name + ": " + formatTypeNode(decl) +
              detail + ", got " + fmt(v.type));
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
  std::string name =
      uniqueName(f, binding.empty() ? llvm::StringRef(fn.name) : binding);
  callee.path = f.path.empty() ? name : f.path + "." + name;

  for (unsigned i = 0; i < fn.args.size(); ++i) {
    const ArgDecl &arg = fn.args[i];
    Value &v = values[i];
    if (!bound[i]) {
      if (!arg.defaultValue) {
        error(call.loc, f,
              "missing argument '" + arg.name + "' in call to " + fn.name);
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
      ok =
          toTensor(v, f) && bindTensorArg(fn, arg, v, argExpr, callee, f) && ok;
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

bool Evaluator::checkResult(const FuncDecl &fn, const Value &ret, Frame &callee,
                            Frame &caller) {
  if (ret.kind != Value::Tensor) {
    error(ret.loc, callee,
          "the result of " + fn.name + " must be a tensor, got " +
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
  auto diag =
      error(ret.loc, callee,
            "return type mismatch: " + fn.name + " returns " + fmt(ret.type) +
                " but is declared to return " + formatTypeNode(decl) + detail);
  diag.attachNote(diags.getLoc(decl.loc)) << "declared result type is here";
  (void)caller;
  return false;
}
