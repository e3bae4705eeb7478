//===- SemaStatements.cpp - Sema: statements and parameters ---------------===//
//
// Bodies run statement by statement (`for` loops unrolled within budgets),
// and parameters declared with their types and initializers.
//
//===----------------------------------------------------------------------===//

#include "SemaEvaluator.h"

using namespace nn;
using namespace nn::sema;
using llvm::SMLoc;

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
      error(stmt->loc, f,
            "the model is too large: more than " + llvm::Twine(kMaxStatements) +
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
        error(stmt->loc, f,
              "loop of " + llvm::Twine(*hi - *lo) +
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
    error(type.loc, f,
          "a parameter must be an f32 tensor, got " + formatTypeNode(type));
    return false;
  }
  for (const DimNode &d : type.dims) {
    int64_t v = d.value;
    if (d.isVar) {
      auto it = f.env.find(d.name);
      if (it == f.env.end() || it->second.kind != Value::Int) {
        error(d.loc, f,
              "unknown dimension '" + d.name +
                  "': a parameter's shape must be known");
        return false;
      }
      v = it->second.intValue;
    }
    if (v == kBatchDim) {
      error(d.loc, f,
            "a parameter's shape cannot use the batch dimension " +
                g.batchName);
      return false;
    }
    if (v <= 0) {
      error(d.loc, f,
            "parameter dimension must be positive, got " + llvm::Twine(v));
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
  static const InitForm forms[] = {{"zeros", {}},
                                   {"ones", {}},
                                   {"constant", {"value"}},
                                   {"uniform", {"lo", "hi"}},
                                   {"normal", {"mean", "std"}},
                                   {"glorot_uniform", {}},
                                   {"he_normal", {}},
                                   {"he_uniform", {}},
                                   {"lecun_uniform", {}}};
  const InitForm *form = nullptr;
  if (e.kind == ExprKind::Name || e.kind == ExprKind::Call)
    for (const InitForm &candidate : forms)
      if (e.text == candidate.name)
        form = &candidate;
  if (!form) {
    std::vector<llvm::StringRef> names(std::begin(kInitNames),
                                       std::end(kInitNames));
    error(e.loc, f,
          "expected an initializer: zeros, ones, constant(v), "
          "uniform(lo, hi), normal(mean, std), glorot_uniform, "
          "he_normal, he_uniform or lecun_uniform" +
              (e.kind == ExprKind::Name || e.kind == ExprKind::Call
                   ? didYouMean(e.text, names)
                   : ""));
    return false;
  }
  init.kind = form->name;
  if (e.kind == ExprKind::Name && !form->args.empty()) {
    error(e.loc, f,
          "initializer '" + e.text + "' needs arguments: " + e.text + "(" +
              llvm::join(form->args, ", ") + ")");
    return false;
  }
  llvm::SmallVector<const Arg *> bound;
  if (e.kind == ExprKind::Call &&
      !bindCallArgs(e, form->args, bound, diags, e.text))
    return false;
  double values[2] = {0, 0};
  for (unsigned i = 0; i < form->args.size(); ++i) {
    if (!bound[i]) {
      error(e.loc, f,
            "missing argument '" + form->args[i] + "' of initializer " +
                e.text);
      return false;
    }
    Value v = eval(*bound[i]->value, f);
    if (v.isError())
      return false;
    if (!v.isNumber() || v.intValue == kBatchDim) {
      error(v.loc, f,
            "initializer argument must be a number, got " + describe(v));
      return false;
    }
    values[i] = v.asDouble();
  }
  init.a = values[0];
  init.b = values[1];
  if (init.kind == "uniform" && !(init.a < init.b)) {
    error(e.loc, f,
          "uniform needs lo < hi, got uniform(" + formatNumber(init.a) + ", " +
              formatNumber(init.b) + ")");
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
    auto diag = error(stmt.nameLoc, f,
                      "duplicate parameter '" + stmt.name + "' in this body");
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
