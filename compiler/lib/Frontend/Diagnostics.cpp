//===- Diagnostics.cpp - Source locations and error reporting -------------===//

#include "nn/Frontend/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

using namespace nn;

DiagEngine::DiagEngine(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &ctx,
                       unsigned errorLimit)
    : sourceMgr(sourceMgr), ctx(ctx), errorLimit(errorLimit) {
  // Registered after the printing handler, so it sees each diagnostic first:
  // returning success() swallows it.
  handlerID = ctx.getDiagEngine().registerHandler(
      [this](mlir::Diagnostic &diag) -> llvm::LogicalResult {
        if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
          return llvm::failure();
        if (stopped)
          return llvm::success();
        if (this->errorLimit && numErrors >= this->errorLimit) {
          stopped = true;
          return llvm::success();
        }
        ++numErrors;
        if (llvm::isa<mlir::UnknownLoc>(diag.getLocation())) {
          // Nothing to point at (a missing file, a bad flag): say it plainly.
          llvm::errs() << "nnc: error: " << diag.str() << "\n";
          return llvm::success();
        }
        return llvm::failure();
      });
}

DiagEngine::~DiagEngine() { ctx.getDiagEngine().eraseHandler(handlerID); }

mlir::Location DiagEngine::getLoc(llvm::SMLoc loc) {
  unsigned bufferID = sourceMgr.FindBufferContainingLoc(loc);
  if (!bufferID)
    return mlir::UnknownLoc::get(&ctx);
  auto [line, col] = sourceMgr.getLineAndColumn(loc, bufferID);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(bufferID)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(&ctx, file, line, col);
}

mlir::InFlightDiagnostic DiagEngine::error(llvm::SMLoc loc,
                                           const llvm::Twine &msg) {
  return error(getLoc(loc), msg);
}

mlir::InFlightDiagnostic DiagEngine::error(mlir::Location loc,
                                           const llvm::Twine &msg) {
  return mlir::emitError(loc, msg);
}
