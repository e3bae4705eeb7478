//===- Parser.h - .nn recursive-descent parser ------------------*- C++ -*-===//

#ifndef NN_FRONTEND_PARSER_H
#define NN_FRONTEND_PARSER_H

#include "nn/Frontend/AST.h"
#include "nn/Frontend/Lexer.h"

namespace nn {

/// Parses one buffer into `file`. Syntax errors are reported to `diags`; the
/// parser recovers at the next statement or declaration, so one run reports
/// several errors. Returns false if there were errors.
bool parseFile(llvm::StringRef buffer, DiagEngine &diags, FileAST &file);

} // namespace nn

#endif // NN_FRONTEND_PARSER_H
