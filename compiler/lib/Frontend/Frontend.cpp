//===- Frontend.cpp - Loading a .nn program: stdlib, files, imports -------===//

#include "nn/Frontend/Frontend.h"
#include "nn/Frontend/Diagnostics.h"
#include "nn/Frontend/Parser.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include <algorithm>

using namespace nn;

namespace {
class Loader {
public:
  Loader(DiagEngine &diags, Program &program)
      : diags(diags), program(program) {}

  bool loadFile(llvm::StringRef path, llvm::SMLoc importLoc, bool isStdlib,
                std::unique_ptr<llvm::MemoryBuffer> buffer = nullptr);

private:
  DiagEngine &diags;
  Program &program;
  llvm::StringSet<> loaded;
  std::vector<std::string> stack; // files being loaded, for cycles
};
} // namespace

static std::string canonicalPath(llvm::StringRef path) {
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(path, real))
    return real.str().str();
  llvm::SmallString<256> abs(path);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  return abs.str().str();
}

bool Loader::loadFile(llvm::StringRef path, llvm::SMLoc importLoc,
                      bool isStdlib,
                      std::unique_ptr<llvm::MemoryBuffer> buffer) {
  std::string canonical = canonicalPath(path);
  if (llvm::is_contained(stack, canonical)) {
    diags.error(importLoc,
                "import cycle: '" + path + "' is already being imported");
    return false;
  }
  if (!loaded.insert(canonical).second)
    return true; // each file once
  if (!buffer) {
    auto fileOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!fileOrErr) {
      std::string msg =
          "cannot open '" + path.str() + "': " + fileOrErr.getError().message();
      if (importLoc.isValid())
        diags.error(importLoc, msg);
      else
        diags.error(mlir::UnknownLoc::get(&diags.getContext()), msg);
      return false;
    }
    buffer = std::move(*fileOrErr);
  }
  llvm::StringRef contents = buffer->getBuffer();
  diags.getSourceMgr().AddNewSourceBuffer(std::move(buffer), importLoc);

  auto file = std::make_unique<FileAST>();
  file->path = path.str();
  bool ok = parseFile(contents, diags, *file);
  llvm::SmallString<256> dir(canonical);
  llvm::sys::path::remove_filename(dir);
  for (auto &fn : file->funcs) {
    fn->fromStdlib = isStdlib;
    fn->inMainFile = !isStdlib && !importLoc.isValid();
  }
  for (auto &train : file->trains)
    train->dir = dir.str().str();
  std::vector<ImportDecl> imports = file->imports;
  program.files.push_back(std::move(file));

  stack.push_back(canonical);
  for (const ImportDecl &imp : imports) {
    if (diags.shouldStop())
      break;
    llvm::SmallString<256> target(imp.path);
    if (!llvm::sys::path::is_absolute(target)) {
      target = llvm::sys::path::parent_path(path);
      llvm::sys::path::append(target, imp.path);
    }
    ok = loadFile(target, imp.loc, isStdlib) && ok;
  }
  stack.pop_back();
  return ok;
}

bool nn::loadProgram(llvm::StringRef path, llvm::StringRef stdlibDir,
                     DiagEngine &diags, Program &program,
                     std::optional<llvm::StringRef> contents) {
  Loader loader(diags, program);
  bool ok = true;
  if (!stdlibDir.empty()) {
    std::vector<std::string> files;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(stdlibDir, ec), end;
         it != end && !ec; it.increment(ec))
      if (llvm::sys::path::extension(it->path()) == ".nn")
        files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const std::string &file : files)
      ok = loader.loadFile(file, llvm::SMLoc(), /*isStdlib=*/true) && ok;
  }
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (contents)
    buffer = llvm::MemoryBuffer::getMemBufferCopy(*contents, path);
  return loader.loadFile(path, llvm::SMLoc(), /*isStdlib=*/false,
                         std::move(buffer)) &&
         ok;
}

std::string nn::findStdlib(llvm::StringRef flag, llvm::StringRef argv0,
                           void *mainAddr, llvm::StringRef builtinDir) {
  if (!flag.empty())
    return flag.str();
  if (auto env = llvm::sys::Process::GetEnv("NNC_STDLIB"))
    return *env;
  std::string exe =
      llvm::sys::fs::getMainExecutable(argv0.str().c_str(), mainAddr);
  if (!exe.empty()) {
    llvm::SmallString<256> dir(llvm::sys::path::parent_path(exe));
    llvm::sys::path::append(dir, "..", "share", "nnc", "stdlib");
    if (llvm::sys::fs::is_directory(dir))
      return dir.str().str();
  }
  if (llvm::sys::fs::is_directory(builtinDir))
    return builtinDir.str();
  return "";
}
