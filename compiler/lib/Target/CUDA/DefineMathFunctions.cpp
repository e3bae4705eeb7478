//===- DefineMathFunctions.cpp - libdevice functions without libdevice ----===//

#include "nn/Target/CUDA/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringSet.h"

namespace nn::cuda {
#define GEN_PASS_DEF_DEFINEMATHFUNCTIONSPASS
#include "nn/Target/CUDA/Passes.h.inc"
} // namespace nn::cuda

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kMathFunctions =
#include "NVMathFunctions.mlir.inc"
    ;

struct DefineMathFunctionsPass
    : nn::cuda::impl::DefineMathFunctionsPassBase<DefineMathFunctionsPass> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    OwningOpRef<ModuleOp> library =
        parseSourceString<ModuleOp>(kMathFunctions, &getContext());
    if (!library) {
      module.emitError(
          "internal error: the math function library does not parse");
      return signalPassFailure();
    }
    // Definitions call each other: repeat until every callee is defined.
    for (bool changed = true; changed;) {
      changed = false;
      SmallVector<LLVM::LLVMFuncOp> declarations;
      for (auto func : module.getOps<LLVM::LLVMFuncOp>())
        if (func.isExternal())
          declarations.push_back(func);
      llvm::StringSet<> defined;
      for (auto func : module.getOps<LLVM::LLVMFuncOp>())
        if (!func.isExternal())
          defined.insert(func.getName());
      SmallVector<StringRef> callees;
      module.walk([&](LLVM::CallOp call) {
        if (std::optional<StringRef> callee = call.getCallee();
            callee && !defined.contains(*callee))
          callees.push_back(*callee);
      });
      for (LLVM::LLVMFuncOp decl : declarations)
        callees.push_back(decl.getName());
      for (StringRef name : callees) {
        auto def = library->lookupSymbol<LLVM::LLVMFuncOp>(name);
        if (!def) {
          module.emitError() << "no definition of '" << name
                             << "' without libdevice (pass --libdevice=FILE)";
          return signalPassFailure();
        }
        if (defined.contains(name))
          continue;
        if (auto decl = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
          decl.erase();
        OpBuilder b(module.getBody(), module.getBody()->begin());
        b.clone(*def);
        defined.insert(name);
        changed = true;
      }
    }
  }
};
} // namespace
