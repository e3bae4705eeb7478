//===- MergeGPUModules.cpp - one gpu.module, kernels named by source ------===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/Path.h"
#include "llvm/ADT/StringSet.h"

namespace nn::cuda {
#define GEN_PASS_DEF_MERGEGPUMODULESPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
/// "layers.nn:8:12 <- model.nn:3:13": where a kernel's op is, and the calls
/// of layers that led there.
std::string sourceOf(Location loc) {
  std::string text;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      if (!text.empty())
        text += " <- ";
      text += llvm::sys::path::filename(file.getFilename().getValue()).str() +
              ":" + std::to_string(file.getLine()) + ":" +
              std::to_string(file.getColumn());
    }
    return WalkResult::advance();
  });
  return text.empty() ? "?" : text;
}

/// "32x4x1" for constants, "?" where the value is computed at run time (from
/// the batch).
std::string dims(Value x, Value y, Value z) {
  std::string text;
  for (Value v : {x, y, z}) {
    if (!text.empty())
      text += "x";
    IntegerAttr c;
    text += matchPattern(v, m_Constant(&c)) ? std::to_string(c.getInt()) : "?";
  }
  return text;
}

/// `<host function>_<op>_l<line>` from the NameLoc that nn-gpu-prepare-linalg
/// put around each op's source location.
std::string kernelStem(gpu::GPUFuncOp kernel, StringRef hostFunction) {
  std::string op = "kernel";
  std::optional<unsigned> line;
  kernel.getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc); name && op == "kernel")
      op = name.getName().str();
    if (auto file = dyn_cast<FileLineColLoc>(loc); file && !line)
      line = file.getLine();
    return WalkResult::advance();
  });
  for (char &c : op)
    if (!llvm::isAlnum(c))
      c = '_';
  std::string stem = (hostFunction + "_" + op).str();
  if (line)
    stem += "_l" + std::to_string(*line);
  return stem;
}

struct MergeGPUModulesPass
    : nn::cuda::impl::MergeGPUModulesPassBase<MergeGPUModulesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), moduleName);

    // Each launch names its kernel by the host function it sits in.
    llvm::DenseMap<Attribute, StringRef> hostOf;
    module.walk([&](gpu::LaunchFuncOp launch) {
      if (auto fn = launch->getParentOfType<FunctionOpInterface>())
        hostOf.try_emplace(launch.getKernel(), fn.getName());
    });

    llvm::StringMap<unsigned> uses;
    llvm::DenseMap<Attribute, SymbolRefAttr> renamed;
    for (gpu::GPUModuleOp old : modules) {
      for (Operation &op : llvm::make_early_inc_range(old.getBody()->getOperations())) {
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel) {
          op.emitError("internal error: unexpected op in an outlined kernel module");
          return signalPassFailure();
        }
        auto oldRef = SymbolRefAttr::get(
            old.getNameAttr(), {FlatSymbolRefAttr::get(kernel.getNameAttr())});
        std::string stem = kernelStem(kernel, hostOf.lookup(oldRef));
        std::string name = stem + "_" + std::to_string(uses[stem]++);
        kernel->moveBefore(merged.getBody(), merged.getBody()->end());
        kernel.setName(name);
        renamed[oldRef] = SymbolRefAttr::get(
            merged.getNameAttr(),
            {FlatSymbolRefAttr::get(kernel.getContext(), name)});
      }
      old.erase();
    }
    // One row per launch for --emit=ptx's table: kernel, source, grid, block.
    SmallVector<Attribute> table;
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr ref = renamed.lookup(launch.getKernel());
      if (!ref)
        return;
      launch.setKernelAttr(ref);
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      table.push_back(StringAttr::get(
          &getContext(), ref.getLeafReference().getValue() + "\t" +
                             sourceOf(launch.getLoc()) + "\t" +
                             dims(grid.x, grid.y, grid.z) + "\t" +
                             dims(block.x, block.y, block.z)));
    });
    module->setAttr("nn.kernel_table", ArrayAttr::get(&getContext(), table));
  }
};
} // namespace
