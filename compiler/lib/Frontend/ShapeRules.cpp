//===- ShapeRules.cpp - Signatures and shape rules of the primitives ------===//
//
// One table row per primitive of LANGUAGE.md §7: how many tensors it takes,
// its attributes with their defaults, and the rule that checks the operand
// shapes and computes the result shape.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace nn;
using llvm::SMLoc;

using Result = std::optional<TensorType>;

static bool isBatch(int64_t d) { return d == kBatchDim; }

std::optional<TensorType> nn::broadcastShapes(const TensorType &a,
                                              const TensorType &b) {
  TensorType r;
  r.elem = a.elem;
  unsigned rank = std::max(a.getRank(), b.getRank());
  r.dims.resize(rank);
  for (unsigned i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.getRank() ? 1 : a.dims[i - (rank - a.getRank())];
    int64_t db = i < rank - b.getRank() ? 1 : b.dims[i - (rank - b.getRank())];
    if (da == db || db == 1)
      r.dims[i] = da;
    else if (da == 1)
      r.dims[i] = db;
    else
      return std::nullopt;
  }
  return r;
}

/// Checks that every operand is an f32 tensor.
static bool checkF32(RuleContext &ctx, unsigned first = 0, unsigned n = ~0u) {
  for (unsigned i = first; i < ctx.inputs.size() && i - first < n; ++i) {
    if (ctx.inputs[i].elem == ElemType::F32)
      continue;
    ctx.error(ctx.inputLocs[i], ctx.opName + " expects an f32 tensor, got " +
                                    ctx.fmt(ctx.inputs[i]));
    return false;
  }
  return true;
}

/// Checks the rank of operand `i` is `rank` (or at least `rank` if atLeast).
static bool checkRank(RuleContext &ctx, unsigned i, unsigned rank,
                      llvm::StringRef form, bool atLeast = false) {
  unsigned got = ctx.inputs[i].getRank();
  if (got == rank || (atLeast && got > rank))
    return true;
  ctx.error(ctx.inputLocs[i], ctx.opName + " expects " +
                                  (atLeast ? "at least " : "") + "a rank-" +
                                  llvm::Twine(rank) + " " + form + ", got " +
                                  ctx.fmt(ctx.inputs[i]));
  return false;
}

/// Normalizes `axis` into [0, rank), reporting an error at `loc`.
static std::optional<int64_t> normalizeAxis(RuleContext &ctx, int64_t axis,
                                            unsigned rank, SMLoc loc) {
  if (axis >= -int64_t(rank) && axis < int64_t(rank))
    return axis < 0 ? axis + rank : axis;
  ctx.error(loc, "axis " + llvm::Twine(axis) + " is out of range for a rank-" +
                     llvm::Twine(rank) + " tensor");
  return std::nullopt;
}

static SMLoc attrLoc(RuleContext &ctx, unsigned i) {
  return ctx.attrLocs[i].isValid() ? ctx.attrLocs[i] : ctx.callLoc;
}

static bool hasAttr(RuleContext &ctx, unsigned i) {
  return !ctx.attrs[i].isError();
}

static std::vector<int64_t> intList(const Value &v) {
  std::vector<int64_t> r;
  if (v.kind == Value::Int)
    r.push_back(v.intValue);
  for (const Value &e : v.list)
    r.push_back(e.intValue);
  return r;
}

static Result unaryRule(RuleContext &ctx) {
  if (!checkF32(ctx))
    return std::nullopt;
  return ctx.inputs[0];
}

static Result broadcastRule(RuleContext &ctx) {
  if (!checkF32(ctx))
    return std::nullopt;
  if (auto r = broadcastShapes(ctx.inputs[0], ctx.inputs[1]))
    return r;
  ctx.error(ctx.callLoc, "cannot broadcast " + ctx.fmt(ctx.inputs[0]) +
                             " and " + ctx.fmt(ctx.inputs[1]) + " in " +
                             ctx.opName);
  return std::nullopt;
}

static Result leakyReluRule(RuleContext &ctx) {
  ctx.node.floatAttr = ctx.attrs[0].asDouble();
  return unaryRule(ctx);
}

static Result powRule(RuleContext &ctx) {
  ctx.node.floatAttr = ctx.attrs[0].asDouble();
  return unaryRule(ctx);
}

/// [M,K]@[K,N] -> [M,N]; [B,M,K]@[K,N] -> [B,M,N]; [B,M,K]@[B,K,N] -> [B,M,N]
static Result matmulRule(RuleContext &ctx) {
  if (!checkF32(ctx))
    return std::nullopt;
  const TensorType &a = ctx.inputs[0], &b = ctx.inputs[1];
  bool ok = (a.getRank() == 2 || a.getRank() == 3) &&
            (b.getRank() == 2 || (b.getRank() == 3 && a.getRank() == 3));
  if (!ok) {
    ctx.error(ctx.callLoc, "matmul expects [M, K] @ [K, N], [B, M, K] @ [K, N] "
                           "or [B, M, K] @ [B, K, N], got " +
                               ctx.fmt(a) + " @ " + ctx.fmt(b));
    return std::nullopt;
  }
  int64_t k1 = a.dims.back(), k2 = b.dims[b.getRank() - 2];
  if (k1 != k2) {
    ctx.error(ctx.callLoc, "matmul inner dimensions differ: " + ctx.fmt(a) +
                               " @ " + ctx.fmt(b));
    return std::nullopt;
  }
  if (b.getRank() == 3 && a.dims[0] != b.dims[0]) {
    ctx.error(ctx.callLoc, "matmul batch dimensions differ: " + ctx.fmt(a) +
                               " @ " + ctx.fmt(b));
    return std::nullopt;
  }
  TensorType r = a;
  r.dims.back() = b.dims.back();
  return r;
}

static Result transposeRule(RuleContext &ctx) {
  const TensorType &x = ctx.inputs[0];
  unsigned rank = x.getRank();
  std::vector<int64_t> perm;
  if (hasAttr(ctx, 0)) {
    perm = intList(ctx.attrs[0]);
    if (perm.size() != rank) {
      ctx.error(attrLoc(ctx, 0),
                "transpose permutation has " + llvm::Twine(perm.size()) +
                    " entries for a rank-" + llvm::Twine(rank) + " tensor");
      return std::nullopt;
    }
    std::vector<bool> seen(rank);
    for (int64_t &p : perm) {
      auto axis = normalizeAxis(ctx, p, rank, attrLoc(ctx, 0));
      if (!axis)
        return std::nullopt;
      p = *axis;
      if (seen[p]) {
        ctx.error(attrLoc(ctx, 0),
                  "transpose permutation repeats axis " + llvm::Twine(p));
        return std::nullopt;
      }
      seen[p] = true;
    }
  } else {
    if (!checkRank(ctx, 0, 2, "tensor", /*atLeast=*/true))
      return std::nullopt;
    for (unsigned i = 0; i < rank; ++i)
      perm.push_back(i);
    std::swap(perm[rank - 1], perm[rank - 2]);
  }
  TensorType r = x;
  for (unsigned i = 0; i < rank; ++i)
    r.dims[i] = x.dims[perm[i]];
  ctx.node.ints.assign(perm.begin(), perm.end());
  return r;
}

/// Product of the static dims, or -1 on overflow.
static int64_t staticProduct(llvm::ArrayRef<int64_t> dims, bool &hasBatch) {
  int64_t p = 1;
  hasBatch = false;
  for (int64_t d : dims) {
    if (isBatch(d)) {
      hasBatch = true;
      continue;
    }
    if (__builtin_mul_overflow(p, d, &p))
      return -1;
  }
  return p;
}

static Result reshapeRule(RuleContext &ctx) {
  const TensorType &x = ctx.inputs[0];
  SMLoc loc = attrLoc(ctx, 0);
  std::vector<int64_t> target = intList(ctx.attrs[0]);
  int inferred = -1;
  TensorType r;
  r.elem = x.elem;
  for (unsigned i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      if (inferred >= 0) {
        ctx.error(loc, "reshape allows only one -1");
        return std::nullopt;
      }
      inferred = i;
    } else if (d <= 0 && !isBatch(d)) {
      ctx.error(loc, "reshape dimension " + llvm::Twine(d) +
                         " must be positive or -1");
      return std::nullopt;
    }
    r.dims.push_back(d);
  }
  bool inBatch, outBatch;
  int64_t inSize = staticProduct(x.dims, inBatch);
  int64_t outSize = staticProduct(r.dims, outBatch);
  if (inferred >= 0)
    outSize = -outSize; // staticProduct multiplied by the -1
  auto mismatch = [&]() {
    ctx.error(loc,
              "cannot reshape " + ctx.fmt(x) + " into [" +
                  llvm::join(llvm::map_range(target,
                                             [&](int64_t d) {
                                               return isBatch(d)
                                                          ? ctx.batchName.str()
                                                          : std::to_string(d);
                                             }),
                             ", ") +
                  "]: the element counts differ");
    return std::nullopt;
  };
  if (inSize < 0 || outSize <= 0)
    return mismatch();
  if (outBatch && !inBatch)
    return mismatch();
  if (inferred >= 0) {
    if (inBatch && !outBatch) {
      if (inSize != outSize)
        return mismatch();
      r.dims[inferred] = kBatchDim;
    } else {
      if (inSize % outSize)
        return mismatch();
      r.dims[inferred] = inSize / outSize;
    }
  } else if (inSize != outSize || inBatch != outBatch) {
    return mismatch();
  }
  return r;
}

static Result flattenRule(RuleContext &ctx) {
  if (!checkRank(ctx, 0, 2, "tensor", /*atLeast=*/true))
    return std::nullopt;
  const TensorType &x = ctx.inputs[0];
  bool hasBatch;
  int64_t rest = staticProduct(llvm::ArrayRef(x.dims).drop_front(), hasBatch);
  if (hasBatch || rest < 0) {
    ctx.error(ctx.inputLocs[0], "cannot flatten " + ctx.fmt(x));
    return std::nullopt;
  }
  TensorType r;
  r.elem = x.elem;
  r.dims = {x.dims[0], rest};
  return r;
}

static Result concatRule(RuleContext &ctx) {
  const TensorType &first = ctx.inputs[0];
  auto axis = normalizeAxis(ctx, ctx.attrs[0].intValue, first.getRank(),
                            attrLoc(ctx, 0));
  if (!axis)
    return std::nullopt;
  TensorType r = first;
  for (unsigned i = 1; i < ctx.inputs.size(); ++i) {
    const TensorType &t = ctx.inputs[i];
    bool ok = t.elem == first.elem && t.getRank() == first.getRank();
    for (unsigned d = 0; ok && d < t.getRank(); ++d)
      ok = d == *axis || t.dims[d] == first.dims[d];
    if (!ok || isBatch(t.dims[*axis]) || isBatch(r.dims[*axis])) {
      ctx.error(ctx.inputLocs[i], "cannot concatenate " + ctx.fmt(t) + " to " +
                                      ctx.fmt(first) + " along axis " +
                                      llvm::Twine(*axis));
      return std::nullopt;
    }
    r.dims[*axis] += t.dims[*axis];
  }
  ctx.node.intAttr = *axis;
  return r;
}

static Result reduceRule(RuleContext &ctx) {
  if (!checkF32(ctx))
    return std::nullopt;
  const TensorType &x = ctx.inputs[0];
  std::vector<bool> reduced(x.getRank(), !hasAttr(ctx, 0));
  for (int64_t a :
       hasAttr(ctx, 0) ? intList(ctx.attrs[0]) : std::vector<int64_t>()) {
    auto axis = normalizeAxis(ctx, a, x.getRank(), attrLoc(ctx, 0));
    if (!axis)
      return std::nullopt;
    if (reduced[*axis]) {
      ctx.error(attrLoc(ctx, 0),
                "axis " + llvm::Twine(*axis) + " is reduced twice");
      return std::nullopt;
    }
    reduced[*axis] = true;
  }
  bool keepdims = ctx.attrs[1].boolValue;
  TensorType r;
  r.elem = x.elem;
  for (unsigned i = 0; i < x.getRank(); ++i) {
    if (!reduced[i])
      r.dims.push_back(x.dims[i]);
    else if (keepdims)
      r.dims.push_back(1);
    if (reduced[i] && hasAttr(ctx, 0))
      ctx.node.ints.push_back(i);
  }
  ctx.node.boolAttr = keepdims;
  return r;
}

static Result softmaxRule(RuleContext &ctx) {
  if (!checkF32(ctx) || !checkRank(ctx, 0, 1, "tensor", /*atLeast=*/true))
    return std::nullopt;
  auto axis = normalizeAxis(ctx, ctx.attrs[0].intValue, ctx.inputs[0].getRank(),
                            attrLoc(ctx, 0));
  if (!axis)
    return std::nullopt;
  ctx.node.intAttr = *axis;
  return ctx.inputs[0];
}

static bool checkPositive(RuleContext &ctx, unsigned attr, int64_t min,
                          const char *name) {
  if (ctx.attrs[attr].intValue >= min)
    return true;
  ctx.error(attrLoc(ctx, attr), ctx.opName + " " + name + " must be at least " +
                                    llvm::Twine(min) + ", got " +
                                    llvm::Twine(ctx.attrs[attr].intValue));
  return false;
}

/// Output size of a sliding window, or an error when the window does not fit.
static std::optional<int64_t> windowOutput(RuleContext &ctx, int64_t in,
                                           int64_t window, int64_t stride,
                                           int64_t padding) {
  if (isBatch(in)) {
    ctx.error(ctx.inputLocs[0], ctx.opName +
                                    " needs known spatial dimensions, got " +
                                    ctx.fmt(ctx.inputs[0]));
    return std::nullopt;
  }
  int64_t span = in + 2 * padding - window;
  if (span < 0) {
    ctx.error(ctx.callLoc,
              ctx.opName + " window of size " + llvm::Twine(window) +
                  " does not fit the input " + ctx.fmt(ctx.inputs[0]));
    return std::nullopt;
  }
  return span / stride + 1;
}

/// x:[N,C,H,W], w:[F,C,KH,KW] -> [N,F,H',W']
static Result conv2dRule(RuleContext &ctx) {
  if (!checkF32(ctx) || !checkRank(ctx, 0, 4, "input [N, C, H, W]") ||
      !checkRank(ctx, 1, 4, "filter [F, C, KH, KW]") ||
      !checkPositive(ctx, 0, 1, "stride") ||
      !checkPositive(ctx, 1, 0, "padding"))
    return std::nullopt;
  const TensorType &x = ctx.inputs[0], &w = ctx.inputs[1];
  if (x.dims[1] != w.dims[1]) {
    ctx.error(ctx.inputLocs[1],
              "conv2d filter " + ctx.fmt(w) + " expects " +
                  llvm::Twine(w.dims[1]) + " input channels, but the input " +
                  ctx.fmt(x) + " has " +
                  ctx.fmt(TensorType{ElemType::F32, {x.dims[1]}}));
    return std::nullopt;
  }
  int64_t stride = ctx.attrs[0].intValue, padding = ctx.attrs[1].intValue;
  // The input gradient is a convolution padded by kernel - 1 - padding;
  // a negative one (a crop) is not implemented, so such a model could never
  // train: refuse it here rather than after --check passed.
  if (padding >= std::min(w.dims[2], w.dims[3])) {
    ctx.error(ctx.callLoc, "conv2d padding " + llvm::Twine(padding) +
                               " must be smaller than the filter " +
                               llvm::Twine(w.dims[2]) + "x" +
                               llvm::Twine(w.dims[3]) +
                               " (wider padding is not supported)");
    return std::nullopt;
  }
  auto h = windowOutput(ctx, x.dims[2], w.dims[2], stride, padding);
  auto wd = h ? windowOutput(ctx, x.dims[3], w.dims[3], stride, padding)
              : std::nullopt;
  if (!wd)
    return std::nullopt;
  ctx.node.intAttr = stride;
  ctx.node.intAttr2 = padding;
  return TensorType{ElemType::F32, {x.dims[0], w.dims[0], *h, *wd}};
}

/// [N,C,H,W] -> [N,C,H',W']
static Result poolRule(RuleContext &ctx) {
  if (!checkF32(ctx) || !checkRank(ctx, 0, 4, "input [N, C, H, W]") ||
      !checkPositive(ctx, 0, 1, "size"))
    return std::nullopt;
  int64_t size = ctx.attrs[0].intValue;
  int64_t stride = hasAttr(ctx, 1) ? ctx.attrs[1].intValue : size;
  if (hasAttr(ctx, 1) && !checkPositive(ctx, 1, 1, "stride"))
    return std::nullopt;
  const TensorType &x = ctx.inputs[0];
  auto h = windowOutput(ctx, x.dims[2], size, stride, 0);
  auto w = h ? windowOutput(ctx, x.dims[3], size, stride, 0) : std::nullopt;
  if (!w)
    return std::nullopt;
  ctx.node.intAttr = size;
  ctx.node.intAttr2 = stride;
  return TensorType{ElemType::F32, {x.dims[0], x.dims[1], *h, *w}};
}

static Result dropoutRule(RuleContext &ctx) {
  double rate = ctx.attrs[0].asDouble();
  if (rate < 0 || rate >= 1) {
    ctx.error(attrLoc(ctx, 0),
              "dropout rate must be in [0, 1), got " + formatNumber(rate));
    return std::nullopt;
  }
  ctx.node.floatAttr = rate;
  return unaryRule(ctx);
}

/// logits f32[N,C], labels i32[N] -> f32[]
static Result crossEntropyRule(RuleContext &ctx) {
  if (!checkF32(ctx, 0, 1) ||
      !checkRank(ctx, 0, 2, "logits tensor f32[N, C]") ||
      !checkRank(ctx, 1, 1, "labels tensor i32[N]"))
    return std::nullopt;
  const TensorType &logits = ctx.inputs[0], &labels = ctx.inputs[1];
  if (labels.elem != ElemType::I32 || labels.dims[0] != logits.dims[0]) {
    ctx.error(ctx.inputLocs[1],
              "cross_entropy expects labels i32[" +
                  (isBatch(logits.dims[0]) ? ctx.batchName.str()
                                           : std::to_string(logits.dims[0])) +
                  "] for logits " + ctx.fmt(logits) + ", got " +
                  ctx.fmt(labels));
    return std::nullopt;
  }
  return TensorType{ElemType::F32, {}};
}

static Result mseRule(RuleContext &ctx) {
  if (!checkF32(ctx))
    return std::nullopt;
  if (ctx.inputs[0] != ctx.inputs[1]) {
    ctx.error(ctx.inputLocs[1], "mse expects two tensors of the same shape, "
                                "got " +
                                    ctx.fmt(ctx.inputs[0]) + " and " +
                                    ctx.fmt(ctx.inputs[1]));
    return std::nullopt;
  }
  return TensorType{ElemType::F32, {}};
}

static Result argmaxRule(RuleContext &ctx) {
  if (!checkF32(ctx) || !checkRank(ctx, 0, 1, "tensor", /*atLeast=*/true))
    return std::nullopt;
  auto axis = normalizeAxis(ctx, ctx.attrs[0].intValue, ctx.inputs[0].getRank(),
                            attrLoc(ctx, 0));
  if (!axis)
    return std::nullopt;
  ctx.node.intAttr = *axis;
  TensorType r = ctx.inputs[0];
  r.elem = ElemType::I32;
  r.dims.erase(r.dims.begin() + *axis);
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
