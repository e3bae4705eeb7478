//===- nn-opt.cpp - mlir-opt with the nn dialect and nnc's passes ---------===//
//
// Registers the nn dialect, nnc's passes and pipelines (nn-lower-cpu,
// nn-lower-cuda, ...) and every upstream dialect and pass, so every stage nnc
// runs can be replayed here pass by pass.
//
//===----------------------------------------------------------------------===//

#include "nn/Pipelines/Backend.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  nn::registerBackendPasses();

  mlir::DialectRegistry registry;
  nn::registerBackendDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "nn-opt: the nnc optimizer driver\n", registry));
}
