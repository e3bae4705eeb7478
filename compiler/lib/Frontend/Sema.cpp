//===- Sema.cpp - Name resolution, inlining and shape checking ------------===//
//
// Sema evaluates each model symbolically: layer calls are inlined, `for`
// loops unrolled, every primitive's shape rule applied (ShapeRules.cpp) and
// every parameter named as LANGUAGE.md §5 says. The result is a ModelGraph.
// This file: the entry points, models and declarations; SemaEvaluator.h says
// where the rest is.
//
//===----------------------------------------------------------------------===//

#include "SemaEvaluator.h"

using namespace nn;
using namespace nn::sema;
using llvm::SMLoc;

mlir::InFlightDiagnostic Evaluator::error(SMLoc loc, Frame &f,
                                          const llvm::Twine &msg) {
  auto diag = diags.error(loc, msg);
  for (Frame *fr = &f; fr && fr->func && !fr->func->isModel; fr = fr->parent)
    diag.attachNote(diags.getLoc(fr->callLoc))
        << "in this call of layer '" << fr->func->name << "'";
  return diag;
}

mlir::Location Evaluator::locOf(SMLoc loc, Frame &f) {
  mlir::Location l = diags.getLoc(loc);
  return f.callerLoc ? mlir::Location(mlir::CallSiteLoc::get(l, *f.callerLoc))
                     : l;
}

std::string nn::sema::formatTypeNode(const TypeNode &t) {
  std::string s = t.name;
  if (!t.isTensor)
    return s;
  s += "[";
  for (unsigned i = 0; i < t.dims.size(); ++i) {
    if (i)
      s += ", ";
    s += t.dims[i].isVar ? t.dims[i].name : std::to_string(t.dims[i].value);
  }
  return s + "]";
}

std::optional<ElemType> nn::sema::elemTypeOf(llvm::StringRef name) {
  if (name == "f32")
    return ElemType::F32;
  if (name == "i32")
    return ElemType::I32;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

bool Evaluator::evalModel(const FuncDecl &model) {
  unsigned errorsBefore = diags.getNumErrors();
  Frame top;
  top.func = &model;
  g.name = model.name;
  // The leading dimension variable of the first input is the batch.
  for (const ArgDecl &arg : model.args)
    if (arg.type.isTensor && !arg.type.dims.empty() && arg.type.dims[0].isVar) {
      g.batchName = arg.type.dims[0].name;
      break;
    }
  for (const ArgDecl &arg : model.args) {
    std::optional<ElemType> elem = elemTypeOf(arg.type.name);
    if (!arg.type.isTensor || !elem)
      continue; // reported by the declaration checks
    TensorType type{*elem, {}};
    for (unsigned i = 0; i < arg.type.dims.size(); ++i) {
      const DimNode &d = arg.type.dims[i];
      if (!d.isVar) {
        type.dims.push_back(d.value);
        continue;
      }
      if (d.name != g.batchName || i != 0)
        error(d.loc, top,
              "dimension '" + d.name + "' of model input '" + arg.name +
                  "' must be a number: only the " + "leading dimension " +
                  g.batchName + " (the batch) may be a variable");
      type.dims.push_back(kBatchDim);
    }
    Node node{OpKind::Input, {}, type, diags.getLoc(arg.loc)};
    node.index = g.inputs.size();
    g.nodes.push_back(std::move(node));
    int id = g.nodes.size() - 1;
    g.inputs.push_back(InputInfo{arg.name, type, diags.getLoc(arg.loc), id});
    Value v;
    v.kind = Value::Tensor;
    v.node = id;
    v.type = type;
    top.env[arg.name] = v;
  }
  if (diags.getNumErrors() != errorsBefore)
    return false;
  top.env[g.batchName] = Value::makeInt(kBatchDim);
  Value ret;
  execBody(model.body, top, ret);
  if (ret.isError() || diags.getNumErrors() != errorsBefore)
    return false;
  Frame resultFrame;
  resultFrame.env[g.batchName] = Value::makeInt(kBatchDim);
  if (!checkResult(model, ret, resultFrame, top))
    return false;
  g.result = ret.node;
  return true;
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// Checks what does not depend on a call: argument kinds and order, types,
/// and that the body ends in its only return.
static void checkDecl(const FuncDecl &fn, DiagEngine &diags) {
  const char *what = fn.isModel ? "model" : "layer";
  llvm::StringMap<SMLoc> seen;
  bool sawAttr = false;
  auto checkType = [&](const TypeNode &t, bool mustBeTensor) {
    if (t.isTensor) {
      if (t.name == "f16" || t.name == "bf16")
        diags.error(t.loc,
                    "element type '" + t.name + "' is not supported yet");
      else if (!elemTypeOf(t.name))
        diags.error(t.loc, "unknown element type '" + t.name +
                               "'; expected f32 or i32");
      return;
    }
    if (elemTypeOf(t.name) || t.name == "f16" || t.name == "bf16")
      diags.error(t.loc, "expected a shape after '" + t.name + "', as in " +
                             t.name + "[N, 10]");
    else if (mustBeTensor)
      diags.error(t.loc, "expected a tensor type such as f32[N, 10], found '" +
                             t.name + "'");
    else if (t.name != "int" && t.name != "float" && t.name != "bool")
      diags.error(t.loc, "unknown type '" + t.name +
                             "'; expected int, float, bool or a tensor type");
  };
  for (const ArgDecl &arg : fn.args) {
    auto [it, inserted] = seen.try_emplace(arg.name, arg.loc);
    if (!inserted) {
      diags.error(arg.loc, "duplicate argument '" + arg.name + "'")
              .attachNote(diags.getLoc(it->second))
          << "previous argument is here";
    }
    checkType(arg.type, fn.isModel);
    if (arg.type.isTensor && sawAttr)
      diags.error(arg.loc, "tensor argument '" + arg.name +
                               "' must come before the attributes");
    if (arg.type.isTensor && arg.defaultValue)
      diags.error(arg.defaultValue->loc,
                  "a tensor argument cannot have a default value");
    if (fn.isModel && arg.defaultValue && !arg.type.isTensor)
      diags.error(arg.defaultValue->loc, "a model input cannot have a default");
    sawAttr |= !arg.type.isTensor;
  }
  if (fn.hasResultType)
    checkType(fn.resultType, /*mustBeTensor=*/true);

  std::function<void(const std::vector<StmtPtr> &, bool)> checkBody =
      [&](const std::vector<StmtPtr> &body, bool inLoop) {
        for (unsigned i = 0; i < body.size(); ++i) {
          const Stmt &s = *body[i];
          if (s.kind == StmtKind::For)
            checkBody(s.body, true);
          if (s.kind != StmtKind::Return)
            continue;
          if (inLoop)
            diags.error(s.loc, "return is not allowed inside a for loop");
          else if (i + 1 != body.size())
            diags.error(body[i + 1]->loc, "statement after return");
        }
      };
  checkBody(fn.body, false);
  if (fn.body.empty() || fn.body.back()->kind != StmtKind::Return)
    diags.error(fn.endLoc, llvm::Twine("missing return at the end of ") + what +
                               " '" + fn.name + "'");
}

bool nn::checkProgram(const Program &program, DiagEngine &diags,
                      std::vector<ModelGraph> &models) {
  unsigned errorsBefore = diags.getNumErrors();
  llvm::StringMap<const FuncDecl *> funcs;
  for (const auto &file : program.files) {
    for (const auto &fn : file->funcs) {
      checkDecl(*fn, diags);
      if (lookupBuiltin(fn->name)) {
        diags.error(fn->loc, "'" + fn->name + "' is a built-in operation and " +
                                 "cannot be redefined");
        continue;
      }
      auto [it, inserted] = funcs.try_emplace(fn->name, fn.get());
      if (inserted)
        continue;
      if (it->second->fromStdlib && !fn->fromStdlib) {
        it->second = fn.get(); // a user layer shadows the stdlib
        continue;
      }
      diags.error(fn->loc, "redefinition of '" + fn->name + "'")
              .attachNote(diags.getLoc(it->second->loc))
          << "previous definition is here";
    }
  }
  bool declsOk = diags.getNumErrors() == errorsBefore;
  for (const auto &file : program.files) {
    for (const auto &fn : file->funcs) {
      if (!fn->isModel || diags.shouldStop() || funcs[fn->name] != fn.get())
        continue;
      ModelGraph graph(diags.getLoc(fn->loc));
      graph.inMainFile = fn->inMainFile;
      Evaluator evaluator(diags, funcs, graph);
      if (!declsOk || !evaluator.evalModel(*fn))
        graph.result = -1;
      models.push_back(std::move(graph));
    }
  }
  checkTrainBlocks(program, diags, models);
  return diags.getNumErrors() == errorsBefore && !diags.shouldStop();
}

const ModelGraph *nn::selectModel(const std::vector<ModelGraph> &models,
                                  llvm::StringRef name, DiagEngine &diags,
                                  SMLoc fileLoc) {
  std::vector<llvm::StringRef> names;
  for (const ModelGraph &m : models)
    names.push_back(m.name);
  if (!name.empty()) {
    for (const ModelGraph &m : models)
      if (m.name == name)
        return m.result >= 0 ? &m : nullptr;
    diags.error(fileLoc,
                "no model named '" + name + "'" + didYouMean(name, names));
    return nullptr;
  }
  // The file named on the command line wins over what it imports: importing
  // a file must not change which model is built.
  std::vector<const ModelGraph *> candidates;
  for (const ModelGraph &m : models)
    if (m.inMainFile)
      candidates.push_back(&m);
  if (candidates.empty())
    for (const ModelGraph &m : models)
      candidates.push_back(&m);
  auto pick = [](const ModelGraph *m) { return m->result >= 0 ? m : nullptr; };
  if (candidates.size() == 1)
    return pick(candidates[0]);
  const ModelGraph *trained = nullptr;
  unsigned numTrained = 0;
  for (const ModelGraph *m : candidates)
    if (m->train)
      trained = m, ++numTrained;
  if (numTrained == 1)
    return pick(trained);
  if (candidates.empty()) {
    diags.error(fileLoc, "no model to compile: the file declares no model");
    return nullptr;
  }
  std::vector<llvm::StringRef> candidateNames;
  for (const ModelGraph *m : candidates)
    candidateNames.push_back(m->name);
  diags.error(fileLoc, "the file has several models (" +
                           llvm::join(candidateNames, ", ") +
                           "); choose one with --model");
  return nullptr;
}
