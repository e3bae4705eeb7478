//===- HostTarget.h - the host CPU as an LLVM target ------------*- C++ -*-===//

#ifndef NN_LIB_TARGET_CPU_HOSTTARGET_H
#define NN_LIB_TARGET_CPU_HOSTTARGET_H

#include "llvm/ADT/StringRef.h"
#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace nn {
struct BackendOptions;

/// A target machine for options.mcpu (native: this host) at options.optLevel;
/// null with `error` set when the CPU is unknown.
std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(const BackendOptions &options, std::string &error);

/// Whether the target CPU has AVX-512F.
bool targetHasAVX512(const BackendOptions &options);
} // namespace nn

#endif // NN_LIB_TARGET_CPU_HOSTTARGET_H
