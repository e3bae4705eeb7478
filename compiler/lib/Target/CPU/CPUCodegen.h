//===- CPUCodegen.h - transform-dialect codegen for the host CPU ----------===//

#ifndef NN_LIB_PIPELINES_CPUCODEGEN_H
#define NN_LIB_PIPELINES_CPUCODEGEN_H

namespace nn {
/// Registers `nnc-cpu-transform{stage=tile|lower}`.
void registerCPUCodegenPasses();
} // namespace nn

#endif // NN_LIB_PIPELINES_CPUCODEGEN_H
