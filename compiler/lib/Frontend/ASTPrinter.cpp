//===- ASTPrinter.cpp - --emit=ast ----------------------------------------===//

#include "nn/Frontend/AST.h"
#include "SemaInternal.h"

using namespace nn;

namespace {
class ASTPrinter {
public:
  ASTPrinter(llvm::SourceMgr &sm, llvm::raw_ostream &os) : sm(sm), os(os) {}

  void print(const FileAST &file) {
    os << "File " << file.path << "\n";
    for (const ImportDecl &imp : file.imports)
      line(1, "Import", imp.loc) << " \"" << imp.path << "\"\n";
    for (const auto &func : file.funcs)
      printFunc(*func);
    for (const auto &train : file.trains) {
      line(1, "Train", train->loc) << " " << train->model << "\n";
      for (const TrainEntry &entry : train->entries) {
        line(2, "Setting", entry.loc) << " " << entry.key << "\n";
        printExpr(*entry.value, 3);
      }
    }
  }

private:
  llvm::raw_ostream &line(unsigned indent, llvm::StringRef kind,
                          llvm::SMLoc loc) {
    os.indent(indent * 2) << kind << " <";
    if (unsigned id = sm.FindBufferContainingLoc(loc)) {
      auto [l, c] = sm.getLineAndColumn(loc, id);
      os << l << ":" << c;
    }
    return os << ">";
  }

  void printType(const TypeNode &type) {
    os << type.name;
    if (!type.isTensor)
      return;
    os << "[";
    llvm::interleaveComma(type.dims, os, [&](const DimNode &d) {
      if (d.isVar)
        os << d.name;
      else
        os << d.value;
    });
    os << "]";
  }

  void printFunc(const FuncDecl &func) {
    line(1, func.isModel ? "Model" : "Layer", func.loc) << " " << func.name;
    if (func.hasResultType) {
      os << " -> ";
      printType(func.resultType);
    }
    os << "\n";
    for (const ArgDecl &arg : func.args) {
      line(2, "Arg", arg.loc) << " " << arg.name << ": ";
      printType(arg.type);
      os << "\n";
      if (arg.defaultValue)
        printExpr(*arg.defaultValue, 3);
    }
    printBody(func.body, 2);
  }

  void printBody(const std::vector<StmtPtr> &body, unsigned indent) {
    for (const StmtPtr &stmt : body) {
      switch (stmt->kind) {
      case StmtKind::Param:
        line(indent, "Param", stmt->loc) << " " << stmt->name << ": ";
        printType(stmt->type);
        os << "\n";
        printExpr(*stmt->value, indent + 1);
        break;
      case StmtKind::Assign:
        line(indent, "Assign", stmt->loc) << " " << stmt->name << "\n";
        printExpr(*stmt->value, indent + 1);
        break;
      case StmtKind::Return:
        line(indent, "Return", stmt->loc) << "\n";
        printExpr(*stmt->value, indent + 1);
        break;
      case StmtKind::For:
        line(indent, "For", stmt->loc) << " " << stmt->name << "\n";
        printExpr(*stmt->value, indent + 1);
        printExpr(*stmt->upper, indent + 1);
        printBody(stmt->body, indent + 1);
        break;
      }
    }
  }

  void printExpr(const Expr &e, unsigned indent) {
    switch (e.kind) {
    case ExprKind::Int:
      line(indent, "Int", e.loc) << " " << e.intValue << "\n";
      return;
    case ExprKind::Float:
      line(indent, "Float", e.loc) << " " << formatNumber(e.floatValue) << "\n";
      return;
    case ExprKind::Bool:
      line(indent, "Bool", e.loc) << (e.boolValue ? " true\n" : " false\n");
      return;
    case ExprKind::String:
      line(indent, "String", e.loc) << " \"";
      os.write_escaped(e.text) << "\"\n";
      return;
    case ExprKind::Name:
      line(indent, "Name", e.loc) << " " << e.text << "\n";
      return;
    case ExprKind::Neg:
      line(indent, "Neg", e.loc) << "\n";
      printExpr(*e.lhs, indent + 1);
      return;
    case ExprKind::Binary:
      line(indent, "Binary", e.loc) << " '" << e.op << "'\n";
      printExpr(*e.lhs, indent + 1);
      printExpr(*e.rhs, indent + 1);
      return;
    case ExprKind::Call:
    case ExprKind::List:
      if (e.kind == ExprKind::Call)
        line(indent, "Call", e.loc) << " " << e.text << "\n";
      else
        line(indent, "List", e.loc) << "\n";
      for (const Arg &arg : e.args) {
        unsigned inner = indent + 1;
        if (!arg.name.empty()) {
          line(inner++, "NamedArg", arg.nameLoc) << " " << arg.name << "\n";
        }
        printExpr(*arg.value, inner);
      }
      return;
    }
  }

  llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
};
} // namespace

void nn::printAST(const FileAST &file, DiagEngine &diags,
                  llvm::raw_ostream &os) {
  ASTPrinter(diags.getSourceMgr(), os).print(file);
}
