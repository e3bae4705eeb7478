//===- CUDAPipeline.cpp - linalg on tensors to kernels and host code ------===//
//
// Every linalg op becomes a kernel: long sums with few outputs are split into
// partial sums first, each op's parallel loops are collapsed into one linear
// index tiled into blocks of 256 threads (the contiguous dimension varying
// fastest), and what has no parallel loop runs as a one-thread kernel, so the
// host only allocates,
// launches and frees. Kernels are outlined into one gpu.module compiled to
// PTX by LLVM's NVPTX backend (no CUDA toolkit needed); math functions come
// from libdevice when it is found. Registered as `nn-lower-cuda`; the same
// mapping with kernels run as host loops is `nn-lower-cuda-emulated`.
//
//===----------------------------------------------------------------------===//

#include "../PipelineText.h"
#include "nn/Pipelines/Backend.h"
#include "nn/Target/CUDA/Passes.h"
#include "nn/Target/Targets.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace mlir;

namespace {
/// Buffers to gpu.launch ops in the host functions. Collapsing before tiling:
/// a fixed 2-D tiling (4 x 32) of the first two of up to six parallel loops
/// left most threads of LeNet's convolutions idle. No canonicalize between
/// the tiling and the mapping: it would merge the tile loops back (every
/// launch a single thread). `no-min-max-bounds` keeps dynamic batches
/// mappable; the grid is then computed from the batch at run time.
constexpr llvm::StringLiteral kMapToGPU =
    "func.func(nn-gpu-prepare-linalg,convert-linalg-to-parallel-loops,"
    "canonicalize,cse,scf-parallel-loop-fusion,nn-accumulate-in-registers,"
    "nn-gpu-collapse-parallel-loops,"
    "scf-parallel-loop-tiling{parallel-loop-tile-sizes=64 "
    "no-min-max-bounds},gpu-map-parallel-loops{mapping-policy=innermost-first})"
    ","
    "convert-parallel-loops-to-gpu,func.func(nn-gpu-wrap-sequential)";

/// Kernels outlined into one module, lowered to NVVM and PTX; host code to
/// the LLVM dialect with every allocation going through the runtime's
/// device allocator (use-generic-functions).
constexpr llvm::StringLiteral kKernelsToPTX =
    "gpu-launch-sink-index-computations,gpu-kernel-outlining,"
    "canonicalize,nn-gpu-merge-modules,convert-scf-to-cf,expand-strided-"
    "metadata,"
    "lower-affine,nvvm-attach-target{{chip={0} features={1} O=3{2}},"
    "gpu.module(convert-gpu-to-nvvm,{3}canonicalize,cse,"
    "reconcile-unrealized-casts),"
    "finalize-memref-to-llvm{{use-generic-functions},convert-arith-to-llvm,"
    "convert-math-to-llvm,convert-math-to-libm,convert-cf-to-llvm,"
    "convert-func-to-llvm,convert-ub-to-llvm,gpu-to-llvm,"
    "reconcile-unrealized-casts,gpu-module-to-binary{{format=isa}";

void addMapToGPU(OpPassManager &pm) {
  nn::addPipelineText(pm, "func.func(nn-gpu-split-reductions)");
  nn::addBufferizePipeline(pm);
  nn::addPipelineText(pm, kMapToGPU);
}
} // namespace

std::string nn::findLibdevice() {
  SmallVector<std::string> roots;
  if (std::optional<std::string> home = llvm::sys::Process::GetEnv("CUDA_HOME"))
    roots.push_back(*home);
  roots.push_back("/usr/local/cuda");
  roots.push_back("/usr/lib/nvidia-cuda-toolkit"); // Debian
  for (const std::string &root : roots) {
    SmallString<128> path(root);
    llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  return "";
}

void nn::buildCUDALoweringPipeline(OpPassManager &pm,
                                   const BackendOptions &options) {
  addMapToGPU(pm);
  std::string libdevice = options.libdevice == "none" ? std::string()
                          : options.libdevice.empty() ? findLibdevice()
                                                      : options.libdevice;
  std::string link = libdevice.empty() ? "" : " l=" + libdevice;
  // Without libdevice the project defines the math functions itself.
  StringRef defineMath = libdevice.empty() ? "nn-gpu-define-math," : "";
  addPipelineText(pm, llvm::formatv(kKernelsToPTX.data(), options.cudaArch,
                                    options.cudaFeatures, link, defineMath)
                          .str());
}

void nn::buildCUDAEmulatedLoweringPipeline(OpPassManager &pm,
                                           const BackendOptions &options) {
  addMapToGPU(pm);
  addPipelineText(pm, llvm::formatv("func.func(nn-gpu-launch-to-loops{{"
                                    "drop-blocks={0}})",
                                    options.emulationDropBlocks)
                          .str());
  buildHostLLVMPipeline(pm);
}

FailureOr<std::string> nn::extractPTX(ModuleOp module) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1)
    return module.emitError() << "internal error: expected one GPU binary, "
                                 "found "
                              << binaries.size();
  auto objects = binaries.front().getObjects();
  if (objects.size() != 1)
    return module.emitError("internal error: expected one PTX object");
  // A table first, so that a reader of the PTX finds each kernel's .nn line.
  std::string text = "// nnc: kernels of this module, one row per launch "
                     "('?': computed from the batch at run time)\n"
                     "// kernel\tsource (<- the layer calls that led "
                     "there)\tgrid\tblock\n";
  if (auto table = module->getAttrOfType<ArrayAttr>("nn.kernel_table"))
    for (Attribute row : table)
      text += "// " + cast<StringAttr>(row).getValue().str() + "\n";
  return text + cast<gpu::ObjectAttr>(objects[0]).getObject().str();
}
