// nn-aligned-pointer-provenance: finalize-memref-to-llvm rounds a malloc'ed address up to
// the alignment in integers and makes the aligned pointer with inttoptr, which hides from
// LLVM that it points into the malloc'ed buffer; the pass makes the same address as a
// getelementptr of the malloc'ed pointer. The CPU pipeline runs it: no inttoptr is left.
// RUN: nn-opt %s --pass-pipeline='builtin.module(finalize-memref-to-llvm,convert-func-to-llvm,llvm.func(nn-aligned-pointer-provenance),reconcile-unrealized-casts)' | FileCheck %s
// RUN: nn-opt %s --nn-lower-cpu | FileCheck %s --check-prefix=CPU

// CHECK-LABEL: llvm.func @aligned
// CHECK: %[[P:.*]] = llvm.call @malloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK: %[[I:.*]] = llvm.ptrtoint %[[P]] : !llvm.ptr to i64
// CHECK: %[[B:.*]] = llvm.add %[[I]], %{{.*}} : i64
// CHECK: %[[R:.*]] = llvm.urem %[[B]], %{{.*}} : i64
// CHECK: %[[A:.*]] = llvm.sub %[[B]], %[[R]] : i64
// CHECK: %[[D:.*]] = llvm.sub %[[A]], %[[I]] : i64
// CHECK: %[[Q:.*]] = llvm.getelementptr %[[P]][%[[D]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: llvm.insertvalue %[[P]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[Q]], %{{.*}}[1]
// CHECK-NOT: llvm.inttoptr
// CPU-LABEL: llvm.func @aligned
// CPU-NOT: llvm.inttoptr
// CPU: llvm.return
func.func @aligned(%n: index) -> memref<?xf32> {
  %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?xf32>
  return %a : memref<?xf32>
}

// An inttoptr of another address stays.
// CHECK-LABEL: llvm.func @other
// CHECK: llvm.inttoptr
func.func @other(%i: i64) -> !llvm.ptr {
  %p = llvm.inttoptr %i : i64 to !llvm.ptr
  return %p : !llvm.ptr
}
