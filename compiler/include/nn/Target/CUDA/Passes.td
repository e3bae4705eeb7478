//===- Passes.td - passes of the CUDA target ---------------*- tablegen -*-===//

#ifndef NN_TARGET_CUDA_PASSES_TD
#define NN_TARGET_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrepareLinalgForGPUPass
    : Pass<"nn-gpu-prepare-linalg", "::mlir::func::FuncOp"> {
  let summary = "Puts parallel loops outermost and turns copies into linalg";
  let description = [{
    Runs on bufferized linalg, before `convert-linalg-to-parallel-loops`, so
    that every op becomes an `scf.parallel` that maps to blocks and threads:
    - a `linalg.generic` whose iterators start with a reduction (bias
      gradients, `[reduction, parallel]`) is interchanged so its parallel
      dimensions come first; the reduction becomes a loop inside each thread
      instead of a host loop around one launch per row;
    - `memref.copy` left by bufferization becomes `linalg.copy`, so the copy
      runs on the device instead of touching device memory from the host;
    - allocations move up to just after the shapes they need, so the loops
      of consecutive ops are adjacent for `scf-parallel-loop-fusion`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def WrapSequentialInKernelsPass
    : Pass<"nn-gpu-wrap-sequential", "::mlir::func::FuncOp"> {
  let summary = "Moves host code that reads or writes memory into 1x1x1 kernels";
  let description = [{
    After `convert-parallel-loops-to-gpu`, code with no parallel dimension
    (0-d ops such as the loss mean, reductions over every dimension, the
    optimizer's scalar code) is still host code that loads and stores
    buffers, which live on the device. Each run of such ops becomes one
    `gpu.launch` of a single thread. Allocation, deallocation and shape
    queries stay on the host.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def GPULaunchToLoopsPass
    : Pass<"nn-gpu-launch-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Runs gpu.launch bodies as host loops (for checking on a CPU)";
  let description = [{
    Test-only: replaces each `gpu.launch` by `scf.for` loops over the block
    ids and, inside, over the thread ids, so the very module the CUDA
    pipeline maps can be lowered for the CPU and compared with the CPU build.
    Threads run one after another, so the pass refuses what needs them to run
    together: barriers, shuffles, reductions across threads and workgroup
    memory.
  }];
  let options = [
    Option<"dropBlocks", "drop-blocks", "unsigned", "0",
           "run this many fewer blocks along x (a mutant, to show that the "
           "check can fail)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def MergeGPUModulesPass : Pass<"nn-gpu-merge-modules", "::mlir::ModuleOp"> {
  let summary = "Puts every kernel into one gpu.module and names it by source";
  let description = [{
    `gpu-kernel-outlining` gives each kernel its own `gpu.module`, which
    would mean one module load (and one PTX file) per kernel. This pass moves
    every `gpu.func` into a single `gpu.module @<name>` and renames each
    kernel `<function>_<op>_<source line>_<n>` so that a user reading PTX or
    a profile can find the .nn line it came from.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string", "\"nnc_kernels\"",
           "name of the one gpu.module">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def DefineMathFunctionsPass
    : Pass<"nn-gpu-define-math", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Defines the libdevice math functions kernels call";
  let description = [{
    Without libdevice, `convert-gpu-to-nvvm` leaves calls to `__nv_expf`,
    `__nv_logf`, `__nv_pow` and friends that become `.extern` in the PTX and
    fail when the driver loads it. Run after that conversion, this pass puts
    the project's own definitions of them (compiler/lib/Target/CUDA/
    NVMathFunctions.mlir.inc) into the module, and fails on a function it
    does not define, so PTX never has an `.extern`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SplitReductionsForGPUPass
    : Pass<"nn-gpu-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Splits long sums with few outputs into partial sums and a second sum";
  let description = [{
    Runs on linalg on tensors. A kernel gets one thread per output element
    and each thread runs the op's reductions as a loop, so a sum with few
    outputs and a long reduction (a convolution's filter and bias gradients:
    150 outputs of LeNet's conv1, each a sum over batch x 24 x 24) leaves
    the GPU nearly idle: 10.4 ms of a 15.8 ms LeNet step on an H200. Such an
    op (its body adds into the output) becomes partial sums, with whole
    reduction dimensions made parallel (innermost first, so threads along
    the contiguous dimension stay coalesced), into a temporary; a second op
    adds the partial sums into the original output, and is itself split
    again when still long. Upstream's `linalg::splitReduction` splits one
    reduction dimension of a static size by a factor; these have several,
    one of them the dynamic batch.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def CollapseParallelLoopsPass
    : Pass<"nn-gpu-collapse-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Collapses each outermost scf.parallel into one dimension";
  let description = [{
    A grid has three dimensions and an op up to six parallel ones; tiling
    the first two by fixed sizes left most threads of a convolution idle
    (blocks of 1 x 32 x 4 with 6 filters on the 32). Each outermost
    `scf.parallel` becomes one loop over the linear index of all its
    dimensions (the innermost varying fastest, so neighbouring threads touch
    neighbouring elements), which is then tiled into blocks of a fixed number
    of threads: no thread is idle but in the last block.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // NN_TARGET_CUDA_PASSES_TD
