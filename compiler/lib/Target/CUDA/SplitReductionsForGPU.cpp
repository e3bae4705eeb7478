//===- SplitReductionsForGPU.cpp - partial sums for long reductions -------===//
//
// A kernel has a thread per output element, each running the reduction as a
// loop. When the outputs are few and the reduction long, an op becomes
//   partial[out..., promoted...] = sum over what is left   (many threads)
//   out[...] = init[...] + sum over promoted of partial     (second op)
// Promoted dimensions are whole reduction dimensions made parallel, taken
// innermost first. A matmul's K is not split: the sum in another order
// moved the emulated check's results past 1e-6 of the CPU build's (a tiled
// matmul kernel is the way to more threads there).
//
//===----------------------------------------------------------------------===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace nn::cuda {
#define GEN_PASS_DEF_SPLITREDUCTIONSFORGPUPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
/// Sizes to aim at, in threads and in elements each thread adds. A dynamic
/// dimension (the batch) is counted as 64.
constexpr int64_t kAssumedDynamicSize = 64;
constexpr int64_t kEnoughThreads = 1 << 15; // an H200 runs ~270k at once
constexpr int64_t kMaxThreads = 1 << 18;    // bounds the temporary's size
constexpr int64_t kMinReduction = 256;      // shorter sums are left alone
constexpr int64_t kMinPerThread = 16;       // what each thread still adds
constexpr int kMaxStages = 3;               // a second stage is split again

int64_t estimate(int64_t size) {
  return ShapedType::isDynamic(size) ? kAssumedDynamicSize : size;
}

/// True for `yield addf(x, out)` with `out` (the init) used only there: then
/// partial sums from a zero init, added into the init later, give the same
/// sum in another order.
bool isSumIntoOutput(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.hasIndexSemantics() ||
      !op.hasPureTensorSemantics() || op.getNumReductionLoops() == 0 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0))
           .isProjectedPermutation())
    return false;
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  BlockArgument out = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  return add && add->getBlock() == body && out.hasOneUse() &&
         (add.getLhs() == out || add.getRhs() == out);
}

/// The reduction dimensions to make parallel (ascending), or none when it is
/// not worth it.
SmallVector<unsigned> planSplit(linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t threads = 1, perThread = 1;
  SmallVector<unsigned> reductions;
  for (auto [d, it] : llvm::enumerate(iterators)) {
    if (linalg::isParallelIterator(it)) {
      threads *= estimate(sizes[d]);
    } else {
      perThread *= estimate(sizes[d]);
      reductions.push_back(d);
    }
  }
  SmallVector<unsigned> promoted;
  if (threads >= kEnoughThreads || perThread < kMinReduction)
    return promoted;
  for (unsigned d : llvm::reverse(reductions)) {
    int64_t size = estimate(sizes[d]);
    if (threads >= kEnoughThreads || perThread / size < kMinPerThread ||
        threads * size > kMaxThreads)
      break;
    promoted.push_back(d);
    threads *= size;
    perThread /= size;
  }
  llvm::sort(promoted);
  return promoted;
}

/// The partial sums (first op) and their sum into the original init (second
/// op, returned).
linalg::GenericOp splitReduction(RewriterBase &rewriter, linalg::GenericOp op,
                                 ArrayRef<unsigned> promoted) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<Range> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);

  // New loop order: the op's parallel dims, the promoted ones, then what
  // stays a reduction.
  SmallVector<unsigned> order;
  for (auto [d, it] : llvm::enumerate(iterators))
    if (linalg::isParallelIterator(it))
      order.push_back(d);
  llvm::append_range(order, promoted);
  unsigned numParallel = order.size();
  for (auto [d, it] : llvm::enumerate(iterators))
    if (!linalg::isParallelIterator(it) && !llvm::is_contained(promoted, d))
      order.push_back(d);
  SmallVector<AffineExpr> replacement(iterators.size());
  for (auto [position, d] : llvm::enumerate(order))
    replacement[d] = getAffineDimExpr(position, ctx);
  auto remap = [&](AffineMap map) {
    return map.replaceDimsAndSymbols(replacement, {}, order.size(), 0);
  };

  // The partial sums, [output dims..., promoted dims...], from zero.
  OpOperand *init = op.getDpsInitOperand(0);
  auto initType = cast<RankedTensorType>(init->get().getType());
  SmallVector<AffineExpr> partialExprs(
      remap(op.getMatchingIndexingMap(init)).getResults());
  SmallVector<OpFoldResult> partialSizes =
      tensor::getMixedSizes(rewriter, loc, init->get());
  for (unsigned d : promoted) {
    partialExprs.push_back(replacement[d]);
    partialSizes.push_back(ranges[d].size);
  }
  Type elementType = initType.getElementType();
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, partialSizes, elementType);
  Value zero = arith::ConstantOp::create(rewriter, loc, elementType,
                                         rewriter.getZeroAttr(elementType));
  Value partialInit =
      linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands())
    maps.push_back(remap(op.getMatchingIndexingMap(input)));
  maps.push_back(AffineMap::get(order.size(), 0, partialExprs, ctx));
  SmallVector<utils::IteratorType> partialIterators(
      order.size(), utils::IteratorType::reduction);
  std::fill_n(partialIterators.begin(), numParallel,
              utils::IteratorType::parallel);
  auto partial = linalg::GenericOp::create(
      rewriter, loc, TypeRange{partialInit.getType()}, op.getDpsInputs(),
      ValueRange{partialInit}, maps, partialIterators);
  rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                             partial.getRegion().end());

  // out = init + the sum over the promoted dims.
  unsigned rank = initType.getRank();
  unsigned numLoops = rank + promoted.size();
  SmallVector<utils::IteratorType> sumIterators(rank,
                                                utils::IteratorType::parallel);
  sumIterators.append(promoted.size(), utils::IteratorType::reduction);
  AffineMap all = AffineMap::getMultiDimIdentityMap(numLoops, ctx);
  // (not getMajorSubMap: it gives a null map for a 0-d output)
  AffineMap out =
      AffineMap::get(numLoops, 0, all.getResults().take_front(rank), ctx);
  auto sum = linalg::GenericOp::create(
      rewriter, loc, TypeRange{initType}, ValueRange{partial.getResult(0)},
      ValueRange{init->get()}, ArrayRef<AffineMap>{all, out}, sumIterators,
      [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddFOp::create(b, l, args[1], args[0])});
      });
  rewriter.replaceOp(op, sum.getResults());
  return sum;
}

struct SplitReductionsForGPUPass
    : nn::cuda::impl::SplitReductionsForGPUPassBase<SplitReductionsForGPUPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<std::pair<linalg::LinalgOp, int>> work;
    getOperation().walk([&](linalg::LinalgOp op) { work.push_back({op, 1}); });
    while (!work.empty()) {
      auto [op, stage] = work.pop_back_val();
      if (!isSumIntoOutput(op))
        continue;
      SmallVector<unsigned> promoted = planSplit(op);
      if (promoted.empty())
        continue;
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      linalg::GenericOp sum = splitReduction(rewriter, generic, promoted);
      if (stage < kMaxStages)
        work.push_back({cast<linalg::LinalgOp>(sum.getOperation()), stage + 1});
    }
  }
};
} // namespace
