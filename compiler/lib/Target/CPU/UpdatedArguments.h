//===- UpdatedArguments.h - results that replace an argument ----*- C++ -*-===//

#ifndef NN_TARGET_CPU_UPDATEDARGUMENTS_H
#define NN_TARGET_CPU_UPDATEDARGUMENTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

namespace nn::cpu {
/// A returned value that is the new value of an argument: the result and the
/// argument carry the same `nn.param` or `nn.state` marker (train_step,
/// apply_gradients).
struct UpdatedArgument {
  mlir::OpOperand *returned; // the func.return operand
  mlir::BlockArgument arg;
};

inline llvm::SmallVector<UpdatedArgument>
updatedArguments(mlir::func::FuncOp func) {
  llvm::SmallVector<UpdatedArgument> pairs;
  if (func.isExternal())
    return pairs;
  mlir::Operation *ret = func.getBody().back().getTerminator();
  for (unsigned r = 0, e = func.getNumResults(); r < e; ++r)
    for (llvm::StringRef key : {"nn.param", "nn.state"}) {
      mlir::Attribute name = func.getResultAttr(r, key);
      if (!name)
        continue;
      for (mlir::BlockArgument arg : func.getArguments())
        if (func.getArgAttr(arg.getArgNumber(), key) == name)
          pairs.push_back({&ret->getOpOperand(r), arg});
    }
  return pairs;
}
} // namespace nn::cpu

#endif // NN_TARGET_CPU_UPDATEDARGUMENTS_H
