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
  mlir::nn::InitAttr getInitAttr(const InitSpec &init);
  mlir::nn::DataAttr getSourceAttr(const DataSource &src);
  mlir::nn::TrainAttr getTrainAttr(const TrainSpec &spec);
  mlir::Value genNode(const Node &node, llvm::ArrayRef<mlir::Value> values);

  const ModelGraph &g;
  mlir::OpBuilder b;
};
} // namespace

mlir::nn::InitAttr MLIRGen::getInitAttr(const InitSpec &init) {
  namespace nnd = mlir::nn;
  auto kind = nnd::symbolizeInitKind(init.kind);
  assert(kind && "Sema checked the initializer");
  double value = 0, lo = 0, hi = 0, mean = 0, std = 0;
  if (*kind == nnd::InitKind::constant)
    value = init.a;
  if (*kind == nnd::InitKind::uniform)
    lo = init.a, hi = init.b;
  if (*kind == nnd::InitKind::normal)
    mean = init.a, std = init.b;
  bool fans = nnd::InitAttr::kindUsesFans(*kind);
  return nnd::InitAttr::get(b.getContext(), *kind, value, lo, hi, mean, std,
                            fans ? init.fanIn : 0, fans ? init.fanOut : 0);
}

mlir::nn::DataAttr MLIRGen::getSourceAttr(const DataSource &src) {
  namespace nnd = mlir::nn;
  llvm::SmallVector<mlir::Attribute> files;
  for (const std::string &f : src.files)
    files.push_back(b.getStringAttr(f));
  using D = nnd::TrainDefaults;
  auto format = nnd::symbolizeDataFormat(src.kind);
  auto header = src.header ? nnd::symbolizeDataHeader(*src.header) : D::header;
  assert(format && header && "Sema checked the data source");
  return nnd::DataAttr::get(b.getContext(), *format, src.dir,
                            b.getArrayAttr(files), src.scale.value_or(D::scale),
                            src.label.value_or(D::label), *header);
}

mlir::nn::TrainAttr MLIRGen::getTrainAttr(const TrainSpec &spec) {
  namespace nnd = mlir::nn;
  mlir::MLIRContext *ctx = b.getContext();
  using D = nnd::TrainDefaults;
  auto kind = spec.optimizer ? nnd::symbolizeOptimizerKind(*spec.optimizer)
                             : D::optimizer;
  auto loss = nnd::symbolizeLossKind(spec.loss);
  assert(kind && loss && "Sema checked the train block");
  nnd::OptimizerAttr d = nnd::OptimizerAttr::get(ctx, *kind);
  auto optimizer = nnd::OptimizerAttr::get(
      ctx, *kind, spec.lr.value_or(d.getLr()),
      spec.momentum.value_or(d.getMomentum()),
      spec.nesterov.value_or(d.getNesterov()),
      spec.beta1.value_or(d.getBeta1()), spec.beta2.value_or(d.getBeta2()),
      spec.eps.value_or(d.getEps()),
      spec.weightDecay.value_or(d.getWeightDecay()));
  return nnd::TrainAttr::get(
      ctx, *loss, spec.batch.value_or(D::batch),
      spec.epochs.value_or(D::epochs), spec.seed.value_or(D::seed),
      spec.shuffle.value_or(D::shuffle), optimizer, getSourceAttr(spec.data),
      spec.test ? getSourceAttr(*spec.test) : nnd::DataAttr());
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
