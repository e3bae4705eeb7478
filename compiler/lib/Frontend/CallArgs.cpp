//===- CallArgs.cpp - arguments of a call bound to parameters -------------===//

#include "SemaInternal.h"
#include "llvm/ADT/StringExtras.h"
#include <cmath>
#include <cstdio>

using namespace nn;
using llvm::SMLoc;

bool nn::bindCallArgs(const Expr &call, llvm::ArrayRef<llvm::StringRef> slots,
                      llvm::SmallVectorImpl<const Arg *> &bound,
                      DiagEngine &diags, llvm::StringRef callee) {
  bound.assign(slots.size(), nullptr);
  unsigned next = 0;
  bool sawNamed = false, ok = true;
  for (const Arg &arg : call.args) {
    if (arg.name.empty()) {
      if (sawNamed) {
        diags.error(arg.value->loc, "positional argument after a named one");
        ok = false;
      } else if (next >= slots.size()) {
        diags.error(arg.value->loc, "too many arguments to '" + callee +
                                        "': expected at most " +
                                        llvm::Twine(slots.size()) + ", got " +
                                        llvm::Twine(call.args.size()));
        return false;
      } else {
        bound[next++] = &arg;
      }
      continue;
    }
    sawNamed = true;
    auto it = llvm::find(slots, arg.name);
    if (it == slots.end()) {
      llvm::SmallVector<llvm::StringRef> named;
      for (llvm::StringRef s : slots)
        if (!s.empty())
          named.push_back(s);
      diags.error(arg.nameLoc, "'" + callee + "' has no argument named '" +
                                   arg.name + "'" +
                                   didYouMean(arg.name, named));
      ok = false;
      continue;
    }
    unsigned idx = it - slots.begin();
    if (bound[idx]) {
      diags.error(arg.nameLoc, "argument '" + arg.name + "' of '" + callee +
                                   "' is given twice");
      ok = false;
      continue;
    }
    bound[idx] = &arg;
  }
  return ok;
}
