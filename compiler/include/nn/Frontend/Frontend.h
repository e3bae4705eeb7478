//===- Frontend.h - Loading a .nn program -----------------------*- C++ -*-===//

#ifndef NN_FRONTEND_FRONTEND_H
#define NN_FRONTEND_FRONTEND_H

#include "nn/Frontend/Sema.h"

namespace nn {

/// Loads the standard library (every `*.nn` in `stdlibDir`, when not empty),
/// then the file at `path` (or `contents`, if given, under that name) and
/// every file it imports, each once. Import paths are relative to the
/// importing file; missing files and import cycles are reported. Returns
/// false if any file could not be read or parsed.
bool loadProgram(llvm::StringRef path, llvm::StringRef stdlibDir,
                 DiagEngine &diags, Program &program,
                 std::optional<llvm::StringRef> contents = std::nullopt);

/// Finds the standard library: `flag` if set, else $NNC_STDLIB, else
/// `<dir of argv0>/../share/nnc/stdlib`, else `builtinDir`. Empty if none
/// exists.
std::string findStdlib(llvm::StringRef flag, llvm::StringRef argv0,
                       void *mainAddr, llvm::StringRef builtinDir);

} // namespace nn

#endif // NN_FRONTEND_FRONTEND_H
