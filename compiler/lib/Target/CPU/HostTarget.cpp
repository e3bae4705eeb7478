//===- HostTarget.cpp - the host CPU as an LLVM target --------------------===//

#include "HostTarget.h"
#include "nn/Pipelines/Backend.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

std::unique_ptr<llvm::TargetMachine>
nn::createHostTargetMachine(const nn::BackendOptions &options,
                            std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.mcpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features +=
          (feature.getValue() ? "+" : "-") + feature.getKey().str() + ",";
  }
  // LLVM would only warn about an unknown CPU, once per subtarget, and fail
  // later; a subtarget for the default CPU can tell without warning.
  std::unique_ptr<llvm::MCSubtargetInfo> probe(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!probe || !probe->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for --mcpu (llc -mcpu=help lists them)";
    return nullptr;
  }
  llvm::CodeGenOptLevel level =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for CPU '" + cpu + "'";
  return machine;
}

bool nn::targetHasAVX512(const nn::BackendOptions &options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  return machine && machine->getMCSubtargetInfo()->checkFeatures("+avx512f");
}
