//===- SemaExpressions.cpp - Sema: expressions and primitive calls --------===//
//
// Names, arithmetic, calls of primitives (their shape rules in ShapeRules.cpp)
// and the dispatch of calls to layers.
//
//===----------------------------------------------------------------------===//

#include "SemaEvaluator.h"

using namespace nn;
using namespace nn::sema;
using llvm::SMLoc;

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
    error(e.loc, f,
          "'" + e.text + "' is a layer or operation; call it with " +
              "arguments, as in " + e.text + "(x)");
  } else if (isInitName(e.text)) {
    error(e.loc, f,
          "initializer '" + e.text +
              "' can only be used in a param declaration");
  } else {
    std::vector<llvm::StringRef> names;
    for (auto &entry : f.env)
      names.push_back(entry.getKey());
    error(e.loc, f,
          "use of undeclared name '" + e.text + "'" +
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
      error(v->loc, f,
            llvm::Twine("'") + llvm::Twine(e.op) + "' expects tensors or " +
                "numbers, got " + describe(*v));
      return Value();
    }
  }
  if (e.op != '@' && l.isNumber() && r.isNumber())
    return foldBinary(e.op, l, r, e.loc, diags);
  if (e.op == '@') {
    if (l.kind != Value::Tensor || r.kind != Value::Tensor) {
      error(e.loc, f,
            "'@' expects two tensors, got " + describe(l) + " and " +
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
  Node node{
      OpKind::Constant, {}, TensorType{ElemType::F32, {}}, locOf(v.loc, f)};
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
  RuleContext ctx{
      info.name,
      loc,
      types,
      locs,
      attrs.empty() ? llvm::ArrayRef<Value>(noAttrs) : attrs,
      attrLocs.empty() ? llvm::ArrayRef<SMLoc>(noLocs) : attrLocs,
      g.batchName,
      node,
      [&](SMLoc at, const llvm::Twine &msg) { return error(at, f, msg); }};
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
      error(e.loc, f,
            "cannot call model '" + e.text + "'; only layers can be called");
      return Value();
    }
    return callLayer(*it->second, e, f, binding);
  }
  if (const BuiltinInfo *info = lookupBuiltin(e.text))
    return callBuiltin(*info, e, f);
  if (isInitName(e.text)) {
    error(e.loc, f,
          "initializer '" + e.text +
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
  error(e.loc, f,
        "unknown layer or operation '" + e.text + "'" +
            didYouMean(e.text, names));
  return Value();
}

bool Evaluator::checkAttr(const AttrSpec &spec, Value &v,
                          llvm::StringRef callee, Frame &f) {
  auto isInt = [](const Value &x) {
    return x.kind == Value::Int && x.intValue != kBatchDim;
  };
  auto isIntList = [&](const Value &x, bool allowBatch) {
    return x.kind == Value::List && llvm::all_of(x.list, [&](const Value &e) {
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
    error(v.loc, f,
          "attribute '" + llvm::Twine(spec.name) + "' of " + callee +
              " must be " + expected + ", got " + describe(v));
  return ok;
}

Value Evaluator::callBuiltin(const BuiltinInfo &info, const Expr &call,
                             Frame &f) {
  unsigned numTensors = info.numTensors;
  if (info.numTensors < 0) // variadic: every positional argument
    numTensors =
        llvm::count_if(call.args, [](const Arg &a) { return a.name.empty(); });
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
      error(call.loc, f,
            llvm::Twine(info.name) + " expects " +
                llvm::Twine(info.numTensors) + " tensor arguments, got " +
                llvm::Twine(i));
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
      error(call.loc, f,
            "missing attribute '" + llvm::Twine(spec.name) + "' in call to " +
                info.name);
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
