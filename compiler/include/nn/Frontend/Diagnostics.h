//===- Diagnostics.h - Source locations and error reporting -----*- C++ -*-===//
//
// The frontend reports every error through MLIR's diagnostic engine with a
// FileLineColLoc built from the token's SMLoc, so that a
// SourceMgrDiagnosticHandler prints `file:line:col: error: msg`, the source
// line and a caret. DiagEngine also counts errors and stops at a limit.
//
//===----------------------------------------------------------------------===//

#ifndef NN_FRONTEND_DIAGNOSTICS_H
#define NN_FRONTEND_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SourceMgr.h"

namespace nn {

class DiagEngine {
public:
  /// Counts errors reported to `ctx` and swallows those beyond `errorLimit`
  /// (0 = no limit); the driver then says "too many errors".
  DiagEngine(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &ctx,
             unsigned errorLimit = 20);
  ~DiagEngine();

  mlir::MLIRContext &getContext() { return ctx; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// The FileLineColLoc of a position inside one of the source buffers.
  mlir::Location getLoc(llvm::SMLoc loc);

  mlir::InFlightDiagnostic error(llvm::SMLoc loc, const llvm::Twine &msg);
  mlir::InFlightDiagnostic error(mlir::Location loc, const llvm::Twine &msg);

  unsigned getNumErrors() const { return numErrors; }
  bool hadError() const { return numErrors != 0; }
  /// True once the error limit is reached: callers should stop.
  bool shouldStop() const { return stopped; }

private:
  llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext &ctx;
  unsigned errorLimit;
  unsigned numErrors = 0;
  bool stopped = false;
  mlir::DiagnosticEngine::HandlerID handlerID;
};

} // namespace nn

#endif // NN_FRONTEND_DIAGNOSTICS_H
