//===- ConstEval.cpp - constant folding -----------------------------------===//

#include "SemaInternal.h"
#include "llvm/ADT/StringExtras.h"
#include <cmath>
#include <cstdio>

using namespace nn;
using llvm::SMLoc;

Value nn::foldBinary(char op, const Value &lhs, const Value &rhs, SMLoc loc,
                     DiagEngine &diags) {
  for (const Value *v : {&lhs, &rhs}) {
    if (v->kind == Value::Int && v->intValue == kBatchDim) {
      diags.error(v->loc, "the batch dimension is not known at compile time");
      return Value();
    }
  }
  if (lhs.kind == Value::Int && rhs.kind == Value::Int && op != '/') {
    int64_t r = 0;
    bool overflow =
        op == '+'   ? __builtin_add_overflow(lhs.intValue, rhs.intValue, &r)
        : op == '-' ? __builtin_sub_overflow(lhs.intValue, rhs.intValue, &r)
                    : __builtin_mul_overflow(lhs.intValue, rhs.intValue, &r);
    if (overflow) {
      diags.error(loc, "integer overflow in constant expression");
      return Value();
    }
    Value v = Value::makeInt(r);
    v.loc = lhs.loc;
    return v;
  }
  double a = lhs.asDouble(), b = rhs.asDouble(), r = 0;
  switch (op) {
  case '+':
    r = a + b;
    break;
  case '-':
    r = a - b;
    break;
  case '*':
    r = a * b;
    break;
  case '/':
    if (b == 0) {
      diags.error(loc, "division by zero in constant expression");
      return Value();
    }
    r = a / b;
    break;
  default:
    diags.error(loc, llvm::Twine("'") + llvm::Twine(op) +
                         "' needs tensors, got " + describeValue(lhs, "N") +
                         " and " + describeValue(rhs, "N"));
    return Value();
  }
  Value v = Value::makeFloat(r);
  v.loc = lhs.loc;
  return v;
}

Value nn::evalConstant(const Expr &e, DiagEngine &diags) {
  Value v;
  switch (e.kind) {
  case ExprKind::Int:
    v = Value::makeInt(e.intValue);
    break;
  case ExprKind::Float:
    v = Value::makeFloat(e.floatValue);
    break;
  case ExprKind::Bool:
    v = Value::makeBool(e.boolValue);
    break;
  case ExprKind::String:
    v.kind = Value::String;
    v.text = e.text;
    break;
  case ExprKind::Name:
    v.kind = Value::Ident;
    v.text = e.text;
    break;
  case ExprKind::List:
    v.kind = Value::List;
    for (const Arg &a : e.args) {
      v.list.push_back(evalConstant(*a.value, diags));
      if (v.list.back().isError())
        return Value();
    }
    break;
  case ExprKind::Neg: {
    Value x = evalConstant(*e.lhs, diags);
    if (x.isError())
      return x;
    if (!x.isNumber()) {
      diags.error(e.loc, "cannot negate " + describeValue(x, "N"));
      return Value();
    }
    v = x.kind == Value::Int ? Value::makeInt(-x.intValue)
                             : Value::makeFloat(-x.floatValue);
    break;
  }
  case ExprKind::Binary: {
    // A chain `a + b + ...` is folded in a loop over its left spine: its
    // length must not be bounded by the stack.
    llvm::SmallVector<const Expr *> spine;
    const Expr *leaf = &e;
    for (; leaf->kind == ExprKind::Binary; leaf = leaf->lhs.get())
      spine.push_back(leaf);
    Value l = evalConstant(*leaf, diags);
    for (const Expr *op : llvm::reverse(spine)) {
      Value r = evalConstant(*op->rhs, diags);
      if (l.isError() || r.isError()) {
        l = Value();
        continue;
      }
      if (!l.isNumber() || !r.isNumber()) {
        diags.error(op->loc, llvm::Twine("cannot apply '") +
                                 llvm::Twine(op->op) + "' to " +
                                 describeValue(l, "N") + " and " +
                                 describeValue(r, "N"));
        l = Value();
        continue;
      }
      l = foldBinary(op->op, l, r, op->loc, diags);
    }
    return l;
  }
  case ExprKind::Call:
    diags.error(e.loc, "expected a constant, found a call of '" + e.text + "'");
    return Value();
  }
  v.loc = e.loc;
  return v;
}
