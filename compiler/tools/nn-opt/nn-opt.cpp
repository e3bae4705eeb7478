//===- nn-opt.cpp - mlir-opt with the nn dialect and nnc's passes ---------===//

#include "nn/Conversion/Passes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::nn::registerNNConversionPasses();
  mlir::nn::registerNNTransformsPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::nn::NNDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "nn-opt: the nnc optimizer driver\n", registry));
}
