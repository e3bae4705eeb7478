//===- BackendErrors.cpp - One message for a failure past the frontend ----===//

#include "BackendErrors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

/// The user's position in `loc`: for an inlined layer the outermost caller,
/// which is in the file the user wrote.
static std::optional<Location> findSourceLoc(Location loc) {
  if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    if (auto caller = findSourceLoc(callSite.getCaller()))
      return caller;
    return findSourceLoc(callSite.getCallee());
  }
  if (auto name = dyn_cast<NameLoc>(loc))
    return findSourceLoc(name.getChildLoc());
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (auto found = findSourceLoc(inner))
        return found;
    return std::nullopt;
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    if (file.getFilename().getValue().ends_with(".nn"))
      return loc;
  return std::nullopt;
}

LogicalResult
nnc::runReportingOneError(MLIRContext &ctx,
                          llvm::function_ref<LogicalResult()> stage) {
  std::vector<Diagnostic> held;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      held.push_back(std::move(diag));
      return success();
    });
    result = stage();
  }
  DiagnosticEngine &engine = ctx.getDiagEngine();
  auto firstError = llvm::find_if(held, [](const Diagnostic &d) {
    return d.getSeverity() == DiagnosticSeverity::Error;
  });
  if (succeeded(result) && firstError == held.end()) {
    for (Diagnostic &diag : held)
      engine.emit(std::move(diag));
    return success();
  }
  if (firstError == held.end()) {
    emitError(UnknownLoc::get(&ctx), "internal error: code generation failed");
    return failure();
  }
  std::string message = firstError->str();
  if (auto loc = findSourceLoc(firstError->getLocation())) {
    emitError(*loc, message);
    return failure();
  }
  // Reported at the script or pass that failed: point at the user's line
  // that one of the notes names instead.
  std::optional<Location> at;
  for (const Diagnostic &note : firstError->getNotes())
    if ((at = findSourceLoc(note.getLocation())))
      break;
  if (!at && firstError->getNotes().empty()) {
    // A failure of the whole module (the linker, the target): as it is.
    emitError(UnknownLoc::get(&ctx), message);
    return failure();
  }
  emitError(at.value_or(UnknownLoc::get(&ctx)),
            "internal error: cannot compile this operation (" + message +
                "); please report it");
  return failure();
}
