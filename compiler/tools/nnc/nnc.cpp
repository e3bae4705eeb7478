//===- nnc.cpp - The nnc compiler driver ----------------------------------===//
//
// Like toyc: the --emit= kinds form an ordered enum; the frontend produces nn
// IR and, for later kinds, nn::runBackend lowers it.
//
//===----------------------------------------------------------------------===//

#include "BackendErrors.h"
#include "OutputFile.h"
#include "nn/Frontend/AST.h"
#include "nn/Frontend/Diagnostics.h"
#include "nn/Frontend/Frontend.h"
#include "nn/Frontend/Lexer.h"
#include "nn/Frontend/MLIRGen.h"
#include "nn/Frontend/Parser.h"
#include "nn/Pipelines/Backend.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "nn/Dialect/NN/IR/NNDialect.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/thread.h"

namespace cl = llvm::cl;

namespace {
/// In pipeline order, so that `emitKind < Emit::Obj` means a text output.
enum class Emit {
  Tokens,
  AST,
  Dot,
  NN,
  NNTrain,
  Linalg,
  LLVM,
  LLVMIR,
  Asm,
  PTX,
  Obj,
  Exe
};
} // namespace

static cl::OptionCategory nncCategory("nnc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.nn>"),
                                      cl::Required, cl::cat(nncCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"),
                                       cl::cat(nncCategory));
static cl::opt<Emit> emitKind(
    "emit", cl::desc("What to produce"), cl::init(Emit::Exe),
    cl::values(clEnumValN(Emit::Tokens, "tokens", "the tokens, one a line"),
               clEnumValN(Emit::AST, "ast", "the syntax tree of the file"),
               clEnumValN(Emit::NN, "nn", "the nn dialect as generated"),
               clEnumValN(Emit::NNTrain, "nn-train",
                          "after autodiff and the optimizer step"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Emit::LLVM, "llvm", "the LLVM dialect"),
               clEnumValN(Emit::LLVMIR, "llvm-ir", "LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::Obj, "obj", "an object file"),
               clEnumValN(Emit::PTX, "ptx", "the CUDA kernels as PTX"),
               clEnumValN(Emit::Dot, "dot", "the network graph for Graphviz"),
               clEnumValN(Emit::Exe, "exe", "an executable (default)")),
    cl::cat(nncCategory));
static cl::opt<nn::Target> target(
    "target", cl::desc("Target"), cl::init(nn::Target::CPU),
    cl::values(clEnumValN(nn::Target::CPU, "cpu", "this machine's CPU"),
               clEnumValN(nn::Target::CUDA, "cuda", "NVIDIA GPUs"),
               clEnumValN(nn::Target::CUDAEmulated, "cuda-emulated",
                          "tests: the CUDA mapping, kernels run on this CPU")),
    cl::cat(nncCategory));
static cl::opt<char> optLevel("O", cl::desc("Optimization level (-O0..-O3)"),
                              cl::Prefix, cl::init('2'), cl::cat(nncCategory));
static cl::opt<std::string> modelName("model", cl::desc("The model to build"),
                                      cl::value_desc("name"),
                                      cl::cat(nncCategory));
static cl::opt<bool> checkOnly("check",
                               cl::desc("Parse and check only; print nothing"),
                               cl::cat(nncCategory));
static cl::opt<unsigned> batchSize("batch",
                                   cl::desc("Batch size override for the "
                                            "executable"),
                                   cl::init(0), cl::cat(nncCategory));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU"),
                                 cl::init("native"), cl::cat(nncCategory));
static cl::opt<std::string> cudaArch("cuda-arch", cl::desc("CUDA architecture"),
                                     cl::init("sm_90"), cl::cat(nncCategory));
static cl::opt<std::string> libdevice(
    "libdevice",
    cl::desc("libdevice.10.bc for GPU math (default: search $CUDA_HOME, "
             "/usr/local/cuda; 'none': without)"),
    cl::value_desc("file"), cl::cat(nncCategory));
static cl::opt<unsigned> emulationDropBlocks(
    "cuda-emulated-drop-blocks",
    cl::desc("tests: run N fewer blocks along x in --target=cuda-emulated"),
    cl::init(0), cl::Hidden, cl::cat(nncCategory));
#ifndef NNC_SANITIZE_DEFAULT
#define NNC_SANITIZE_DEFAULT 0
#endif
enum class Sanitizer { None, Address };
static cl::opt<Sanitizer> sanitizer(
    "sanitize", cl::desc("Check the generated code at run time"),
    cl::init(NNC_SANITIZE_DEFAULT ? Sanitizer::Address : Sanitizer::None),
    cl::values(clEnumValN(Sanitizer::Address, "address",
                          "memory accesses, with AddressSanitizer"),
               clEnumValN(Sanitizer::None, "none", "no checks (default)")),
    cl::cat(nncCategory));
static cl::opt<bool> gradientsF64(
    "gradcheck-f64",
    cl::desc("Add a float64 copy of the gradients for the executable's "
             "gradcheck (CPU; default on)"),
    cl::init(true), cl::cat(nncCategory));
static cl::opt<std::string>
    stdlibDir("stdlib",
              cl::desc("Standard library directory (else $NNC_STDLIB)"),
              cl::value_desc("dir"), cl::cat(nncCategory));
static cl::opt<unsigned> errorLimit("error-limit",
                                    cl::desc("Stop after N errors (0: never)"),
                                    cl::init(20), cl::cat(nncCategory));
// --time-passes is LLVM's own flag (TimePassesIsEnabled); the frontend's
// phases are timed with it too.
static bool timePasses() { return llvm::TimePassesIsEnabled; }

#ifndef NNC_STDLIB_SOURCE_DIR
#define NNC_STDLIB_SOURCE_DIR ""
#endif

/// Prints the graph of a model in Graphviz form.
static void printDot(const nn::ModelGraph &g, llvm::raw_ostream &os) {
  os << "digraph \"" << g.name << "\" {\n  node [shape=box];\n";
  for (auto [i, node] : llvm::enumerate(g.nodes)) {
    std::string label;
    if (node.op == nn::OpKind::Input)
      label = "input " + g.inputs[node.index].name;
    else if (node.op == nn::OpKind::Param)
      label = "param " + g.params[node.index].name;
    else if (node.op == nn::OpKind::Constant)
      label = "constant " + std::to_string(node.floatAttr);
    else
      label = nn::getOpKindName(node.op).str();
    os << "  n" << i << " [label=\"" << label << "\\n"
       << nn::formatType(node.type, g.batchName) << "\"];\n";
    for (int operand : node.operands)
      os << "  n" << operand << " -> n" << i << ";\n";
  }
  os << "}\n";
}

/// sm_70 and newer: the PTX ISA 8.0 that the module asks for covers them.
static bool isCudaArch(llvm::StringRef arch) {
  unsigned number = 0;
  return arch.consume_front("sm_") && !arch.consumeInteger(10, number) &&
         (arch.empty() || arch == "a") && number >= 70;
}

/// Runs the frontend and, past --emit=nn, the backend. Returns false when
/// anything was reported.
static bool compile(mlir::MLIRContext &ctx, nn::DiagEngine &diags,
                    llvm::raw_ostream &os, llvm::StringRef finalPath,
                    llvm::StringRef outPath) {
  // Every file read counts as an input that the output must not replace.
  auto outputIsInput = [&](llvm::ArrayRef<std::string> inputs) {
    std::optional<std::string> input =
        nnc::findOutputAmongInputs(finalPath, inputs);
    if (input)
      diags.error(mlir::UnknownLoc::get(&ctx),
                  "the output '" + finalPath + "' is the input file '" +
                      *input + "'; choose another -o");
    return input.has_value();
  };
  llvm::TimerGroup timers("nnc", "nnc frontend");
  auto phase = [&](llvm::StringRef name) {
    auto t = std::make_unique<llvm::Timer>(name, name, timers);
    return t;
  };
  if (emitKind == Emit::Tokens || emitKind == Emit::AST) {
    auto file = llvm::MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
    if (!file) {
      diags.error(mlir::UnknownLoc::get(&ctx),
                  "cannot open '" + inputFile +
                      "': " + file.getError().message());
      return false;
    }
    llvm::StringRef text = (*file)->getBuffer();
    diags.getSourceMgr().AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
    if (outputIsInput({inputFile}))
      return false;
    if (emitKind == Emit::Tokens) {
      nn::Lexer lexer(text, diags);
      auto &sm = diags.getSourceMgr();
      for (const nn::Token &tok : lexer.lexAll()) {
        auto [line, col] = sm.getLineAndColumn(tok.getLoc());
        os << line << ":" << col << " " << nn::getTokenKindName(tok.kind);
        if (!tok.is(nn::TokenKind::newline) && !tok.is(nn::TokenKind::eof))
          os << " '" << tok.spelling << "'";
        os << "\n";
      }
      return !diags.hadError();
    }
    nn::FileAST ast;
    ast.path = inputFile;
    if (!nn::parseFile(text, diags, ast))
      return false;
    nn::printAST(ast, diags, os);
    return true;
  }

  auto parseTimer = phase("parse");
  if (timePasses())
    parseTimer->startTimer();
  static int anchor;
  std::string stdlib =
      nn::findStdlib(stdlibDir, "nnc", &anchor, NNC_STDLIB_SOURCE_DIR);
  if (!stdlibDir.empty() && !llvm::sys::fs::is_directory(stdlibDir)) {
    diags.error(mlir::UnknownLoc::get(&ctx),
                "standard library directory '" + stdlibDir + "' not found");
    return false;
  }
  nn::Program program;
  bool ok = nn::loadProgram(inputFile, stdlib, diags, program);
  if (timePasses())
    parseTimer->stopTimer();
  if (!ok)
    return false;
  std::vector<std::string> inputs;
  for (const auto &file : program.files)
    inputs.push_back(file->path);
  if (outputIsInput(inputs))
    return false;

  auto semaTimer = phase("check");
  if (timePasses())
    semaTimer->startTimer();
  std::vector<nn::ModelGraph> models;
  ok = nn::checkProgram(program, diags, models);
  if (timePasses())
    semaTimer->stopTimer();
  if (!ok || checkOnly)
    return ok;

  const nn::ModelGraph *selected =
      nn::selectModel(models, modelName, diags, llvm::SMLoc());
  if (!selected)
    return false;
  nn::ModelGraph overridden = *selected;
  const nn::ModelGraph *model = &overridden;
  if (batchSize.getNumOccurrences()) {
    if (!overridden.train) {
      diags.error(mlir::UnknownLoc::get(&ctx),
                  "--batch sets the batch of the train block, but model '" +
                      overridden.name + "' has none");
      return false;
    }
    overridden.train->batch = batchSize;
  }
  if (emitKind == Emit::Dot) {
    printDot(*model, os);
    return true;
  }
  auto genTimer = phase("mlirgen");
  if (timePasses())
    genTimer->startTimer();
  mlir::OwningOpRef<mlir::ModuleOp> module = nn::genModule(*model, ctx);
  ok = succeeded(mlir::verify(*module));
  if (timePasses())
    genTimer->stopTimer();
  if (!ok)
    return false;
  if (emitKind == Emit::NN) {
    module->print(os);
    return true;
  }
  if (emitKind == Emit::PTX && target != nn::Target::CUDA) {
    diags.error(mlir::UnknownLoc::get(&ctx), "--emit=ptx needs --target=cuda");
    return false;
  }
  if (!isCudaArch(cudaArch)) {
    diags.error(mlir::UnknownLoc::get(&ctx),
                "unknown --cuda-arch '" + cudaArch +
                    "' (expected sm_NN, e.g. sm_80 or sm_90, at least sm_70)");
    return false;
  }
  if (!libdevice.empty() && libdevice != "none" &&
      !llvm::sys::fs::exists(libdevice)) {
    diags.error(mlir::UnknownLoc::get(&ctx),
                "libdevice '" + libdevice + "' not found");
    return false;
  }
  nn::BackendOptions options;
  options.target = target;
  options.cudaArch = cudaArch;
  options.libdevice = libdevice;
  options.emulationDropBlocks = emulationDropBlocks;
  options.optLevel = optLevel - '0';
  options.mcpu = mcpu;
  options.sanitizeAddress = sanitizer == Sanitizer::Address;
  options.gradientsF64 = gradientsF64;
  nn::BackendStage stage = emitKind == Emit::NNTrain ? nn::BackendStage::NNTrain
                           : emitKind == Emit::Linalg ? nn::BackendStage::Linalg
                           : emitKind == Emit::LLVM   ? nn::BackendStage::LLVM
                           : emitKind == Emit::PTX    ? nn::BackendStage::PTX
                           : emitKind == Emit::LLVMIR ? nn::BackendStage::LLVMIR
                           : emitKind == Emit::Asm    ? nn::BackendStage::Asm
                           : emitKind == Emit::Obj    ? nn::BackendStage::Obj
                                                      : nn::BackendStage::Exe;
  return succeeded(nnc::runReportingOneError(ctx, [&] {
    return nn::runBackend(*module, stage, options, os, outPath);
  }));
}

static int compile(int argc, char **argv) {
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  nn::registerBackendPasses();
  // --help lists nnc's options and the MLIR ones, not all of libLLVM's.
  for (auto &entry : cl::getRegisteredOptions()) {
    llvm::StringRef name = entry.first;
    if (!name.starts_with("mlir-") && name != "time-passes" && name != "help" &&
        name != "version" && name != "color" &&
        entry.second->getOptionHiddenFlag() == cl::NotHidden &&
        !llvm::is_contained(entry.second->Categories, &nncCategory))
      entry.second->setHiddenFlag(cl::Hidden);
  }
  cl::ParseCommandLineOptions(argc, argv,
                              "nnc: the compiler for .nn neural networks\n");
  if (batchSize.getNumOccurrences() && batchSize == 0) {
    llvm::errs() << "nnc: error: --batch must be at least 1\n";
    return 1;
  }
  if (optLevel < '0' || optLevel > '3') {
    llvm::errs() << "nnc: error: unknown optimization level -O" << optLevel
                 << "\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  nn::registerBackendDialects(registry);
  mlir::MLIRContext ctx(registry);
  // An error names the user's line; the IR around it is printed only when
  // --mlir-print-op-on-diagnostic is given.
  if (!cl::getRegisteredOptions()
           .lookup("mlir-print-op-on-diagnostic")
           ->getNumOccurrences())
    ctx.printOpOnDiagnostic(false);
  ctx.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  nn::DiagEngine diags(sourceMgr, ctx, errorLimit);

  bool textKind = emitKind < Emit::Obj;
  std::string outPath = outputFile;
  if (outPath.empty() && textKind)
    outPath = "-";
  if (outPath.empty()) {
    llvm::SmallString<128> stem(llvm::sys::path::stem(inputFile));
    if (emitKind == Emit::Obj)
      stem += ".o";
    outPath = stem.str().str();
  }
  // Written to a temporary file, renamed into place only on success.
  std::unique_ptr<nnc::OutputFile> out;
  if (!checkOnly) {
    std::string error;
    out = nnc::OutputFile::create(outPath, error);
    if (!out) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return 1;
    }
  }
  bool ok = compile(ctx, diags, out ? out->os() : llvm::nulls(), outPath,
                    out ? out->writePath() : llvm::StringRef());
  if (diags.shouldStop())
    llvm::errs() << "nnc: error: too many errors emitted, stopping now "
                    "[--error-limit="
                 << errorLimit << "]\n";
  if (!ok || diags.hadError())
    return 1;
  std::string error;
  if (out && !out->commit(error)) {
    llvm::errs() << "nnc: error: " << error << "\n";
    return 1;
  }
  return 0;
}

/// Sema evaluates layer calls and expressions recursively: 64 nested layer
/// calls (Sema's limit) each holding a 200-deep expression (the parser's)
/// take about 50 MiB of stack, more than the 8 MiB of a main thread, so the
/// compiler runs on a thread with room for them (reserved, not touched).
static constexpr unsigned kCompilerStackBytes = 256u << 20;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  int rc = 1;
  llvm::thread compiler(std::optional<unsigned>(kCompilerStackBytes),
                        [&] { rc = compile(argc, argv); });
  compiler.join();
  return rc;
}
