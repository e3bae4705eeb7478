//===- Backend.cpp - runs the stages and writes what nnc emits ------------===//

#include "nn/Pipelines/Backend.h"
#include "../Target/CPU/HostTarget.h"
#include "../Target/PipelineText.h"
#include "Manifest.h"
#include "ModelCost.h"
#include "ObjectEmitter.h"

#include "nn/Conversion/Passes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "nn/Dialect/NN/Transforms/Passes.h"
#include "nn/Target/Targets.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

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
  registerTargetPasses();
}

/// Gradients and the training step, at the nn level (nn-train).
constexpr llvm::StringLiteral kTrainStage = "nn-autodiff,nn-build-train-step";

/// nn to linalg on tensors, elementwise chains fused.
constexpr llvm::StringLiteral kLinalgStage =
    "func.func(canonicalize),convert-nn-to-linalg,"
    "func.func(canonicalize,nn-fuse-elementwise,"
    "canonicalize),cse";

/// Runs the passes `build` adds, with the MLIR debug flags when asked.
static LogicalResult runStage(ModuleOp module,
                              const nnc::BackendOptions &options,
                              llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module->getName());
  if (options.applyMLIRCommandLine) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    applyDefaultTimingPassManagerCLOptions(pm); // --mlir-timing
  }
  build(pm);
  return pm.run(module);
}

static bool hasTrainBlock(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(mlir::nn::kTrainAttr))
      return true;
  return false;
}

/// The runtime calls entry points through MLIR's C interface wrappers.
static void markEntryPoints(ModuleOp module) {
  for (const nnc::EntryPoint &entry : nnc::findEntryPoints(module))
    if (auto func = module.lookupSymbol<func::FuncOp>(entry.symbol))
      func->setAttr("llvm.emit_c_interface",
                    UnitAttr::get(module.getContext()));
}

/// The nn.* attributes have served the manifest; LLVM IR translation would
/// warn about each of them. The markers of arguments and results stay for the
/// lowering (nnc-cpu-write-updates-in-place pairs them) and go after it.
static void dropNNAttributes(ModuleOp module, bool argumentsAndResults) {
  auto isNN = [](NamedAttribute attr) {
    return attr.getName().getValue().starts_with("nn.");
  };
  auto withoutNN = [&](DictionaryAttr dict) {
    SmallVector<NamedAttribute> kept;
    if (dict)
      llvm::copy_if(dict.getValue(), std::back_inserter(kept),
                    [&](NamedAttribute a) { return !isNN(a); });
    return DictionaryAttr::get(module.getContext(), kept);
  };
  module.walk([&](FunctionOpInterface func) {
    if (!argumentsAndResults) {
      for (NamedAttribute attr : llvm::to_vector(func->getDiscardableAttrs()))
        if (isNN(attr))
          func->removeDiscardableAttr(attr.getName());
      return;
    }
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.setArgAttrs(i, withoutNN(func.getArgAttrDict(i)));
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
      func.setResultAttrs(i, withoutNN(func.getResultAttrDict(i)));
  });
}

void nnc::buildLoweringPipeline(OpPassManager &pm,
                                const BackendOptions &options) {
  switch (options.target) {
  case nnc::Target::CPU:
    return buildCPULoweringPipeline(pm, options);
  case nnc::Target::CUDA:
    return buildCUDALoweringPipeline(pm, options);
  case nnc::Target::CUDAEmulated:
    return buildCUDAEmulatedLoweringPipeline(pm, options);
  }
}

LogicalResult nnc::lowerModule(ModuleOp module, BackendStage first,
                               BackendStage last,
                               const BackendOptions &options) {
  auto runs = [&](BackendStage stage) {
    return first <= stage && stage <= last;
  };
  auto text = [](StringRef pipeline) {
    return [pipeline](OpPassManager &pm) { addPipelineText(pm, pipeline); };
  };
  if (runs(BackendStage::NNTrain) && hasTrainBlock(module) &&
      failed(runStage(module, options, text(kTrainStage))))
    return failure();
  if (runs(BackendStage::Linalg) &&
      failed(runStage(module, options, text(kLinalgStage))))
    return failure();
  // gradcheck's float64 differences run on the host CPU.
  if (runs(BackendStage::Linalg) && options.target == nnc::Target::CPU &&
      options.gradientsF64 &&
      failed(runStage(module, options, text("nn-gradients-f64"))))
    return failure();
  if (!runs(BackendStage::LLVM))
    return success();
  markEntryPoints(module);
  dropNNAttributes(module, /*argumentsAndResults=*/false);
  if (failed(runStage(module, options, [&](OpPassManager &pm) {
        buildLoweringPipeline(pm, options);
      })))
    return failure();
  dropNNAttributes(module, /*argumentsAndResults=*/true);
  return success();
}

/// libnnrt.a, in ../lib next to the nnc binary (the build tree and an
/// installation have the same layout).
static std::string findRuntimeLibrary() {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib", "libnnrt.a");
  return std::string(path);
}

/// Links `objects` with the runtime into `output` with the system C++ driver.
/// Code with thread blocks calls LLVM's OpenMP runtime (libomp, a system
/// library); code without them does not depend on it.
static LogicalResult linkExecutable(ModuleOp module,
                                    ArrayRef<std::string> objects,
                                    StringRef output, bool usesOpenMP,
                                    const nnc::BackendOptions &options) {
  std::string runtime = findRuntimeLibrary();
  if (!llvm::sys::fs::exists(runtime))
    return module.emitError()
           << "cannot find the runtime library '" << runtime << "'";
  // A runtime built with sanitizers (cmake -DNNC_SANITIZE=ON) links with the
  // compiler that built it, whose sanitizer runtimes it was compiled for.
#ifdef NNC_SANITIZER_LINK_DRIVER
  auto driver = llvm::ErrorOr<std::string>(NNC_SANITIZER_LINK_DRIVER);
#else
  auto driver = llvm::sys::findProgramByName("c++");
  if (!driver)
    driver = llvm::sys::findProgramByName("g++");
#endif
  if (!driver)
    return module.emitError("cannot find a C++ linker driver (c++ or g++)");
  SmallVector<StringRef> args = {*driver, "-o", output};
  args.append(objects.begin(), objects.end());
  args.append({runtime, "-lz", "-lm", "-lpthread"});
#ifdef NNC_SANITIZER_FLAGS
  args.push_back(NNC_SANITIZER_FLAGS);
#endif
  if (options.sanitizeAddress)
    args.push_back("-fsanitize=address");
  if (usesOpenMP)
    args.push_back("-lomp");
  // The CUDA driver is loaded with dlopen, only when a GPU is used.
  args.push_back("-ldl");
  std::string error;
  int rc =
      llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0, &error);
  if (rc != 0)
    return module.emitError() << "linking '" << output << "' failed"
                              << (error.empty() ? "" : ": " + error);
  return success();
}

/// The manifest's `build` object: what `info` shows of how nnc built the
/// model.
static llvm::json::Object buildFlags(const nnc::BackendOptions &options) {
  llvm::json::Object flags;
  switch (options.target) {
  case nnc::Target::CPU:
    flags["target"] = "cpu";
    flags["mcpu"] = options.mcpu == "native"
                        ? "native (" + llvm::sys::getHostCPUName().str() + ")"
                        : options.mcpu;
    flags["avx512"] = targetHasAVX512(options) ? "yes" : "no";
    break;
  case nnc::Target::CUDA:
    flags["target"] = "cuda";
    flags["cuda-arch"] = options.cudaArch;
    break;
  case nnc::Target::CUDAEmulated:
    flags["target"] = "cuda-emulated";
    break;
  }
  flags["opt"] = "-O" + std::to_string(options.optLevel);
  flags["sanitize"] = options.sanitizeAddress ? "address" : "none";
  return flags;
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
  FailureOr<llvm::json::Object> manifest = buildManifest(module);
  if (failed(manifest))
    return failure();
  // The runtime runs a CUDA build's entry points on the device.
  if (options.target == Target::CUDA)
    (*manifest)["device"] =
        llvm::json::Object{{"kind", "cuda"}, {"arch", options.cudaArch}};
  (*manifest)["build"] = buildFlags(options);
  if (failed(lowerModule(module, BackendStage::Linalg, BackendStage::Linalg,
                         options)))
    return failure();
  SmallVector<EntryPoint> entries = findEntryPoints(module);
  if (llvm::any_of(entries, [](const EntryPoint &e) {
        return e.entry == "gradients_f64";
      }))
    manifest->getArray("entries")->push_back("gradients_f64");
  // FLOPs and tensor sizes are read where every computation is a linalg op.
  addCostToManifest(module, *manifest);
  if (failed(
          lowerModule(module, BackendStage::LLVM, BackendStage::LLVM, options)))
    return failure();
  if (stage == BackendStage::LLVM) {
    module.print(os);
    return success();
  }
  if (stage == BackendStage::PTX) {
    if (options.target != Target::CUDA)
      return module.emitError("--emit=ptx needs --target=cuda");
    FailureOr<std::string> ptx = extractPTX(module);
    if (failed(ptx))
      return failure();
    os << *ptx;
    return success();
  }

  // The kernel table served --emit=ptx; LLVM IR translation has no use for it.
  module->removeAttr("nn.kernel_table");
  // A CPU executable is optimized and compiled in parts, in parallel; what
  // --emit shows, and GPU builds (whose kernel registration runs from a
  // global constructor), stay one module.
  bool inParts = stage == BackendStage::Exe && options.target == Target::CPU;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(module, context, printManifest(*manifest), entries,
                        options, /*optimizeModule=*/!inParts);
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

  if (stage == BackendStage::Obj) {
    std::error_code ec;
    llvm::ToolOutputFile file(outputPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError()
             << "cannot write '" << outputPath << "': " << ec.message();
    if (failed(emitMachineCode(*llvmModule, false, options, file.os(), error)))
      return module.emitError() << error;
    file.keep();
    return success();
  }

  // The executable's objects are temporaries, removed whatever happens.
  bool usesOpenMP = llvmModule->getFunction("__kmpc_fork_call") != nullptr;
  SmallVector<std::string> objects;
  llvm::scope_exit removeObjects([&] {
    for (const std::string &path : objects)
      llvm::sys::fs::remove(path);
  });
  if (inParts) {
    if (failed(emitObjectFiles(*llvmModule, options, objects, error)))
      return module.emitError() << error;
  } else {
    SmallString<128> tmp;
    int fd;
    if (llvm::sys::fs::createTemporaryFile("nnc", "o", fd, tmp))
      return module.emitError("cannot create a temporary object file");
    objects.push_back(std::string(tmp));
    llvm::raw_fd_ostream file(fd, /*shouldClose=*/true);
    if (failed(emitMachineCode(*llvmModule, false, options, file, error)))
      return module.emitError() << error;
  }
  return linkExecutable(module, objects, outputPath, usesOpenMP, options);
}
