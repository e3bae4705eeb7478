//===- Manifest.h - the model description in executables --------*- C++ -*-===//

#ifndef NN_LIB_PIPELINES_MANIFEST_H
#define NN_LIB_PIPELINES_MANIFEST_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"
#include <string>

namespace nn {

/// A function the runtime calls, and the name it knows it by.
struct EntryPoint {
  std::string symbol; // the func.func name
  std::string entry;  // forward, gradients, gradients_f64, train_step or
                      // apply_gradients
};

/// The entry points present in `module`: the `nn.model` function (forward)
/// and, when autodiff ran, @gradients, @train_step, @apply_gradients and
/// (CPU) @gradients_f64.
llvm::SmallVector<EntryPoint> findEntryPoints(mlir::ModuleOp module);

/// The JSON manifest of docs/design.md, read from the nn-level attributes;
/// the backend adds `device`, `build`, `cost` and `line_costs`. Fails (with
/// a diagnostic) when a name or path is not UTF-8, which JSON cannot carry.
llvm::FailureOr<llvm::json::Object> buildManifest(mlir::ModuleOp module);

/// The manifest's text: one top-level key a line, in docs/design.md's order.
std::string printManifest(const llvm::json::Object &manifest);

} // namespace nn

#endif // NN_LIB_PIPELINES_MANIFEST_H
