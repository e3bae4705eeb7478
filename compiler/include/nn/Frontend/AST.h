//===- AST.h - .nn abstract syntax tree -------------------------*- C++ -*-===//
//
// The syntax tree of a .nn file. Every node carries the SMLoc of its first
// token; the SourceMgr that owns the buffer turns it into file:line:col.
//
//===----------------------------------------------------------------------===//

#ifndef NN_FRONTEND_AST_H
#define NN_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nn {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// One argument of a call: `expr` or `name = expr`.
struct Arg {
  std::string name; // empty when positional
  llvm::SMLoc nameLoc;
  ExprPtr value;
};

enum class ExprKind { Int, Float, String, Bool, Name, Call, List, Binary, Neg };

/// An expression. One struct for all kinds keeps the tree small; the fields a
/// kind uses are listed beside them.
struct Expr {
  ExprKind kind;
  llvm::SMLoc loc;
  int64_t intValue = 0;   // Int
  double floatValue = 0;  // Float
  bool boolValue = false; // Bool
  std::string text;       // Name, String (unescaped), Call (callee)
  char op = 0;            // Binary: + - * / @
  std::vector<Arg> args;  // Call: arguments; List: elements (no names)
  ExprPtr lhs, rhs;       // Binary: both; Neg: lhs

  Expr(ExprKind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  /// Frees the left spine of a chain `a + b + ... + z` in a loop: recursive
  /// destruction would need stack in proportion to the chain's length.
  ~Expr() {
    ExprPtr next = std::move(lhs);
    while (next && next->lhs) {
      ExprPtr inner = std::move(next->lhs);
      next = std::move(inner);
    }
  }
  Expr(const Expr &) = delete;
  Expr &operator=(const Expr &) = delete;
};

/// One dimension of a tensor type: an integer or a dimension variable.
struct DimNode {
  llvm::SMLoc loc;
  bool isVar = false;
  int64_t value = 0;
  std::string name;
};

/// `f32[N, 784]`, `i32[N]`, `f32[]`, or an attribute type `int|float|bool`.
struct TypeNode {
  llvm::SMLoc loc;
  std::string name; // f32, i32, f16, bf16, int, float, bool, ...
  bool isTensor = false;
  std::vector<DimNode> dims;
};

enum class StmtKind { Param, Assign, For, Return };

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

/// A statement: `param NAME: TYPE = INIT`, `NAME = EXPR`,
/// `for NAME in LO..HI { BODY }`, `return EXPR`.
struct Stmt {
  StmtKind kind;
  llvm::SMLoc loc;
  std::string name; // Param, Assign, For (the loop variable)
  llvm::SMLoc nameLoc;
  TypeNode type; // Param
  ExprPtr value; // Param (init), Assign, Return; For: the lower bound
  ExprPtr upper; // For
  std::vector<StmtPtr> body; // For
  llvm::SMLoc endLoc;        // For: the closing brace

  Stmt(StmtKind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

/// An argument of a layer or model: `x: f32[N, 784]` or `units: int = 3`.
struct ArgDecl {
  std::string name;
  llvm::SMLoc loc;
  TypeNode type;
  ExprPtr defaultValue;
};

/// `layer NAME(...) -> TYPE { ... }` or `model NAME(...) -> TYPE { ... }`.
struct FuncDecl {
  bool isModel = false;
  bool fromStdlib = false;
  bool inMainFile = false; // declared in the file named on the command line
  std::string name;
  llvm::SMLoc loc; // the name
  std::vector<ArgDecl> args;
  bool hasResultType = false;
  TypeNode resultType;
  std::vector<StmtPtr> body;
  llvm::SMLoc endLoc; // the closing brace
};

/// `KEY = VALUE` inside a train block.
struct TrainEntry {
  std::string key;
  llvm::SMLoc loc;
  ExprPtr value;
};

/// `train MODEL { ... }`.
struct TrainDecl {
  std::string model;
  llvm::SMLoc loc; // the model name
  std::vector<TrainEntry> entries;
  std::string dir; // absolute directory of the file holding the block
};

/// `import "path"`.
struct ImportDecl {
  std::string path;
  llvm::SMLoc loc;
};

/// The declarations of one file, in source order by kind.
struct FileAST {
  std::string path;
  std::vector<ImportDecl> imports;
  std::vector<std::unique_ptr<FuncDecl>> funcs;
  std::vector<std::unique_ptr<TrainDecl>> trains;
};

class DiagEngine;

/// Prints the tree, one node a line with `line:col`, for --emit=ast.
void printAST(const FileAST &file, DiagEngine &diags, llvm::raw_ostream &os);

} // namespace nn

#endif // NN_FRONTEND_AST_H
