//===- Utils.h - shared builders for nn to linalg patterns ------*- C++ -*-===//
//
// Internal to the NNToLinalg conversion: every op family builds its
// linalg.generic ops, empty tensors and reductions through these helpers.
//
//===----------------------------------------------------------------------===//

#ifndef NN_LIB_CONVERSION_NNTOLINALG_UTILS_H
#define NN_LIB_CONVERSION_NNTOLINALG_UTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::nn {

/// Marks the generic of a conv filter gradient; the CPU codegen script
/// (compiler/lib/Target/CPU/CPUCodegen.cpp) matches it by this name.
constexpr llvm::StringLiteral kConvFilterGradMarker = "nnc.conv_filter_grad";

/// Marks a generic whose first loop is the batch and whose images are
/// independent (a pooling gradient); the CPU codegen script shares its
/// images out over the threads.
constexpr llvm::StringLiteral kBatchParallelMarker = "nnc.batch_parallel";

/// Computes one result element from the operands' elements.
using ScalarFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;
/// Computes the new accumulators from input elements then old accumulators.
using CombineFn =
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// Size of dimension `dim` of `tensor`: a constant when static, else
/// tensor.dim.
Value getDimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim);

/// tensor.empty of `type`; `dynSizes` holds one size per dynamic dimension.
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynSizes);

/// tensor.empty of `type` whose dynamic dimension `i` has the size of
/// dimension `sourceDims[i]` of `source`.
Value createEmptyFrom(OpBuilder &b, Location loc, RankedTensorType type,
                      Value source, ArrayRef<int64_t> sourceDims);

/// tensor.empty like the above with the same dimensions as `source`, filled
/// with `value`.
Value createFilledFrom(OpBuilder &b, Location loc, RankedTensorType type,
                       Value source, ArrayRef<int64_t> sourceDims,
                       TypedAttr value);

/// A float constant of type `type`.
Value createFloat(OpBuilder &b, Location loc, Type type, double value);

/// An elementwise linalg.generic over `operands` broadcast to `resultType`
/// with NumPy rules. Stretched size-1 dimensions are collapsed away so every
/// indexing map is a projected permutation, which keeps chains fusable.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ScalarFn body);

/// A linalg.generic reducing `input` over the sorted dimensions `dims`, with
/// one accumulator per entry of `inits` (its type is the element type). The
/// `extra` operands have the reduced shape and are read at the output index.
/// `body` gets input, extra elements, then accumulators. Results drop `dims`.
SmallVector<Value> buildReduction(OpBuilder &b, Location loc, Value input,
                                  ValueRange extra, ArrayRef<int64_t> dims,
                                  ArrayRef<TypedAttr> inits, CombineFn body);

/// Reinserts the reduced `dims` of `value` as size-1 dimensions.
Value expandReducedDims(OpBuilder &b, Location loc, Value value,
                        RankedTensorType resultType);

/// The number of elements of `input` in `dims`, as an f32 (reads tensor.dim
/// for dynamic dimensions).
Value countElements(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> dims);

/// The maximum of the f32 `input` over `dims` (-inf when empty).
Value reduceMax(OpBuilder &b, Location loc, Value input,
                ArrayRef<int64_t> dims);

/// Divides every element of `tensor` by the f32 `scalar`.
Value divideBy(OpBuilder &b, Location loc, Value tensor, Value scalar);

/// The sum of all elements of the f32 `tensor`, as a rank-0 tensor.
Value sumAll(OpBuilder &b, Location loc, Value tensor);

} // namespace mlir::nn

#endif // NN_LIB_CONVERSION_NNTOLINALG_UTILS_H
