//===- ShapeRules.cpp - Signatures and shape rules of the primitives ------===//
//
// One table row per primitive of LANGUAGE.md §7: how many tensors it takes,
// its attributes with their defaults, and its rule: the dialect's shape rule
// (NNShapes.h) read with the language's conventions.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "nn/Dialect/NN/IR/NNShapes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace nn;
using llvm::SMLoc;

using Result = std::optional<TensorType>;
namespace shapes = mlir::nn::shapes;

namespace {
/// The dialect's shape rules (NNShapes.h) applied to a call in a .nn
/// program: every unknown dimension is the batch N, axes may count from the
/// end, and messages print types as the language writes them.
class CallShapes : public shapes::Printer {
public:
  explicit CallShapes(RuleContext &ctx)
      : ctx(ctx), dims(toRuleDims(ctx.inputs)), operands(toOperands()),
        ruleSet(ctx.opName, operands,
                {/*unknownIsBatch=*/true, /*negativeAxes=*/true}, *this) {}

  shapes::Rules &rules() { return ruleSet; }

  /// The rule's result as a tensor of `elem`, or its message reported where
  /// the program says what it is about.
  Result result(const std::optional<shapes::Dims> &out,
                ElemType elem = ElemType::F32) {
    if (!out) {
      report();
      return std::nullopt;
    }
    TensorType r;
    r.elem = elem;
    for (int64_t d : *out)
      r.dims.push_back(fromRuleDim(d));
    return r;
  }

  /// Reports the message of the rule that failed.
  void report() {
    shapes::Subject about = ruleSet.subject();
    SMLoc loc = ctx.callLoc;
    if (about.kind == shapes::Subject::Operand)
      loc = ctx.inputLocs[about.index];
    else if (about.kind == shapes::Subject::Attribute &&
             ctx.attrLocs[about.index].isValid())
      loc = ctx.attrLocs[about.index];
    ctx.error(loc, ruleSet.message());
  }

  std::string operand(unsigned i) const override {
    return ctx.fmt(ctx.inputs[i]);
  }
  std::string dim(int64_t d) const override {
    return d == shapes::kUnknown ? ctx.batchName.str() : std::to_string(d);
  }

  static int64_t toRuleDim(int64_t d) {
    return d == kBatchDim ? shapes::kUnknown : d;
  }
  static int64_t fromRuleDim(int64_t d) {
    return d == shapes::kUnknown ? kBatchDim : d;
  }

private:
  static llvm::SmallVector<shapes::Dims>
  toRuleDims(llvm::ArrayRef<TensorType> inputs) {
    llvm::SmallVector<shapes::Dims> all;
    for (const TensorType &t : inputs)
      all.push_back(llvm::to_vector<4>(llvm::map_range(t.dims, toRuleDim)));
    return all;
  }
  llvm::SmallVector<shapes::Operand> toOperands() const {
    llvm::SmallVector<shapes::Operand> out;
    for (auto [t, d] : llvm::zip(ctx.inputs, dims))
      out.push_back({d, t.elem == ElemType::F32});
    return out;
  }

  RuleContext &ctx;
  llvm::SmallVector<shapes::Dims> dims; // before operands, which refer to them
  llvm::SmallVector<shapes::Operand> operands;
  shapes::Rules ruleSet;
};
} // namespace

static bool hasAttr(RuleContext &ctx, unsigned i) {
  return !ctx.attrs[i].isError();
}

/// An int or a list of ints, with the batch as the rules' unknown dimension.
static llvm::SmallVector<int64_t> intList(const Value &v) {
  llvm::SmallVector<int64_t> r;
  if (v.kind == Value::Int)
    r.push_back(v.intValue);
  for (const Value &e : v.list)
    r.push_back(e.intValue);
  return llvm::to_vector(llvm::map_range(r, CallShapes::toRuleDim));
}

static Result unaryRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  return ctx.inputs[0];
}

static Result broadcastRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  return call.result(call.rules().broadcast());
}

static Result leakyReluRule(RuleContext &ctx) {
  ctx.node.floatAttr = ctx.attrs[0].asDouble();
  return unaryRule(ctx);
}

static Result powRule(RuleContext &ctx) {
  ctx.node.floatAttr = ctx.attrs[0].asDouble();
  return unaryRule(ctx);
}

static Result matmulRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  return call.result(call.rules().matmul());
}

static Result transposeRule(RuleContext &ctx) {
  CallShapes call(ctx);
  llvm::SmallVector<int64_t> perm;
  if (hasAttr(ctx, 0)) {
    perm = intList(ctx.attrs[0]);
  } else if (std::optional<shapes::Dims> swap = call.rules().swapLastTwo()) {
    perm.assign(swap->begin(), swap->end());
  } else {
    return call.result(std::nullopt);
  }
  Result r = call.result(call.rules().transpose(perm), ctx.inputs[0].elem);
  ctx.node.ints.assign(perm.begin(), perm.end());
  return r;
}

static Result reshapeRule(RuleContext &ctx) {
  CallShapes call(ctx);
  llvm::SmallVector<int64_t> target = intList(ctx.attrs[0]);
  return call.result(call.rules().reshape(target), ctx.inputs[0].elem);
}

static Result flattenRule(RuleContext &ctx) {
  CallShapes call(ctx);
  return call.result(call.rules().flatten(), ctx.inputs[0].elem);
}

static Result concatRule(RuleContext &ctx) {
  CallShapes call(ctx);
  int64_t axis = ctx.attrs[0].intValue;
  Result r = call.result(call.rules().concat(axis), ctx.inputs[0].elem);
  ctx.node.intAttr = axis;
  return r;
}

static Result reduceRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  llvm::SmallVector<int64_t> axes;
  if (hasAttr(ctx, 0))
    axes = intList(ctx.attrs[0]);
  // NumPy reduces nothing over axis=() and PyTorch everything over dim=[]:
  // an empty list is refused rather than guessed.
  if (hasAttr(ctx, 0) && axes.empty()) {
    ctx.error(ctx.attrLocs[0].isValid() ? ctx.attrLocs[0] : ctx.callLoc,
              ctx.opName + " axis list is empty: leave axis out to reduce "
                           "every dimension");
    return std::nullopt;
  }
  bool keepdims = ctx.attrs[1].boolValue;
  Result r = call.result(call.rules().reduce(axes, keepdims));
  ctx.node.ints.assign(axes.begin(), axes.end());
  ctx.node.boolAttr = keepdims;
  return r;
}

static Result softmaxRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  int64_t axis = ctx.attrs[0].intValue;
  Result r = call.result(call.rules().alongAxis(axis));
  ctx.node.intAttr = axis;
  return r;
}

static Result conv2dRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  ctx.node.intAttr = ctx.attrs[0].intValue;
  ctx.node.intAttr2 = ctx.attrs[1].intValue;
  return call.result(call.rules().conv2d(ctx.node.intAttr, ctx.node.intAttr2));
}

static Result poolRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  ctx.node.intAttr = ctx.attrs[0].intValue;
  ctx.node.intAttr2 =
      hasAttr(ctx, 1) ? ctx.attrs[1].intValue : ctx.node.intAttr;
  return call.result(call.rules().pool2d(ctx.node.intAttr, ctx.node.intAttr2));
}

static Result dropoutRule(RuleContext &ctx) {
  double rate = ctx.attrs[0].asDouble();
  if (rate < 0 || rate >= 1) {
    ctx.error(ctx.attrLocs[0].isValid() ? ctx.attrLocs[0] : ctx.callLoc,
              "dropout rate must be in [0, 1), got " + formatNumber(rate));
    return std::nullopt;
  }
  ctx.node.floatAttr = rate;
  return unaryRule(ctx);
}

static Result crossEntropyRule(RuleContext &ctx) {
  CallShapes call(ctx);
  return call.result(call.rules().crossEntropy());
}

static Result mseRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  return call.result(call.rules().mse());
}

static Result argmaxRule(RuleContext &ctx) {
  CallShapes call(ctx);
  if (!call.rules().floats())
    return call.result(std::nullopt);
  int64_t axis = ctx.attrs[0].intValue;
  Result r = call.result(call.rules().argmax(axis), ElemType::I32);
  ctx.node.intAttr = axis;
  return r;
}

static const AttrSpec kNone = {nullptr, AttrKind::Int, false, 0};

static const BuiltinInfo kBuiltins[] = {
    {"+", OpKind::Add, 2, {kNone, kNone}, broadcastRule},
    {"-", OpKind::Sub, 2, {kNone, kNone}, broadcastRule},
    {"*", OpKind::Mul, 2, {kNone, kNone}, broadcastRule},
    {"/", OpKind::Div, 2, {kNone, kNone}, broadcastRule},
    {"maximum", OpKind::Maximum, 2, {kNone, kNone}, broadcastRule},
    {"minimum", OpKind::Minimum, 2, {kNone, kNone}, broadcastRule},
    {"unary -", OpKind::Neg, 1, {kNone, kNone}, unaryRule},
    {"exp", OpKind::Exp, 1, {kNone, kNone}, unaryRule},
    {"log", OpKind::Log, 1, {kNone, kNone}, unaryRule},
    {"sqrt", OpKind::Sqrt, 1, {kNone, kNone}, unaryRule},
    {"tanh", OpKind::Tanh, 1, {kNone, kNone}, unaryRule},
    {"sigmoid", OpKind::Sigmoid, 1, {kNone, kNone}, unaryRule},
    {"relu", OpKind::Relu, 1, {kNone, kNone}, unaryRule},
    {"gelu", OpKind::Gelu, 1, {kNone, kNone}, unaryRule},
    {"abs", OpKind::Abs, 1, {kNone, kNone}, unaryRule},
    {"leaky_relu",
     OpKind::LeakyRelu,
     1,
     {{"alpha", AttrKind::Float, false, 0.01}, kNone},
     leakyReluRule},
    {"pow", OpKind::Pow, 1, {{"p", AttrKind::Float, true, 0}, kNone}, powRule},
    {"matmul", OpKind::Matmul, 2, {kNone, kNone}, matmulRule},
    {"transpose",
     OpKind::Transpose,
     1,
     {{"perm", AttrKind::OptIntList, false, 0}, kNone},
     transposeRule},
    {"reshape",
     OpKind::Reshape,
     1,
     {{"shape", AttrKind::IntList, true, 0}, kNone},
     reshapeRule},
    {"flatten", OpKind::Flatten, 1, {kNone, kNone}, flattenRule},
    {"concat",
     OpKind::Concat,
     -1,
     {{"axis", AttrKind::Int, false, 1}, kNone},
     concatRule},
    {"sum",
     OpKind::Sum,
     1,
     {{"axis", AttrKind::Axes, false, 0},
      {"keepdims", AttrKind::Bool, false, 0}},
     reduceRule},
    {"mean",
     OpKind::Mean,
     1,
     {{"axis", AttrKind::Axes, false, 0},
      {"keepdims", AttrKind::Bool, false, 0}},
     reduceRule},
    {"reduce_max",
     OpKind::ReduceMax,
     1,
     {{"axis", AttrKind::Axes, false, 0},
      {"keepdims", AttrKind::Bool, false, 0}},
     reduceRule},
    {"softmax",
     OpKind::Softmax,
     1,
     {{"axis", AttrKind::Int, false, -1}, kNone},
     softmaxRule},
    {"log_softmax",
     OpKind::LogSoftmax,
     1,
     {{"axis", AttrKind::Int, false, -1}, kNone},
     softmaxRule},
    {"conv2d",
     OpKind::Conv2D,
     2,
     {{"stride", AttrKind::Int, false, 1},
      {"padding", AttrKind::Int, false, 0}},
     conv2dRule},
    {"max_pool2d",
     OpKind::MaxPool2D,
     1,
     {{"size", AttrKind::Int, false, 2},
      {"stride", AttrKind::OptInt, false, 0}},
     poolRule},
    {"avg_pool2d",
     OpKind::AvgPool2D,
     1,
     {{"size", AttrKind::Int, false, 2},
      {"stride", AttrKind::OptInt, false, 0}},
     poolRule},
    {"dropout",
     OpKind::Dropout,
     1,
     {{"rate", AttrKind::Float, true, 0}, kNone},
     dropoutRule},
    {"cross_entropy",
     OpKind::CrossEntropy,
     2,
     {kNone, kNone},
     crossEntropyRule},
    {"mse", OpKind::Mse, 2, {kNone, kNone}, mseRule},
    {"argmax",
     OpKind::Argmax,
     1,
     {{"axis", AttrKind::Int, false, -1}, kNone},
     argmaxRule},
};

const BuiltinInfo *nn::lookupBuiltin(llvm::StringRef name) {
  for (const BuiltinInfo &info : kBuiltins)
    if (name == info.name)
      return &info;
  return nullptr;
}

const BuiltinInfo &nn::getBuiltin(OpKind op) {
  for (const BuiltinInfo &info : kBuiltins)
    if (info.op == op)
      return info;
  llvm_unreachable("not a builtin");
}

llvm::StringRef nn::getOpKindName(OpKind op) {
  switch (op) {
  case OpKind::Input:
    return "input";
  case OpKind::Param:
    return "param";
  case OpKind::Constant:
    return "constant";
#define BUILTIN(NAME, SPELLING, MNEMONIC)                                      \
  case OpKind::NAME:                                                           \
    return SPELLING;
#include "nn/Frontend/Builtins.def"
  }
  return "";
}
