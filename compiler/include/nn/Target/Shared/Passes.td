//===- Passes.td - passes shared by the targets ------------*- tablegen -*-===//

#ifndef NN_TARGET_SHARED_PASSES_TD
#define NN_TARGET_SHARED_PASSES_TD

include "mlir/Pass/PassBase.td"

def AccumulateInRegistersPass
    : Pass<"nn-accumulate-in-registers", "::mlir::func::FuncOp"> {
  let summary = "Keeps a reduction loop's accumulator in a register";
  let description = [{
    `convert-linalg-to-loops` and `convert-linalg-to-parallel-loops` write
    a reduction as a loop that loads the output element, adds, and stores it
    back on every iteration. Nothing tells LLVM that the output does not
    alias the inputs, so each iteration waits for a round trip through
    memory: on a GPU the MLP's first matmul (784 iterations per thread) took
    241 us per step on an H200; on the CPU LeNet's bias gradients and
    pooling loops stored after every addition. A `scf.for` whose only store writes the element it loads, at
    indices fixed for the loop, and which otherwise only loads and computes,
    gets the element as an iteration argument instead: one load before the
    loop, one store after it. The same additions run in the same order.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def AlignedPointerProvenancePass
    : Pass<"nn-aligned-pointer-provenance", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Aligns malloc'ed buffers with a getelementptr instead of "
                "integer arithmetic";
  let description = [{
    `finalize-memref-to-llvm` lowers an aligned `memref.alloc` to `malloc`
    of a little more, then rounds the address up in integers (`ptrtoint`,
    `add`, `urem`, `sub`, `inttoptr`). LLVM cannot tell where a pointer made
    by `inttoptr` points, so it cannot tell that two buffers malloc'ed
    separately do not overlap: loops over them needed run-time overlap
    checks, which the loop vectorizer does not add to loops of fewer than 16
    iterations (LeNet's pooling and its gradient, 12 and 4 wide, stayed
    scalar). This pass computes the same address as a `getelementptr` of
    the malloc'ed pointer by the difference, which keeps what it points to.
    (`use-aligned-alloc` keeps it too, but glibc's `aligned_alloc` mapped and
    unmapped every large buffer on every call: LeNet inference at batch 256
    took 2.7 times as long.)
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NN_TARGET_SHARED_PASSES_TD
