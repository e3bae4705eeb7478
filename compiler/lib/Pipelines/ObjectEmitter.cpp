//===- ObjectEmitter.cpp - LLVM IR, optimization and machine code ---------===//
//
// Translates the LLVM dialect to LLVM IR, adds what the runtime links against
// (the manifest and one `nnc_call_<entry>(void **args)` per entry point, a
// fixed signature over MLIR's `_mlir_ciface_*` wrappers), optimizes for the
// host CPU and emits assembly or an object; for an executable, in parts
// compiled in parallel.
//
//===----------------------------------------------------------------------===//

#include "ObjectEmitter.h"
#include "../Target/CPU/HostTarget.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Pass.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Utils/SplitModule.h"

using namespace mlir;

// The backend lives in ::nn; mlir::nn is the dialect.
namespace nnc = ::nn;

/// Adds `const char nnc_manifest[]`.
static void addManifest(llvm::Module &module, StringRef manifest) {
  llvm::Constant *text =
      llvm::ConstantDataArray::getString(module.getContext(), manifest, true);
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "nnc_manifest");
}

/// Adds `void nnc_call_<entry>(void **args)` that forwards args[0..n) to
/// `_mlir_ciface_<symbol>`, so the runtime calls every model the same way.
static LogicalResult addPackedWrapper(llvm::Module &module,
                                      const nnc::EntryPoint &entry) {
  llvm::Function *target = module.getFunction("_mlir_ciface_" + entry.symbol);
  if (!target)
    return failure();
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptrTy},
                                       /*isVarArg=*/false);
  auto *wrapper =
      llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                             "nnc_call_" + entry.entry, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::SmallVector<llvm::Value *> args;
  for (unsigned i = 0, e = target->arg_size(); i < e; ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptrTy, wrapper->getArg(0), i);
    args.push_back(b.CreateLoad(ptrTy, slot));
  }
  b.CreateCall(target, args);
  b.CreateRetVoid();
  return success();
}

static void optimize(llvm::Module &module, llvm::TargetMachine &machine,
                     unsigned optLevel, bool sanitizeAddress) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  // Like clang's -fsanitize=address: every function is marked, and the pass
  // runs after the optimizer so that it checks the accesses that remain.
  if (sanitizeAddress) {
    for (llvm::Function &f : module)
      if (!f.isDeclaration())
        f.addFnAttr(llvm::Attribute::SanitizeAddress);
    builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager &mpm,
                                               llvm::OptimizationLevel,
                                               llvm::ThinOrFullLTOPhase) {
      mpm.addPass(llvm::AddressSanitizerPass(llvm::AddressSanitizerOptions()));
    });
  }
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

std::unique_ptr<llvm::Module>
nnc::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                       StringRef manifest, ArrayRef<EntryPoint> entries,
                       const BackendOptions &options, bool optimizeModule) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "nnc");
  if (!llvmModule) {
    module.emitError("cannot translate the LLVM dialect to LLVM IR");
    return nullptr;
  }
  addManifest(*llvmModule, manifest);
  for (const EntryPoint &entry : entries) {
    if (failed(addPackedWrapper(*llvmModule, entry))) {
      module.emitError() << "internal error: no C interface for entry point @"
                         << entry.symbol;
      return nullptr;
    }
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  if (!machine) {
    module.emitError() << error;
    return nullptr;
  }
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (optimizeModule)
    optimize(*llvmModule, *machine, options.optLevel, options.sanitizeAddress);
  return llvmModule;
}

LogicalResult nnc::emitMachineCode(llvm::Module &module, bool assembly,
                                   const BackendOptions &options,
                                   llvm::raw_pwrite_stream &os,
                                   std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  if (!machine)
    return failure();
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr,
                                   assembly
                                       ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  return success();
}

/// Parts of an executable's module. Fixed, not the number of cores, so that
/// the same source gives the same machine code on every machine: what is
/// inlined or propagated depends on which functions share a part.
static constexpr unsigned kObjectParts = 4;

/// Optimizes one part (bitcode, read into a context of this thread's own)
/// and writes it to a new temporary object file.
static std::string compilePart(StringRef bitcode,
                               const nnc::BackendOptions &options,
                               std::string &path) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> part = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(bitcode, "nnc-part"), context);
  if (!part)
    return llvm::toString(part.takeError());
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      nnc::createHostTargetMachine(options, error);
  if (!machine)
    return error;
  optimize(**part, *machine, options.optLevel, options.sanitizeAddress);
  SmallString<128> tmp;
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("nnc", "o", fd, tmp))
    return "cannot create a temporary object file: " + ec.message();
  path = std::string(tmp);
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  if (failed(nnc::emitMachineCode(**part, false, options, os, error)))
    return error;
  os.close();
  if (os.has_error())
    return "cannot write '" + path + "': " + os.error().message();
  return "";
}

LogicalResult nnc::emitObjectFiles(llvm::Module &module,
                                   const BackendOptions &options,
                                   SmallVectorImpl<std::string> &paths,
                                   std::string &error) {
  // Each part crosses to its thread as bitcode: an LLVMContext is not shared
  // between threads. Functions go to parts by a hash of their name; internal
  // ones become hidden externals, since OpenMP's outlined bodies all share
  // one internal source-location constant, which would otherwise keep every
  // function with a thread block in one part.
  SmallVector<SmallString<0>> parts;
  llvm::SplitModule(
      module, kObjectParts,
      [&](std::unique_ptr<llvm::Module> part) {
        llvm::raw_svector_ostream os(parts.emplace_back());
        llvm::WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false);
  SmallVector<std::string> partPaths(parts.size()), errors(parts.size());
  {
    // --time-passes's timers are not shared safely between threads.
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency(
        llvm::TimePassesIsEnabled ? 1 : parts.size()));
    for (size_t i = 0; i < parts.size(); ++i)
      pool.async(
          [&, i] { errors[i] = compilePart(parts[i], options, partPaths[i]); });
    pool.wait();
  }
  for (std::string &path : partPaths)
    if (!path.empty())
      paths.push_back(path);
  for (std::string &e : errors)
    if (!e.empty()) {
      error = e;
      return failure();
    }
  return success();
}
