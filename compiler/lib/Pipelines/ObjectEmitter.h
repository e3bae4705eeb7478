//===- ObjectEmitter.h - LLVM IR and machine code ---------------*- C++ -*-===//

#ifndef NN_LIB_PIPELINES_OBJECTEMITTER_H
#define NN_LIB_PIPELINES_OBJECTEMITTER_H

#include "Manifest.h"
#include "nn/Pipelines/Backend.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

namespace llvm {
class Module;
} // namespace llvm

namespace nn {

/// LLVM IR for a module in the LLVM dialect, with the manifest and the
/// packed entry points added, optimized for the target CPU unless
/// `optimizeModule` is false (emitObjectFiles optimizes it part by part).
std::unique_ptr<llvm::Module>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::StringRef manifest, llvm::ArrayRef<EntryPoint> entries,
                  const BackendOptions &options, bool optimizeModule = true);

/// Splits the unoptimized `module` into a fixed number of parts, then
/// optimizes and compiles the parts on as many threads as this process may
/// use, each to a temporary object file whose path is appended to `paths`
/// (the caller removes them, also after a failure).
llvm::LogicalResult emitObjectFiles(llvm::Module &module,
                                    const BackendOptions &options,
                                    llvm::SmallVectorImpl<std::string> &paths,
                                    std::string &error);

/// Writes assembly or an object file for `module`.
llvm::LogicalResult emitMachineCode(llvm::Module &module, bool assembly,
                                    const BackendOptions &options,
                                    llvm::raw_pwrite_stream &os,
                                    std::string &error);

} // namespace nn

#endif // NN_LIB_PIPELINES_OBJECTEMITTER_H
