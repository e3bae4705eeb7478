// nnc-cpu-strided-copies-to-loops: a copy between views that are not contiguous (the interior
// of a padded buffer, a tile) becomes linalg.copy, and from there loops that LLVM
// vectorizes; a contiguous copy stays memref.copy (a memcpy). With the host pipeline, no
// call of the runtime's element-wise memrefCopy is left.
// RUN: nn-opt %s --pass-pipeline='builtin.module(func.func(nnc-cpu-strided-copies-to-loops))' | FileCheck %s
// RUN: nn-opt %s --nn-lower-cpu | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @pad_interior
// CHECK: linalg.copy ins(%{{.*}} : memref<?x16x8x8xf32>) outs(%{{.*}} : memref<?x16x8x8xf32, strided<[4096, 256, 16, 1], offset: 68>>)
// CHECK-NOT: memref.copy
// LLVM-LABEL: llvm.func @pad_interior
// LLVM-NOT: memrefCopy
func.func @pad_interior(%src: memref<?x16x8x8xf32>, %dst: memref<?x16x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %src, %c0 : memref<?x16x8x8xf32>
  %interior = memref.subview %dst[0, 0, 4, 4] [%n, 16, 8, 8] [1, 1, 1, 1] : memref<?x16x16x16xf32> to memref<?x16x8x8xf32, strided<[4096, 256, 16, 1], offset: 68>>
  memref.copy %src, %interior : memref<?x16x8x8xf32> to memref<?x16x8x8xf32, strided<[4096, 256, 16, 1], offset: 68>>
  return
}

// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<4x16xf32>, %dst: memref<4x16xf32>) {
  memref.copy %src, %dst : memref<4x16xf32> to memref<4x16xf32>
  return
}
