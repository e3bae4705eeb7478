//===- BackendErrors.h - one message for a backend failure ------*- C++ -*-===//
//
// The frontend reports bad input at the user's line. Whatever fails later
// (a pass, the code generator's transform scripts, the linker) must reach the
// user the same way: one error at the .nn line of the operation that failed,
// not notes about transform-dialect handles or a dump of the IR.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TOOLS_BACKENDERRORS_H
#define NNC_TOOLS_BACKENDERRORS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/LogicalResult.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace nnc {

/// Runs `stage` with its diagnostics held back. On success they are passed on
/// (warnings, remarks); on failure only the first error is reported, at the
/// first location in a .nn file among it and its notes (the caller's line of
/// an inlined layer), as an internal error when it was not at such a line.
llvm::LogicalResult
runReportingOneError(mlir::MLIRContext &ctx,
                     llvm::function_ref<llvm::LogicalResult()> stage);

} // namespace nnc

#endif // NNC_TOOLS_BACKENDERRORS_H
