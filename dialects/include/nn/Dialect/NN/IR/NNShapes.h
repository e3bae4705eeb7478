//===- NNShapes.h - the shape rules of the nn ops, written once -*- C++ -*-===//
//
// The one place where an op's result shape is computed from its operands and
// attributes. The ops' type inference and verifiers call these rules on IR
// types; the frontend calls them on the types of a .nn program, under its own
// conventions (one batch size N, axes counting from the end) and with its own
// notation in the messages. Only LLVM's ADT headers: the frontend includes it.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_NN_IR_NNSHAPES_H
#define NN_DIALECT_NN_IR_NNSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace mlir::nn::shapes {

/// A dimension unknown at compile time; the value of ShapedType::kDynamic.
inline constexpr int64_t kUnknown = std::numeric_limits<int64_t>::min();

using Dims = llvm::SmallVector<int64_t, 4>;

/// An operand as the rules see it.
struct Operand {
  llvm::ArrayRef<int64_t> dims;
  bool isFloat = true;
};

/// How the rules read unknown dimensions and axes.
struct Conventions {
  /// false (IR): an unknown dimension may have any size and agrees with every
  /// other. true (the language): every unknown dimension is the one batch
  /// size N, equal only to itself, and refused where a size must be known.
  bool unknownIsBatch = false;
  /// Axes may count from the end (-1 is the last), as in the language.
  bool negativeAxes = false;
};

/// Whether two dimensions may be the same size under `conventions`.
bool dimsAgree(int64_t a, int64_t b, Conventions conventions = {});

/// What a failed rule is about, so that a caller can point at it.
struct Subject {
  enum Kind { Call, Operand, Attribute } kind = Call;
  unsigned index = 0;
};

/// Shapes in the caller's notation, for messages.
class Printer {
public:
  virtual ~Printer() = default;
  /// The whole type of operand `i`: `f32[N, 784]`, `tensor<?x784xf32>`.
  virtual std::string operand(unsigned i) const = 0;
  /// One dimension: `N`, `?`, `784`.
  virtual std::string dim(int64_t d) const = 0;
};

/// The shape rules of one application of an op. A rule checks the operands
/// and attributes, normalizes the attributes passed by reference (axes in
/// [0, rank), sorted where order does not matter) and returns the result's
/// dimensions; when it fails it keeps one message and its subject.
class Rules {
public:
  Rules(llvm::StringRef opName, llvm::ArrayRef<Operand> operands,
        Conventions conventions, const Printer &printer)
      : opName(opName), operands(operands), conventions(conventions),
        printer(printer) {}

  /// Checks that operands [first, first + n) are float tensors.
  bool floats(unsigned first = 0, unsigned n = ~0u);
  /// Checks that operand `i` has rank `rank` (at least `rank` if `atLeast`);
  /// `form` names what is expected, as `input [N, C, H, W]`.
  bool rank(unsigned i, unsigned rank, llvm::StringRef form,
            bool atLeast = false);
  /// `axis` in [0, rank), reported against attribute `attr`.
  std::optional<int64_t> axis(int64_t axis, unsigned rank, unsigned attr = 0);

  /// NumPy broadcasting of the two operands.
  std::optional<Dims> broadcast();
  /// [M,K]@[K,N], [B,M,K]@[K,N] and [B,M,K]@[B,K,N].
  std::optional<Dims> matmul();
  /// The permutation that swaps the last two dimensions (rank 2 or more).
  std::optional<Dims> swapLastTwo();
  std::optional<Dims> transpose(llvm::SmallVectorImpl<int64_t> &permutation);
  /// `target` may hold one -1 (inferred); it is replaced by its size.
  std::optional<Dims> reshape(llvm::SmallVectorImpl<int64_t> &target);
  std::optional<Dims> flatten();
  std::optional<Dims> concat(int64_t &axis);
  /// Empty `axes` reduce every dimension.
  std::optional<Dims> reduce(llvm::SmallVectorImpl<int64_t> &axes,
                             bool keepdims);
  /// softmax and log_softmax: the input's shape.
  std::optional<Dims> alongAxis(int64_t &axis);
  std::optional<Dims> argmax(int64_t &axis);
  /// Input [N,C,H,W], filter [F,C,KH,KW]: [N,F,H',W'].
  std::optional<Dims> conv2d(int64_t stride, int64_t padding);
  /// Input [N,C,H,W]: [N,C,H',W'].
  std::optional<Dims> pool2d(int64_t size, int64_t stride);
  /// Logits [N,C] and labels i32[N]: a scalar.
  std::optional<Dims> crossEntropy();
  /// Two tensors of one shape: a scalar.
  std::optional<Dims> mse();

  const std::string &message() const { return why; }
  Subject subject() const { return about; }

private:
  bool agree(int64_t a, int64_t b) const {
    return dimsAgree(a, b, conventions);
  }
  std::string dims(llvm::ArrayRef<int64_t> d) const;
  std::optional<int64_t> window(int64_t size, int64_t window, int64_t stride,
                                int64_t padding);
  bool atLeast(unsigned attr, int64_t value, int64_t min, llvm::StringRef name);
  std::nullopt_t fail(Subject subject, const llvm::Twine &message);

  llvm::StringRef opName;
  llvm::ArrayRef<Operand> operands;
  Conventions conventions;
  const Printer &printer;
  std::string why;
  Subject about;
};

} // namespace mlir::nn::shapes

#endif // NN_DIALECT_NN_IR_NNSHAPES_H
