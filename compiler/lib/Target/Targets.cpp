//===- Targets.cpp - registers every target's passes and pipelines --------===//

#include "nn/Target/Targets.h"
#include "CPU/CPUCodegen.h"
#include "nn/Pipelines/Backend.h"
#include "nn/Target/CUDA/Passes.h"
#include "nn/Target/Shared/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {
struct CUDAPipelineOptions : PassPipelineOptions<CUDAPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("CUDA architecture"),
                           llvm::cl::init("sm_90")};
  Option<std::string> libdevice{
      *this, "libdevice",
      llvm::cl::desc("libdevice.10.bc (empty: search; none: without)"),
      llvm::cl::init("")};

  nn::BackendOptions backend(nn::Target target) const {
    nn::BackendOptions options;
    options.target = target;
    options.cudaArch = chip;
    options.libdevice = libdevice;
    return options;
  }
};
} // namespace

void nn::registerTargetPasses() {
  registerCPUCodegenPasses();
  nn::cuda::registerNNCUDAPasses();
  nn::shared::registerNNSharedPasses();
  PassPipelineRegistration<>(
      "nn-lower-cpu", "linalg on tensors to the LLVM dialect for this CPU",
      [](OpPassManager &pm) {
        buildCPULoweringPipeline(pm, BackendOptions());
      });
  PassPipelineRegistration<CUDAPipelineOptions>(
      "nn-lower-cuda",
      "linalg on tensors to host code launching kernels of one PTX module",
      [](OpPassManager &pm, const CUDAPipelineOptions &o) {
        buildCUDALoweringPipeline(pm, o.backend(Target::CUDA));
      });
  PassPipelineRegistration<CUDAPipelineOptions>(
      "nn-lower-cuda-emulated",
      "the CUDA mapping with kernels run as host loops (for checks on a CPU)",
      [](OpPassManager &pm, const CUDAPipelineOptions &o) {
        buildCUDAEmulatedLoweringPipeline(pm, o.backend(Target::CUDAEmulated));
      });
}
