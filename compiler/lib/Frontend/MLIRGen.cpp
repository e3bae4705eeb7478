//===- MLIRGen.cpp - ModelGraph to nn-dialect IR --------------------------===//
//
// Every graph node becomes one op, built with its typed builder; the ops infer
// their result types with the shape rules the frontend checked. The IR layout
// is docs/design.md's.
//
//===----------------------------------------------------------------------===//

#include "nn/Frontend/MLIRGen.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "nn/Dialect/NN/IR/NNOps.h"

using namespace nn;

namespace {
class MLIRGen {
public:
  MLIRGen(const ModelGraph &g, mlir::MLIRContext &ctx) : g(g), b(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> gen();

private:
  mlir::RankedTensorType getType(const TensorType &t) {
    llvm::SmallVector<int64_t> shape;
    for (int64_t d : t.dims)
      shape.push_back(d == kBatchDim ? mlir::ShapedType::kDynamic : d);
    mlir::Type elem =
        t.elem == ElemType::F32 ? mlir::Type(b.getF32Type()) : b.getI32Type();
    return mlir::RankedTensorType::get(shape, elem);
  }
  mlir::DictionaryAttr getInitAttr(const InitSpec &init);
  mlir::DictionaryAttr getSourceAttr(const DataSource &src);
  mlir::DictionaryAttr getTrainAttr(const TrainSpec &spec);
  mlir::Value genNode(const Node &node, llvm::ArrayRef<mlir::Value> values);

  const ModelGraph &g;
  mlir::OpBuilder b;
};
} // namespace

mlir::DictionaryAttr MLIRGen::getInitAttr(const InitSpec &init) {
  llvm::SmallVector<mlir::NamedAttribute> attrs;
  attrs.push_back(b.getNamedAttr("kind", b.getStringAttr(init.kind)));
  if (init.kind == "constant")
    attrs.push_back(b.getNamedAttr("value", b.getF64FloatAttr(init.a)));
  if (init.kind == "uniform") {
    attrs.push_back(b.getNamedAttr("lo", b.getF64FloatAttr(init.a)));
    attrs.push_back(b.getNamedAttr("hi", b.getF64FloatAttr(init.b)));
  }
  if (init.kind == "normal") {
    attrs.push_back(b.getNamedAttr("mean", b.getF64FloatAttr(init.a)));
    attrs.push_back(b.getNamedAttr("std", b.getF64FloatAttr(init.b)));
  }
  if (llvm::is_contained(
          {"glorot_uniform", "he_normal", "he_uniform", "lecun_uniform"},
          init.kind)) {
    attrs.push_back(b.getNamedAttr("fan_in", b.getI64IntegerAttr(init.fanIn)));
    attrs.push_back(
        b.getNamedAttr("fan_out", b.getI64IntegerAttr(init.fanOut)));
  }
  return b.getDictionaryAttr(attrs);
}

mlir::DictionaryAttr MLIRGen::getSourceAttr(const DataSource &src) {
  llvm::SmallVector<mlir::Attribute> files;
  for (const std::string &f : src.files)
    files.push_back(b.getStringAttr(f));
  llvm::SmallVector<mlir::NamedAttribute> attrs = {
      b.getNamedAttr("kind", b.getStringAttr(src.kind)),
      b.getNamedAttr("dir", b.getStringAttr(src.dir)),
      b.getNamedAttr("files", b.getArrayAttr(files))};
  attrs.push_back(b.getNamedAttr("scale", b.getF64FloatAttr(src.scale)));
  if (src.kind == "csv") {
    attrs.push_back(b.getNamedAttr("label", b.getI64IntegerAttr(src.label)));
    attrs.push_back(b.getNamedAttr("header", b.getStringAttr(src.header)));
  }
  return b.getDictionaryAttr(attrs);
}

mlir::DictionaryAttr MLIRGen::getTrainAttr(const TrainSpec &spec) {
  llvm::SmallVector<mlir::NamedAttribute> opt = {
      b.getNamedAttr("kind", b.getStringAttr(spec.optimizer)),
      b.getNamedAttr("lr", b.getF64FloatAttr(spec.lr))};
  if (spec.optimizer == "sgd") {
    opt.push_back(b.getNamedAttr("momentum", b.getF64FloatAttr(spec.momentum)));
    opt.push_back(b.getNamedAttr("nesterov", b.getBoolAttr(spec.nesterov)));
  } else {
    opt.push_back(b.getNamedAttr("beta1", b.getF64FloatAttr(spec.beta1)));
    opt.push_back(b.getNamedAttr("beta2", b.getF64FloatAttr(spec.beta2)));
    opt.push_back(b.getNamedAttr("eps", b.getF64FloatAttr(spec.eps)));
  }
  opt.push_back(
      b.getNamedAttr("weight_decay", b.getF64FloatAttr(spec.weightDecay)));
  llvm::SmallVector<mlir::NamedAttribute> attrs = {
      b.getNamedAttr("loss", b.getStringAttr(spec.loss)),
      b.getNamedAttr("batch", b.getI64IntegerAttr(spec.batch)),
      b.getNamedAttr("epochs", b.getI64IntegerAttr(spec.epochs)),
      b.getNamedAttr("seed", b.getI64IntegerAttr(spec.seed)),
      b.getNamedAttr("shuffle", b.getBoolAttr(spec.shuffle)),
      b.getNamedAttr("optimizer", b.getDictionaryAttr(opt)),
      b.getNamedAttr("data", getSourceAttr(spec.data))};
  if (spec.test)
    attrs.push_back(b.getNamedAttr("test", getSourceAttr(*spec.test)));
  return b.getDictionaryAttr(attrs);
}

mlir::Value MLIRGen::genNode(const Node &node,
                             llvm::ArrayRef<mlir::Value> values) {
  namespace nnd = mlir::nn;
  mlir::Location loc = node.loc;
  auto operand = [&](unsigned i) { return values[node.operands[i]]; };
  auto f32 = [&](double v) { return b.getF32FloatAttr(float(v)); };
  switch (node.op) {
  case OpKind::Input:
  case OpKind::Param:
    break;
  case OpKind::Constant: {
    mlir::RankedTensorType type = getType(node.type);
    auto value = mlir::DenseElementsAttr::get(
        type, b.getF32FloatAttr(float(node.floatAttr)).getValue());
    return mlir::arith::ConstantOp::create(b, loc, type, value);
  }
#define NN_UNARY(KIND)                                                         \
  case OpKind::KIND:                                                           \
    return nnd::KIND##Op::create(b, loc, operand(0));
    NN_UNARY(Neg)
    NN_UNARY(Exp)
    NN_UNARY(Log)
    NN_UNARY(Sqrt)
    NN_UNARY(Tanh)
    NN_UNARY(Sigmoid)
    NN_UNARY(Relu)
    NN_UNARY(Gelu)
    NN_UNARY(Abs)
    NN_UNARY(Flatten)
#undef NN_UNARY
#define NN_BINARY(KIND)                                                        \
  case OpKind::KIND:                                                           \
    return nnd::KIND##Op::create(b, loc, operand(0), operand(1));
    NN_BINARY(Add)
    NN_BINARY(Sub)
    NN_BINARY(Mul)
    NN_BINARY(Div)
    NN_BINARY(Maximum)
    NN_BINARY(Minimum)
    NN_BINARY(Matmul)
    NN_BINARY(CrossEntropy)
    NN_BINARY(Mse)
#undef NN_BINARY
  case OpKind::LeakyRelu:
    return nnd::LeakyReluOp::create(b, loc, operand(0), f32(node.floatAttr));
  case OpKind::Pow:
    return nnd::PowOp::create(b, loc, operand(0), f32(node.floatAttr));
  case OpKind::Dropout:
    return nnd::DropoutOp::create(b, loc, operand(0), f32(node.floatAttr));
  case OpKind::Transpose:
    return nnd::TransposeOp::create(b, loc, operand(0), node.ints);
  case OpKind::Reshape: // the one op whose result type is its attribute
    return nnd::ReshapeOp::create(b, loc, getType(node.type), operand(0));
  case OpKind::Concat: {
    llvm::SmallVector<mlir::Value> inputs;
    for (unsigned i = 0; i < node.operands.size(); ++i)
      inputs.push_back(operand(i));
    return nnd::ConcatOp::create(b, loc, inputs, node.intAttr);
  }
  case OpKind::Sum:
    return nnd::SumOp::create(b, loc, operand(0), node.ints, node.boolAttr);
  case OpKind::Mean:
    return nnd::MeanOp::create(b, loc, operand(0), node.ints, node.boolAttr);
  case OpKind::ReduceMax:
    return nnd::ReduceMaxOp::create(b, loc, operand(0), node.ints,
                                    node.boolAttr);
  case OpKind::Softmax:
    return nnd::SoftmaxOp::create(b, loc, operand(0), node.intAttr);
  case OpKind::LogSoftmax:
    return nnd::LogSoftmaxOp::create(b, loc, operand(0), node.intAttr);
  case OpKind::Argmax:
    return nnd::ArgmaxOp::create(b, loc, operand(0), node.intAttr);
  case OpKind::Conv2D:
    return nnd::Conv2DOp::create(b, loc, operand(0), operand(1), node.intAttr,
                                 node.intAttr2);
  case OpKind::MaxPool2D:
    return nnd::MaxPool2DOp::create(b, loc, operand(0), node.intAttr,
                                    node.intAttr2);
  case OpKind::AvgPool2D:
    return nnd::AvgPool2DOp::create(b, loc, operand(0), node.intAttr,
                                    node.intAttr2);
  }
  llvm_unreachable("inputs and parameters are block arguments");
}

mlir::OwningOpRef<mlir::ModuleOp> MLIRGen::gen() {
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(g.loc);
  b.setInsertionPointToEnd(module->getBody());

  llvm::SmallVector<mlir::Type> argTypes;
  for (const InputInfo &in : g.inputs)
    argTypes.push_back(getType(in.type));
  for (const ParamInfo &p : g.params)
    argTypes.push_back(getType(p.type));
  mlir::Type resultType = getType(g.nodes[g.result].type);
  auto func = mlir::func::FuncOp::create(
      b, g.loc, g.name, b.getFunctionType(argTypes, resultType));
  func->setAttr("nn.model", b.getUnitAttr());
  if (g.train)
    func->setAttr("nn.train", getTrainAttr(*g.train));
  for (auto [i, in] : llvm::enumerate(g.inputs))
    func.setArgAttr(i, "nn.input", b.getStringAttr(in.name));
  for (auto [i, p] : llvm::enumerate(g.params)) {
    unsigned arg = g.inputs.size() + i;
    func.setArgAttr(arg, "nn.param", b.getStringAttr(p.name));
    func.setArgAttr(arg, "nn.init", getInitAttr(p.init));
  }

  mlir::Block *entry = func.addEntryBlock();
  // Arguments carry the location of their declaration.
  for (const Node &node : g.nodes) {
    if (node.op == OpKind::Input)
      entry->getArgument(node.index).setLoc(node.loc);
    if (node.op == OpKind::Param)
      entry->getArgument(g.inputs.size() + node.index).setLoc(node.loc);
  }
  b.setInsertionPointToStart(entry);
  llvm::SmallVector<mlir::Value> values(g.nodes.size());
  for (auto [i, node] : llvm::enumerate(g.nodes)) {
    if (node.op == OpKind::Input)
      values[i] = entry->getArgument(node.index);
    else if (node.op == OpKind::Param)
      values[i] = entry->getArgument(g.inputs.size() + node.index);
    else
      values[i] = genNode(node, values);
  }
  mlir::func::ReturnOp::create(b, g.nodes[g.result].loc,
                               mlir::ValueRange{values[g.result]});
  return module;
}

mlir::OwningOpRef<mlir::ModuleOp> nn::genModule(const ModelGraph &graph,
                                                mlir::MLIRContext &ctx) {
  return MLIRGen(graph, ctx).gen();
}
