//===- Passes.td - passes of the CPU target ----------------*- tablegen -*-===//

#ifndef NN_TARGET_CPU_PASSES_TD
#define NN_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUTransformPass : Pass<"nnc-cpu-transform", "::mlir::ModuleOp"> {
  let summary = "Runs one stage of nnc's CPU codegen transform scripts";
  let description = [{
    The scripts are transform-dialect libraries kept as files
    (compiler/lib/Target/CPU/Transforms/cpu-tile.mlir and cpu-lower.mlir),
    embedded at build time and run by the upstream transform interpreter:
    - `stage=tile` (linalg on tensors): the named sequence
      `nnc_cpu_tile_<isa>`: matmuls and convolutions tiled for threads and
      registers and vectorized (the register tile is 8x32 for avx512, 4x16
      for avx2); matmuls with a unit dimension are generalized first, so the
      script leaves them to plain loops;
    - `stage=lower` (after bufferization): `nnc_cpu_lower`, vector ops to
      FMAs and rank-1 transfers.
    The same sequences run in `nn-opt` with `--transform-preload-library`
    and `--transform-interpreter=entry-point=...`.
  }];
  let options = [
    Option<"stage", "stage", "std::string", "\"tile\"", "tile or lower">,
    Option<"isa", "isa", "std::string", "\"avx2\"",
           "the register tile's vector registers: avx512 or avx2">,
  ];
  let dependentDialects = [
    "::mlir::transform::TransformDialect", "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def CollapseContiguousDimsPass
    : Pass<"nnc-cpu-collapse-dims", "::mlir::func::FuncOp"> {
  let summary = "Merges the loops of a linalg.generic that every operand "
                "walks contiguously";
  let description = [{
    A linalg.generic whose adjacent parallel loops are contiguous and in
    order in every operand's indexing map runs them as one loop: a ReLU
    gradient over N x C x 24 x 24 becomes one loop over all its elements, a
    bias add over N x C x (24 * 24). Reduction loops stay apart: merged, a
    bias gradient's H x W sum became one long static loop that LLVM unrolled
    completely and could not vectorize (LeNet compiled 1.3x as long). LLVM then vectorizes the
    innermost, long and unit-stride loop; over the 4-D nest it fully unrolled
    the 24-wide W loop and vectorized H, with gathers and scatters.
    Bodies that read `linalg.index` are left alone (each index would be
    recomputed with divisions), and so are named ops, which the tiling
    script matches by name.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect"
  ];
}

def InterleaveReductionsPass
    : Pass<"nnc-cpu-interleave-reductions", "::mlir::func::FuncOp"> {
  let summary = "Moves the parallel loops of a long sum inside its "
                "reduction loops";
  let description = [{
    A linalg.generic whose innermost loops are a reduction of 16 or more
    static iterations, with a parallel loop outside them and at most 64
    outputs (static), gets every parallel loop moved after every reduction
    loop, each kind keeping its order. Each
    output's sum still adds its terms in the same order, so the bits do not
    change; but the sums of different outputs now take turns, so their
    additions no longer wait on each other's latency. The bias gradient of a
    convolution (N x C x H x W summed to C) was C chains of N x H x W
    dependent additions, one after another; now it adds to the C sums in
    turn. Generics marked `nnc.*` (matched by the tiling script) keep their
    loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MaterializeTransposedRhsPass
    : Pass<"nnc-cpu-materialize-transposed-rhs", "::mlir::func::FuncOp"> {
  let summary = "Transposes a matmul's right operand that it reads "
                "transposed into a fresh tensor";
  let description = [{
    NNToLinalg reads a transposed matrix operand in place, through the
    matmul's indexing maps. For the left operand that is harmless: the
    register tile broadcasts single elements of A. The right operand is read
    as rows of tile-n elements along N; read transposed (B[n, k], as in the
    backward pass's dX = dY W^T) each such row is tile-n scalar loads from
    rows K elements apart, assembled into a vector, for every k of every row
    tile. A matmul whose right operand is read as B[n, k] and has a static
    shape (a weight) gets `linalg.transpose` of it into a fresh K x N tensor,
    copied once per call, and reads that in order. The transpose is marked
    `nnc.transposed_rhs`, which the tile script copies in 8x8 vector tiles.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"
  ];
}

def StridedCopiesToLoopsPass
    : Pass<"nnc-cpu-strided-copies-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Turns memref.copy between non-contiguous views into "
                "linalg.copy";
  let description = [{
    A memref.copy whose operands are not contiguous (a tile of a larger
    buffer, the interior of a padded one) lowers to a call of the runtime's
    `memrefCopy`, which copies one element at a time through a generic
    index computation. As linalg.copy it becomes loops that LLVM vectorizes
    along the innermost, unit-stride dimension. Contiguous copies stay
    memref.copy (a memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def WriteUpdatesInPlacePass
    : Pass<"nnc-cpu-write-updates-in-place", "::mlir::func::FuncOp"> {
  let summary = "Lets the new value of a parameter or optimizer state be "
                "written into the argument it replaces";
  let description = [{
    A result of `train_step` or `apply_gradients` marked `nn.param = "w"`
    (or `nn.state`) is the new value of the argument with the same marker.
    Where the linalg op that computes it is elementwise and writes a fresh
    `tensor.empty`, its destination becomes that argument, so that one-shot
    bufferization updates the argument's buffer in place (or copies it first
    where the old value is still read later); the body reads the old value
    through the init, so that the update stays in place when it is tiled.
    Updates of 32768 elements or more are marked `nnc.parallel_update`: the
    tiling script splits them into thread blocks. The MLP's update of its
    784x256 weights and momenta streams 4 MB per step from L3 and was a
    quarter of a 1-thread step; run on 2 threads the epoch takes 0.86x the
    time (in place alone: no change on 1 thread).
    `nnc-cpu-return-updated-arguments` then returns the argument itself.
    Every other argument is marked `bufferization.writable = false`:
    bufferization never writes into it. The runtime hands entries memory
    that is not theirs to write: data-parallel training passes
    `apply_gradients` the summed gradients in memory that every rank on
    the node reads.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ReturnUpdatedArgumentsPass
    : Pass<"nnc-cpu-return-updated-arguments", "::mlir::func::FuncOp"> {
  let summary = "Returns an argument updated in place instead of its clone";
  let description = [{
    Runs after buffer deallocation, which clones every returned buffer that
    the function does not own. A result marked `nn.param` or `nn.state` that
    is a clone of the argument with the same marker (updated in place by
    `nnc-cpu-write-updates-in-place`) returns the argument itself; the
    runtime sees that the result is its argument and keeps the buffer.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

#endif // NN_TARGET_CPU_PASSES_TD
