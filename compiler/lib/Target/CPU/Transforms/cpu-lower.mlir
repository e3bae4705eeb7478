// nnc's CPU codegen, stage lower (nnc-cpu-transform{stage=lower}, embedded in
// nnc at build time). Replay it with
//   nn-opt --transform-preload-library=transform-library-paths=cpu-lower.mlir \
//          --transform-interpreter=entry-point=nnc_cpu_lower
// (test/Target/CPU/cpu-lower.mlir).
module attributes {transform.with_named_sequence} {
  // After bufferization: vector.contract -> outer products -> FMAs, transfers
  // to rank 1.
  transform.named_sequence @nnc_cpu_lower(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
      transform.apply_patterns.vector.lower_broadcast } : !transform.any_op
    // Canonicalization and shape-cast lowering get sweeps of their own: in
    // the sweep above canonicalization never terminated (memory growing past
    // 20 GB) on the narrow tiles of a [17,2] matmul; the examples' code is the
    // same either way.
    transform.apply_patterns to %f { transform.apply_patterns.canonicalization } : !transform.any_op
    transform.apply_patterns to %f { transform.apply_patterns.vector.lower_shape_cast } : !transform.any_op
    transform.yield
  }
}
