//===- ModelCost.cpp - FLOPs and tensor memory of a model -----------------===//
//
// Counted on linalg on tensors, where every computation is a linalg op with a
// known iteration space: an op costs (iterations) x (floating-point arith and
// math ops in its body), so a matmul's multiply-add is 2 FLOPs and copies,
// fills and transposes are free. The batch dimension, the only dynamic one,
// is set to the train block's batch. Ops are charged to the line of the
// model's own file that led to them (through the layer calls), which gives
// `info` a per-layer breakdown without a table of op kinds.
//
//===----------------------------------------------------------------------===//

#include "ModelCost.h"

#include "nn/Dialect/NN/IR/NNAttributes.h"
#include "nn/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace {
/// A floating-point operation of the body: arith or math on floats, not a
/// constant, cast or select.
bool isFlop(Operation *op) {
  Dialect *dialect = op->getDialect();
  if (!isa_and_nonnull<arith::ArithDialect, math::MathDialect>(dialect))
    return false;
  if (isa<arith::ConstantOp, arith::SelectOp, CastOpInterface>(op))
    return false;
  return llvm::any_of(op->getOperandTypes(),
                      [](Type t) { return isa<FloatType>(t); });
}

double iterations(linalg::LinalgOp op, int64_t batch) {
  double n = 1;
  for (int64_t range : op.getStaticLoopRanges())
    n *= ShapedType::isDynamic(range) ? batch : range;
  return n;
}

double flops(linalg::LinalgOp op, int64_t batch) {
  unsigned perIteration = 0;
  op.getBlock()->walk([&](Operation *inner) { perIteration += isFlop(inner); });
  return perIteration ? perIteration * iterations(op, batch) : 0;
}

double resultBytes(Operation *op, int64_t batch) {
  double bytes = 0;
  for (Type type : op->getResultTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.getElementType().isIntOrFloat())
      continue;
    double n = tensor.getElementTypeBitWidth() / 8.0;
    for (int64_t d : tensor.getShape())
      n *= ShapedType::isDynamic(d) ? batch : d;
    bytes += n;
  }
  return bytes;
}

/// The outermost file position of `loc`: through the layer calls to the
/// line in the model's body that started them.
FileLineColLoc outermostPosition(Location loc) {
  while (true) {
    if (auto call = dyn_cast<CallSiteLoc>(loc))
      loc = call.getCaller();
    else if (auto name = dyn_cast<NameLoc>(loc))
      loc = name.getChildLoc();
    else if (auto fused = dyn_cast<FusedLoc>(loc)) {
      if (fused.getLocations().empty())
        return {};
      loc = fused.getLocations().front();
    } else
      return dyn_cast<FileLineColLoc>(loc);
  }
}

/// Line `line` of `file` without its comment, trimmed, with tabs as spaces;
/// empty if unreadable.
std::string
sourceLine(StringRef file, unsigned line,
           llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> &cache) {
  auto &buffer = cache[file];
  if (!buffer) {
    auto read = llvm::MemoryBuffer::getFile(file);
    if (!read)
      return "";
    buffer = std::move(*read);
  }
  StringRef rest = buffer->getBuffer();
  for (unsigned i = 1; i < line && !rest.empty(); ++i)
    rest = rest.split('\n').second;
  StringRef code = rest.split('\n').first;
  // Without its comment: the first # outside a string.
  bool quoted = false;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '"')
      quoted = !quoted;
    else if (code[i] == '#' && !quoted) {
      code = code.take_front(i);
      break;
    }
  }
  std::string text = code.trim().str();
  llvm::replace(text, '\t', ' ');
  llvm::erase(text, '\r');
  return text;
}

int64_t integer(double x) { return std::llround(x); }
} // namespace

void ::nn::addCostToManifest(ModuleOp module, llvm::json::Object &manifest) {
  func::FuncOp model, step;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr(mlir::nn::kModelAttr))
      model = func;
    else if (func.getSymName() == "train_step")
      step = func;
  }
  if (!model)
    return;
  int64_t batch = 1;
  if (auto train =
          model->getAttrOfType<mlir::nn::TrainAttr>(mlir::nn::kTrainAttr))
    batch = train.getBatch();

  double forward = 0, activations = 0;
  // (file, line) -> forward FLOPs, in order of first appearance.
  llvm::MapVector<std::pair<StringRef, unsigned>, double> byLine;
  model.walk([&](linalg::LinalgOp op) {
    double f = flops(op, batch);
    forward += f;
    if (!isa<linalg::FillOp>(op))
      activations += resultBytes(op, batch);
    if (f == 0)
      return;
    FileLineColLoc pos = outermostPosition(op->getLoc());
    if (pos)
      byLine[{pos.getFilename().getValue(), pos.getLine()}] += f;
  });
  double stepFlops = 0;
  if (step)
    step.walk([&](linalg::LinalgOp op) { stepFlops += flops(op, batch); });

  llvm::json::Object cost{{"batch", batch},
                          {"forward_flops", integer(forward)},
                          {"activation_bytes", integer(activations)}};
  if (step)
    cost["step_flops"] = integer(stepFlops);
  manifest["cost"] = std::move(cost);
  llvm::json::Array lineCosts;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> files;
  for (auto &[pos, f] : byLine)
    // The source's bytes are shown, not used: any that are not UTF-8 are
    // replaced. A path that is not UTF-8 would name another file, so it is
    // left out.
    if (llvm::json::isUTF8(pos.first))
      lineCosts.push_back(llvm::json::Object{
          {"file", pos.first},
          {"line", pos.second},
          {"flops", integer(f)},
          {"text",
           llvm::json::fixUTF8(sourceLine(pos.first, pos.second, files))}});
  manifest["line_costs"] = std::move(lineCosts);
}
