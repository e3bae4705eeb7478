//===- NNShapes.cpp - the shape rules of the nn ops -----------------------===//
//
// LANGUAGE.md §7's shape rules. The messages are the language's (the frontend
// shows them at the source line); the verifiers show the same words.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir::nn::shapes;
using llvm::Twine;

static bool isUnknown(int64_t d) { return d == kUnknown; }

std::nullopt_t Rules::fail(Subject subject, const Twine &message) {
  about = subject;
  why = message.str();
  return std::nullopt;
}

bool mlir::nn::shapes::dimsAgree(int64_t a, int64_t b,
                                 Conventions conventions) {
  return a == b ||
         (!conventions.unknownIsBatch && (isUnknown(a) || isUnknown(b)));
}

std::string Rules::dims(llvm::ArrayRef<int64_t> d) const {
  return "[" +
         llvm::join(
             llvm::map_range(d, [&](int64_t x) { return printer.dim(x); }),
             ", ") +
         "]";
}

bool Rules::floats(unsigned first, unsigned n) {
  for (unsigned i = first; i < operands.size() && i - first < n; ++i)
    if (!operands[i].isFloat) {
      fail({Subject::Operand, i},
           opName + " expects an f32 tensor, got " + printer.operand(i));
      return false;
    }
  return true;
}

bool Rules::rank(unsigned i, unsigned rank, llvm::StringRef form,
                 bool atLeast) {
  unsigned got = operands[i].dims.size();
  if (got == rank || (atLeast && got > rank))
    return true;
  fail({Subject::Operand, i},
       opName + " expects " + (atLeast ? "at least " : "") + "a rank-" +
           Twine(rank) + " " + form + ", got " + printer.operand(i));
  return false;
}

std::optional<int64_t> Rules::axis(int64_t axis, unsigned rank, unsigned attr) {
  int64_t lowest = conventions.negativeAxes ? -int64_t(rank) : 0;
  if (axis >= lowest && axis < int64_t(rank))
    return axis < 0 ? axis + rank : axis;
  return fail({Subject::Attribute, attr}, "axis " + Twine(axis) +
                                              " is out of range for a rank-" +
                                              Twine(rank) + " tensor");
}

bool Rules::atLeast(unsigned attr, int64_t value, int64_t min,
                    llvm::StringRef name) {
  if (value >= min)
    return true;
  fail({Subject::Attribute, attr}, opName + " " + name + " must be at least " +
                                       Twine(min) + ", got " + Twine(value));
  return false;
}

//===----------------------------------------------------------------------===//
// Elementwise, linear algebra and shapes
//===----------------------------------------------------------------------===//

std::optional<Dims> Rules::broadcast() {
  llvm::ArrayRef<int64_t> a = operands[0].dims, b = operands[1].dims;
  size_t rank = std::max(a.size(), b.size());
  Dims r(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1)
      r[i] = da;
    else if (da == 1)
      r[i] = db;
    else if (agree(da, db)) // one is `?`: the other, which is known
      r[i] = isUnknown(da) ? db : da;
    else
      return fail({}, "cannot broadcast " + printer.operand(0) + " and " +
                          printer.operand(1) + " in " + opName);
  }
  return r;
}

std::optional<Dims> Rules::matmul() {
  llvm::ArrayRef<int64_t> a = operands[0].dims, b = operands[1].dims;
  auto both = [&] { return printer.operand(0) + " @ " + printer.operand(1); };
  bool ranks = (a.size() == 2 || a.size() == 3) &&
               (b.size() == 2 || (b.size() == 3 && a.size() == 3));
  if (!ranks)
    return fail({}, "matmul expects [M, K] @ [K, N], [B, M, K] @ [K, N] or "
                    "[B, M, K] @ [B, K, N], got " +
                        both());
  if (!agree(a.back(), b[b.size() - 2]))
    return fail({}, "matmul inner dimensions differ: " + both());
  if (b.size() == 3 && !agree(a[0], b[0]))
    return fail({}, "matmul batch dimensions differ: " + both());
  Dims r(a);
  r.back() = b.back();
  return r;
}

std::optional<Dims> Rules::swapLastTwo() {
  if (!rank(0, 2, "tensor", /*atLeast=*/true))
    return std::nullopt;
  Dims perm =
      llvm::to_vector<4>(llvm::seq<int64_t>(0, operands[0].dims.size()));
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return perm;
}

std::optional<Dims>
Rules::transpose(llvm::SmallVectorImpl<int64_t> &permutation) {
  llvm::ArrayRef<int64_t> x = operands[0].dims;
  if (permutation.size() != x.size())
    return fail({Subject::Attribute, 0},
                "transpose permutation has " + Twine(permutation.size()) +
                    " entries for a rank-" + Twine(x.size()) + " tensor");
  llvm::SmallVector<bool> seen(x.size());
  Dims r;
  for (int64_t &p : permutation) {
    std::optional<int64_t> a = axis(p, x.size());
    if (!a)
      return std::nullopt;
    if (seen[*a])
      return fail({Subject::Attribute, 0},
                  "transpose permutation repeats axis " + Twine(*a));
    seen[*a] = true;
    p = *a;
    r.push_back(x[p]);
  }
  return r;
}

/// The product of the known dimensions (skipping -1), or -1 on overflow.
static int64_t knownProduct(llvm::ArrayRef<int64_t> dims, bool &hasUnknown) {
  int64_t p = 1;
  hasUnknown = false;
  for (int64_t d : dims) {
    if (isUnknown(d))
      hasUnknown = true;
    else if (d != -1 && __builtin_mul_overflow(p, d, &p))
      return -1;
  }
  return p;
}

std::optional<Dims> Rules::reshape(llvm::SmallVectorImpl<int64_t> &target) {
  llvm::ArrayRef<int64_t> x = operands[0].dims;
  Subject shapeAttr{Subject::Attribute, 0};
  int inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1) {
      if (inferred >= 0)
        return fail(shapeAttr, "reshape allows only one -1");
      inferred = i;
    } else if (d <= 0 && !isUnknown(d)) {
      return fail(shapeAttr,
                  "reshape dimension " + Twine(d) + " must be positive or -1");
    }
  }
  auto mismatch = [&] {
    return fail(shapeAttr, "cannot reshape " + printer.operand(0) + " into " +
                               dims(target) + ": the element counts differ");
  };
  bool inUnknown, outUnknown;
  int64_t in = knownProduct(x, inUnknown),
          out = knownProduct(target, outUnknown);
  if (in < 0 || out <= 0)
    return mismatch();
  if (!conventions.unknownIsBatch && inUnknown && outUnknown && inferred < 0) {
    // `?` may be any size: the known parts need only be compatible.
    if (in % out && out % in)
      return mismatch();
    return Dims(target.begin(), target.end());
  }
  if (outUnknown && !inUnknown)
    return mismatch();
  if (inferred >= 0) {
    if (inUnknown && !outUnknown) {
      if (in != out)
        return mismatch();
      target[inferred] = kUnknown;
    } else {
      if (in % out)
        return mismatch();
      target[inferred] = in / out;
    }
  } else if (in != out || inUnknown != outUnknown) {
    return mismatch();
  }
  return Dims(target.begin(), target.end());
}

std::optional<Dims> Rules::flatten() {
  if (!rank(0, 2, "tensor", /*atLeast=*/true))
    return std::nullopt;
  llvm::ArrayRef<int64_t> x = operands[0].dims;
  bool unknown;
  int64_t rest = knownProduct(x.drop_front(), unknown);
  if (rest < 0 || (unknown && conventions.unknownIsBatch))
    return fail({Subject::Operand, 0}, "cannot flatten " + printer.operand(0));
  return Dims{x[0], unknown ? kUnknown : rest};
}

std::optional<Dims> Rules::concat(int64_t &axisAttr) {
  llvm::ArrayRef<int64_t> first = operands[0].dims;
  std::optional<int64_t> a = axis(axisAttr, first.size());
  if (!a)
    return std::nullopt;
  axisAttr = *a;
  Dims r(first);
  for (unsigned i = 1; i < operands.size(); ++i) {
    llvm::ArrayRef<int64_t> t = operands[i].dims;
    bool ok =
        operands[i].isFloat == operands[0].isFloat && t.size() == first.size();
    for (unsigned d = 0; ok && d < t.size(); ++d)
      ok = d == *a || agree(t[d], first[d]);
    bool unknownAlong = isUnknown(t[*a]) || isUnknown(r[*a]);
    if (!ok || (unknownAlong && conventions.unknownIsBatch))
      return fail({Subject::Operand, i},
                  "cannot concatenate " + printer.operand(i) + " to " +
                      printer.operand(0) + " along axis " + Twine(*a));
    r[*a] = unknownAlong ? kUnknown : r[*a] + t[*a];
  }
  return r;
}

std::optional<Dims> Rules::reduce(llvm::SmallVectorImpl<int64_t> &axes,
                                  bool keepdims) {
  llvm::ArrayRef<int64_t> x = operands[0].dims;
  llvm::SmallVector<bool> reduced(x.size(), axes.empty());
  for (int64_t &a : axes) {
    std::optional<int64_t> normalized = axis(a, x.size());
    if (!normalized)
      return std::nullopt;
    if (reduced[*normalized])
      return fail({Subject::Attribute, 0},
                  "axis " + Twine(*normalized) + " is reduced twice");
    reduced[*normalized] = true;
    a = *normalized;
  }
  llvm::sort(axes);
  Dims r;
  for (auto [d, size] : llvm::enumerate(x)) {
    if (!reduced[d])
      r.push_back(size);
    else if (keepdims)
      r.push_back(1);
  }
  return r;
}

std::optional<Dims> Rules::alongAxis(int64_t &axisAttr) {
  if (!rank(0, 1, "tensor", /*atLeast=*/true))
    return std::nullopt;
  std::optional<int64_t> a = axis(axisAttr, operands[0].dims.size());
  if (!a)
    return std::nullopt;
  axisAttr = *a;
  return Dims(operands[0].dims);
}

std::optional<Dims> Rules::argmax(int64_t &axisAttr) {
  std::optional<Dims> r = alongAxis(axisAttr);
  if (r)
    r->erase(r->begin() + axisAttr);
  return r;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

std::optional<int64_t> Rules::window(int64_t size, int64_t window,
                                     int64_t stride, int64_t padding) {
  if (isUnknown(size)) {
    if (!conventions.unknownIsBatch)
      return kUnknown;
    return fail({Subject::Operand, 0}, opName +
                                           " needs known spatial dimensions, "
                                           "got " +
                                           printer.operand(0));
  }
  int64_t span = size + 2 * padding - window;
  if (span < 0)
    return fail({}, opName + " window of size " + Twine(window) +
                        " does not fit the input " + printer.operand(0));
  return span / stride + 1;
}

std::optional<Dims> Rules::conv2d(int64_t stride, int64_t padding) {
  if (!rank(0, 4, "input [N, C, H, W]") ||
      !rank(1, 4, "filter [F, C, KH, KW]") ||
      !atLeast(0, stride, 1, "stride") || !atLeast(1, padding, 0, "padding"))
    return std::nullopt;
  llvm::ArrayRef<int64_t> x = operands[0].dims, w = operands[1].dims;
  if (!agree(x[1], w[1]))
    return fail({Subject::Operand, 1},
                "conv2d filter " + printer.operand(1) + " expects " +
                    printer.dim(w[1]) + " input channels, but the input " +
                    printer.operand(0) + " has f32" + dims({x[1]}));
  // The input gradient is a convolution padded by kernel - 1 - padding; a
  // negative one (a crop) is not implemented, so such a model could never
  // train: refuse it with the shape rules.
  if (padding >= std::min(w[2], w[3]))
    return fail({}, "conv2d padding " + Twine(padding) +
                        " must be smaller than the filter " + Twine(w[2]) +
                        "x" + Twine(w[3]) +
                        " (wider padding is not supported)");
  std::optional<int64_t> h = window(x[2], w[2], stride, padding);
  if (!h)
    return std::nullopt;
  std::optional<int64_t> wo = window(x[3], w[3], stride, padding);
  if (!wo)
    return std::nullopt;
  return Dims{x[0], w[0], *h, *wo};
}

std::optional<Dims> Rules::pool2d(int64_t size, int64_t stride) {
  if (!rank(0, 4, "input [N, C, H, W]") || !atLeast(0, size, 1, "size") ||
      !atLeast(1, stride, 1, "stride"))
    return std::nullopt;
  llvm::ArrayRef<int64_t> x = operands[0].dims;
  std::optional<int64_t> h = window(x[2], size, stride, 0);
  if (!h)
    return std::nullopt;
  std::optional<int64_t> w = window(x[3], size, stride, 0);
  if (!w)
    return std::nullopt;
  return Dims{x[0], x[1], *h, *w};
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

std::optional<Dims> Rules::crossEntropy() {
  if (!floats(0, 1) || !rank(0, 2, "logits tensor f32[N, C]") ||
      !rank(1, 1, "labels tensor i32[N]"))
    return std::nullopt;
  llvm::ArrayRef<int64_t> logits = operands[0].dims, labels = operands[1].dims;
  if (operands[1].isFloat || !agree(labels[0], logits[0]))
    return fail({Subject::Operand, 1}, "cross_entropy expects labels i32" +
                                           dims({logits[0]}) + " for logits " +
                                           printer.operand(0) + ", got " +
                                           printer.operand(1));
  return Dims{};
}

std::optional<Dims> Rules::mse() {
  llvm::ArrayRef<int64_t> a = operands[0].dims, b = operands[1].dims;
  bool same =
      a.size() == b.size() && llvm::all_of(llvm::zip(a, b), [&](auto pair) {
        return agree(std::get<0>(pair), std::get<1>(pair));
      });
  if (!same || operands[0].isFloat != operands[1].isFloat)
    return fail({Subject::Operand, 1},
                "mse expects two tensors of the same shape, got " +
                    printer.operand(0) + " and " + printer.operand(1));
  return Dims{};
}
