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

#endif // NN_TARGET_CPU_PASSES_TD
