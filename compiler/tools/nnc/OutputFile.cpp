//===- OutputFile.cpp - Outputs that never damage a file ------------------===//

#include "OutputFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

using namespace nnc;
namespace fs = llvm::sys::fs;

std::unique_ptr<OutputFile> OutputFile::create(llvm::StringRef path,
                                               std::string &error) {
  std::unique_ptr<OutputFile> out(new OutputFile(path));
  std::error_code ec;
  fs::file_status status;
  bool exists = path != "-" && !fs::status(path, status);
  if (exists && fs::is_directory(status)) {
    error = "cannot write '" + path.str() + "': it is a directory";
    return nullptr;
  }
  // stdout and devices are written as they are: there is no file to damage,
  // and a device cannot be renamed over.
  if (path == "-" || (exists && !fs::is_regular_file(status))) {
    out->stream = std::make_unique<llvm::raw_fd_ostream>(path, ec);
  } else {
    llvm::SmallString<256> model(path);
    llvm::sys::path::remove_filename(model);
    llvm::sys::path::append(model, "." + llvm::sys::path::filename(path) +
                                       ".nnc-%%%%%%.tmp");
    int fd;
    llvm::SmallString<256> temp;
    ec = fs::createUniqueFile(model, fd, temp);
    if (!ec) {
      out->tempPath = std::string(temp);
      llvm::sys::RemoveFileOnSignal(temp);
      out->stream = std::make_unique<llvm::raw_fd_ostream>(fd, true);
    }
  }
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return nullptr;
  }
  return out;
}

OutputFile::~OutputFile() {
  if (committed || tempPath.empty())
    return;
  stream.reset();
  fs::remove(tempPath);
  llvm::sys::DontRemoveFileOnSignal(tempPath);
}

llvm::raw_ostream &OutputFile::os() { return *stream; }

bool OutputFile::commit(std::string &error) {
  stream->close();
  if (stream->has_error()) {
    error = "cannot write '" + path + "': " + stream->error().message();
    stream->clear_error();
    return false;
  }
  if (!tempPath.empty()) {
    if (std::error_code ec = fs::rename(tempPath, path)) {
      error = "cannot write '" + path + "': " + ec.message();
      return false;
    }
    llvm::sys::DontRemoveFileOnSignal(tempPath);
  }
  committed = true;
  return true;
}

std::optional<std::string>
nnc::findOutputAmongInputs(llvm::StringRef output,
                           llvm::ArrayRef<std::string> inputs) {
  if (output == "-")
    return std::nullopt;
  for (const std::string &input : inputs) {
    bool same = false;
    if (!fs::equivalent(output, input, same) && same)
      return input;
  }
  return std::nullopt;
}
