//===- nnc_fuzz.cpp - libFuzzer target for the .nn frontend ---------------===//
//
// Runs every input through the whole frontend: load (with the stdlib), parse,
// check, generate nn IR and verify it. Diagnostics are swallowed; a crash, a
// hang, a sanitizer report, or IR that fails to verify after Sema accepted
// the program is a finding.
//
//===----------------------------------------------------------------------===//

#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Frontend/Diagnostics.h"
#include "nn/Frontend/Frontend.h"
#include "nn/Frontend/MLIRGen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include <cstdio>
#include <cstdlib>

#ifndef NNC_STDLIB_SOURCE_DIR
#define NNC_STDLIB_SOURCE_DIR ""
#endif

static mlir::MLIRContext &getContext() {
  static mlir::MLIRContext *ctx = [] {
    auto *c = new mlir::MLIRContext(mlir::MLIRContext::Threading::DISABLED);
    c->loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect,
                   mlir::arith::ArithDialect>();
    c->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return c;
  }();
  return *ctx;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = getContext();
  llvm::SourceMgr sourceMgr;
  nn::DiagEngine diags(sourceMgr, ctx);
  nn::Program program;
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  const char *stdlib = getenv("NNC_STDLIB");
  if (!nn::loadProgram("fuzz.nn", stdlib ? stdlib : NNC_STDLIB_SOURCE_DIR,
                       diags, program, text))
    return 0;
  std::vector<nn::ModelGraph> models;
  if (!nn::checkProgram(program, diags, models))
    return 0;
  for (const nn::ModelGraph &model : models) {
    if (model.result < 0)
      continue;
    mlir::OwningOpRef<mlir::ModuleOp> module = nn::genModule(model, ctx);
    if (failed(mlir::verify(*module))) {
      fprintf(stderr,
              "nnc-fuzz: Sema accepted model '%s' but its IR does "
              "not verify\n",
              model.name.c_str());
      abort();
    }
  }
  return 0;
}
