//===- ASTPrinter.cpp - --emit=ast ----------------------------------------===//

#include "SemaInternal.h"
#include "nn/Frontend/AST.h"

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

  /// Prints with a work list, not recursion: a chain `a + b + ... + z` is a
  /// tree as deep as the chain is long.
  void printExpr(const Expr &root, unsigned rootIndent) {
    struct Item {
      const Expr *e;
      const Arg *named; // set: print the NamedArg line, then its value
      unsigned indent;
    };
    llvm::SmallVector<Item> todo = {{&root, nullptr, rootIndent}};
    while (!todo.empty()) {
      Item item = todo.pop_back_val();
      const Expr &e = *item.e;
      unsigned indent = item.indent;
      if (item.named) {
        line(indent, "NamedArg", item.named->nameLoc)
            << " " << item.named->name << "\n";
        todo.push_back({&e, nullptr, indent + 1});
        continue;
      }
      switch (e.kind) {
      case ExprKind::Int:
        line(indent, "Int", e.loc) << " " << e.intValue << "\n";
        break;
      case ExprKind::Float:
        line(indent, "Float", e.loc)
            << " " << formatNumber(e.floatValue) << "\n";
        break;
      case ExprKind::Bool:
        line(indent, "Bool", e.loc) << (e.boolValue ? " true\n" : " false\n");
        break;
      case ExprKind::String:
        line(indent, "String", e.loc) << " \"";
        os.write_escaped(e.text) << "\"\n";
        break;
      case ExprKind::Name:
        line(indent, "Name", e.loc) << " " << e.text << "\n";
        break;
      case ExprKind::Neg:
        line(indent, "Neg", e.loc) << "\n";
        todo.push_back({e.lhs.get(), nullptr, indent + 1});
        break;
      case ExprKind::Binary:
        line(indent, "Binary", e.loc) << " '" << e.op << "'\n";
        todo.push_back({e.rhs.get(), nullptr, indent + 1});
        todo.push_back({e.lhs.get(), nullptr, indent + 1});
        break;
      case ExprKind::Call:
      case ExprKind::List:
        if (e.kind == ExprKind::Call)
          line(indent, "Call", e.loc) << " " << e.text << "\n";
        else
          line(indent, "List", e.loc) << "\n";
        for (const Arg &arg : llvm::reverse(e.args))
          todo.push_back(
              {arg.value.get(), arg.name.empty() ? nullptr : &arg, indent + 1});
        break;
      }
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
