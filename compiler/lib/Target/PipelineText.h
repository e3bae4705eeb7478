//===- PipelineText.h - pieces of pipelines the targets share ---*- C++ -*-===//

#ifndef NN_LIB_TARGET_PIPELINETEXT_H
#define NN_LIB_TARGET_PIPELINETEXT_H

#include "llvm/ADT/StringRef.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace nn {
/// Appends a fixed textual pipeline to `pm` (a parse failure is a bug).
void addPipelineText(mlir::OpPassManager &pm, llvm::StringRef text);

/// Tensors to buffers with identity layouts at function boundaries;
/// `afterDeallocation` runs while the deallocation's clones are still ops.
void addBufferizePipeline(mlir::OpPassManager &pm,
                          llvm::StringRef afterDeallocation = {});
} // namespace nn

#endif // NN_LIB_TARGET_PIPELINETEXT_H
