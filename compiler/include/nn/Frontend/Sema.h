//===- Sema.h - Semantic analysis of .nn programs ---------------*- C++ -*-===//
//
// Sema checks a whole program and evaluates each model into a ModelGraph: its
// layers inlined, its `for` loops unrolled, every value's shape inferred and
// every parameter named as LANGUAGE.md §5 says. MLIRGen turns a ModelGraph
// into nn-dialect IR; `--check` stops after Sema.
//
//===----------------------------------------------------------------------===//

#ifndef NN_FRONTEND_SEMA_H
#define NN_FRONTEND_SEMA_H

#include "mlir/IR/Location.h"
#include "nn/Frontend/AST.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace nn {

class DiagEngine;

enum class ElemType { F32, I32 };

/// The batch dimension inside a TensorType (`?` in IR).
constexpr int64_t kBatchDim = -2;

struct TensorType {
  ElemType elem = ElemType::F32;
  llvm::SmallVector<int64_t, 4> dims;

  unsigned getRank() const { return dims.size(); }
  bool operator==(const TensorType &o) const {
    return elem == o.elem && dims == o.dims;
  }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
};

/// `f32[N, 784]`, with `batchName` for the batch dimension.
std::string formatType(const TensorType &type, llvm::StringRef batchName);

/// What a graph node computes. The builtins come from Builtins.def.
enum class OpKind {
  Input,
  Param,
  Constant,
#define BUILTIN(NAME, SPELLING, MNEMONIC) NAME,
#include "nn/Frontend/Builtins.def"
};

/// How an OpKind is written in .nn (`relu`, `+`), or input/param/constant.
llvm::StringRef getOpKindName(OpKind op);

/// One value of a model: an input, a parameter, a scalar constant or the
/// result of a primitive applied to earlier nodes.
struct Node {
  OpKind op;
  llvm::SmallVector<int, 2> operands;
  TensorType type;
  mlir::Location loc;
  double floatAttr = 0;  // Constant value, leaky_relu alpha, pow exponent,
                         // dropout rate
  int64_t intAttr = 0;   // axis, conv/pool stride, pool size
  int64_t intAttr2 = 0;  // conv padding, pool stride
  bool boolAttr = false; // keepdims
  llvm::SmallVector<int64_t, 4> ints; // axes, permutation
  int index = -1; // Input / Param: position in inputs / params
};

/// A parameter initializer (`nn.init`).
struct InitSpec {
  std::string kind;    // zeros, ones, constant, uniform, normal, ...
  double a = 0, b = 0; // constant: a; uniform: lo, hi; normal: mean, std
  int64_t fanIn = 0, fanOut = 0;
};

struct ParamInfo {
  std::string name;
  TensorType type;
  InitSpec init;
  int node;
};

struct InputInfo {
  std::string name;
  TensorType type;
  mlir::Location loc;
  int node;
};

struct DataSource {
  std::string kind; // idx, csv, npy
  std::string dir;
  std::vector<std::string> files;
  // What the block sets; the rest takes the defaults of nn::DataAttr.
  std::optional<double> scale;       // idx
  std::optional<int64_t> label;      // csv
  std::optional<std::string> header; // csv: auto, true, false
};

/// A checked train block. Settings it leaves out are empty here: their
/// defaults are the dialect's (nn::TrainAttr, nn::OptimizerAttr), written
/// once there.
struct TrainSpec {
  std::string loss;
  std::optional<int64_t> batch, epochs, seed;
  std::optional<bool> shuffle;
  std::optional<std::string> optimizer; // sgd, adam, adamw
  std::optional<double> lr, momentum, weightDecay, beta1, beta2, eps;
  std::optional<bool> nesterov;
  DataSource data;
  std::optional<DataSource> test;
};

/// A model after Sema: a straight-line graph in run order.
struct ModelGraph {
  std::string name;
  std::string batchName = "N";
  mlir::Location loc;
  std::vector<InputInfo> inputs;
  std::vector<ParamInfo> params;
  std::vector<Node> nodes;
  int result = -1;
  std::optional<TrainSpec> train;
  bool inMainFile = false; // declared in the file named on the command line

  explicit ModelGraph(mlir::Location loc) : loc(loc) {}
};

/// Every file of a program: the standard library first, then the main file
/// and what it imports.
struct Program {
  std::vector<std::unique_ptr<FileAST>> files;
};

/// Checks every declaration, every model and every train block. Fills
/// `models` with one graph per model that checked. Returns false on errors.
bool checkProgram(const Program &program, DiagEngine &diags,
                  std::vector<ModelGraph> &models);

/// Picks the model to build: `name` if given; else, among the models of the
/// file named on the command line (all models when it declares none), the
/// only one, else the only one with a train block. Reports an error that
/// lists the candidates and returns null otherwise.
const ModelGraph *selectModel(const std::vector<ModelGraph> &models,
                              llvm::StringRef name, DiagEngine &diags,
                              llvm::SMLoc fileLoc);

} // namespace nn

#endif // NN_FRONTEND_SEMA_H
