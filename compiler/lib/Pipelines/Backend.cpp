//===- Backend.cpp - runs the stages and writes what nnc emits ------------===//

#include "nn/Pipelines/Backend.h"
#include "CPUCodegen.h"
#include "Manifest.h"
#include "ObjectEmitter.h"

#include "nn/Conversion/Passes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"


using namespace mlir;

// The backend lives in ::nn; mlir::nn is the dialect.
namespace nnc = ::nn;

void nnc::registerBackendDialects(DialectRegistry &registry) {
  registry.insert<mlir::nn::NNDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

void nnc::registerBackendPasses() {
  registerAllPasses();
  mlir::nn::registerNNConversionPasses();
  mlir::nn::registerNNTransformsPasses();
  registerCPUCodegenPasses();
}

/// libnnrt.a: --runtime-lib, else ../lib next to the nnc binary.
static std::string findRuntimeLibrary(const nnc::BackendOptions &options) {
  if (!options.runtimeLibrary.empty())
    return options.runtimeLibrary;
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib", "libnnrt.a");
  return std::string(path);
}

/// Links `object` with the runtime into `output` with the system C++ driver.
/// Code with thread blocks calls LLVM's OpenMP runtime (libomp, a system
/// library); code without them does not depend on it.
static LogicalResult linkExecutable(ModuleOp module, StringRef object,
                                    StringRef output, bool usesOpenMP,
                                    const nnc::BackendOptions &options) {
  std::string runtime = findRuntimeLibrary(options);
  if (!llvm::sys::fs::exists(runtime))
    return module.emitError() << "cannot find the runtime library '" << runtime
                              << "'";
  auto driver = llvm::sys::findProgramByName("c++");
  if (!driver)
    driver = llvm::sys::findProgramByName("g++");
  if (!driver)
    return module.emitError("cannot find a C++ linker driver (c++ or g++)");
  SmallVector<StringRef> args = {*driver, "-o",     output,  object,
                                 runtime, "-lz",    "-lm",   "-lpthread"};
  if (usesOpenMP)
    args.push_back("-lomp");
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0,
                                     &error);
  if (rc != 0)
    return module.emitError() << "linking '" << output << "' failed"
                              << (error.empty() ? "" : ": " + error);
  return success();
}

LogicalResult nnc::runBackend(ModuleOp module, BackendStage stage,
                             const BackendOptions &options,
                             llvm::raw_ostream &os, StringRef outputPath) {
  // The manifest is read from nn-level attributes, before lowering drops them.
  if (stage <= BackendStage::Linalg) {
    if (failed(lowerModule(module, BackendStage::NNTrain, stage, options)))
      return failure();
    module.print(os);
    return success();
  }
  if (failed(lowerModule(module, BackendStage::NNTrain, BackendStage::NNTrain,
                          options)))
    return failure();
  FailureOr<std::string> manifest = buildManifest(module);
  if (failed(manifest))
    return failure();
  SmallVector<EntryPoint> entries = findEntryPoints(module);
  if (failed(lowerModule(module, BackendStage::Linalg, BackendStage::LLVM,
                          options)))
    return failure();
  if (stage == BackendStage::LLVM) {
    module.print(os);
    return success();
  }

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(module, context, *manifest, entries, options);
  if (!llvmModule)
    return failure();
  if (stage == BackendStage::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }

  std::string error;
  if (stage == BackendStage::Asm) {
    SmallString<0> text;
    llvm::raw_svector_ostream buffer(text);
    if (failed(emitMachineCode(*llvmModule, true, options, buffer, error)))
      return module.emitError() << error;
    os << text;
    return success();
  }

  // Objects and executables go to files; the executable's object is a
  // temporary that is removed whatever happens.
  std::string objectPath = outputPath.str();
  if (stage == BackendStage::Exe) {
    SmallString<128> tmp;
    if (llvm::sys::fs::createTemporaryFile("nnc", "o", tmp))
      return module.emitError("cannot create a temporary object file");
    objectPath = std::string(tmp);
  }
  {
    std::error_code ec;
    llvm::ToolOutputFile file(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError() << "cannot write '" << objectPath
                                << "': " << ec.message();
    if (failed(emitMachineCode(*llvmModule, false, options, file.os(), error)))
      return module.emitError() << error;
    file.keep();
  }
  if (stage == BackendStage::Obj)
    return success();
  bool usesOpenMP = llvmModule->getFunction("__kmpc_fork_call") != nullptr;
  LogicalResult linked =
      linkExecutable(module, objectPath, outputPath, usesOpenMP, options);
  llvm::sys::fs::remove(objectPath);
  return linked;
}
