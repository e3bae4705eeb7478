//===- MergeGPUModules.cpp - one gpu.module, kernels named by source ------===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

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

/// How much an op says about a kernel that fused it with others: a named op
/// (matmul, conv_2d_..., pooling_...) most, then a reduction, an elementwise
/// op, and last the fills and copies that feed them.
int significance(StringRef op) {
  if (op == "fill" || op == "copy")
    return 0;
  if (op == "elementwise")
    return 1;
  if (op == "reduce")
    return 2;
  return 3;
}

/// Of the ops fused into a kernel, the location of the most significant one
/// (the first on a tie): a NameLoc from nn-gpu-prepare-linalg around the
/// op's source location, or the kernel's own location.
Location significantLoc(gpu::GPUFuncOp kernel) {
  Location best = kernel.getLoc();
  int rank = -1;
  auto consider = [&](Location at) {
    at->walk([&](Location loc) {
      auto name = dyn_cast<NameLoc>(loc);
      if (!name)
        return WalkResult::advance();
      if (significance(name.getName()) > rank) {
        rank = significance(name.getName());
        best = name;
      }
      return WalkResult::interrupt();
    });
  };
  consider(kernel.getLoc());
  kernel.walk([&](Operation *inner) { consider(inner->getLoc()); });
  return best;
}

/// `<host function>_<op>_l<line>` from the kernel's significant location.
std::string kernelStem(Location at, StringRef hostFunction) {
  std::string op = "kernel";
  std::optional<unsigned> line;
  at->walk([&](Location loc) {
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
    llvm::DenseMap<Attribute, std::string> source;
    for (gpu::GPUModuleOp old : modules) {
      for (Operation &op :
           llvm::make_early_inc_range(old.getBody()->getOperations())) {
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel) {
          op.emitError(
              "internal error: unexpected op in an outlined kernel module");
          return signalPassFailure();
        }
        auto oldRef = SymbolRefAttr::get(
            old.getNameAttr(), {FlatSymbolRefAttr::get(kernel.getNameAttr())});
        Location at = significantLoc(kernel);
        std::string stem = kernelStem(at, hostOf.lookup(oldRef));
        std::string name = stem + "_" + std::to_string(uses[stem]++);
        kernel->moveBefore(merged.getBody(), merged.getBody()->end());
        kernel.setName(name);
        renamed[oldRef] = SymbolRefAttr::get(
            merged.getNameAttr(),
            {FlatSymbolRefAttr::get(kernel.getContext(), name)});
        source[oldRef] = sourceOf(at);
      }
      old.erase();
    }
    // One row per launch for --emit=ptx's table: kernel, source, grid, block.
    SmallVector<Attribute> table;
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr ref = renamed.lookup(launch.getKernel());
      if (!ref)
        return;
      std::string where = source.lookup(launch.getKernel());
      launch.setKernelAttr(ref);
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      table.push_back(StringAttr::get(
          &getContext(), ref.getLeafReference().getValue() + "\t" + where +
                             "\t" + dims(grid.x, grid.y, grid.z) + "\t" +
                             dims(block.x, block.y, block.z)));
    });
    module->setAttr("nn.kernel_table", ArrayAttr::get(&getContext(), table));
  }
};
} // namespace
