//===- OutputFile.h - Outputs that never damage a file ----------*- C++ -*-===//
//
// nnc writes each output to a temporary file next to it and renames that over
// the output only when the whole compile succeeded, so a failed or killed
// compile leaves the old file (or none) in place. An output that is one of
// the inputs is refused before anything is written.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TOOLS_OUTPUTFILE_H
#define NNC_TOOLS_OUTPUTFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>
#include <optional>
#include <string>

namespace nnc {

class OutputFile {
public:
  /// Prepares to write `path` ("-" is stdout). Checks that its folder can
  /// take a new file; on failure returns null and sets `error`.
  static std::unique_ptr<OutputFile> create(llvm::StringRef path,
                                            std::string &error);
  ~OutputFile();

  /// The stream for text outputs (stdout, or the temporary file).
  llvm::raw_ostream &os();
  /// Where a backend writes a binary output: the temporary file's path, or
  /// the output itself when it is not a regular file (/dev/null, "-").
  llvm::StringRef writePath() const {
    return tempPath.empty() ? path : tempPath;
  }
  /// Moves the finished output into place.
  bool commit(std::string &error);

private:
  OutputFile(llvm::StringRef path) : path(path.str()) {}
  std::string path, tempPath;
  std::unique_ptr<llvm::raw_fd_ostream> stream;
  bool committed = false;
};

/// The file among `inputs` that `output` is (the same file, also through
/// hard or symbolic links), if any.
std::optional<std::string>
findOutputAmongInputs(llvm::StringRef output,
                      llvm::ArrayRef<std::string> inputs);

} // namespace nnc

#endif // NNC_TOOLS_OUTPUTFILE_H
