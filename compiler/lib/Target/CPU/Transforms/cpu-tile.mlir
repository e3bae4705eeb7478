// nnc's CPU codegen, stage tile (nnc-cpu-transform{stage=tile}, embedded in
// nnc at build time). Replay it with
//   nn-opt --transform-preload-library=transform-library-paths=cpu-tile.mlir \
//          --transform-interpreter=entry-point=nnc_cpu_tile_avx512
// (test/Target/CPU/cpu-tile.mlir).
module attributes {transform.with_named_sequence} {
  // The register tile is tile_m x tile_n: 8x32 (16 zmm accumulators) with
  // AVX-512, 4x16 (8 ymm) with AVX2 (8x32 spills there: the MLP step ran 1.8x
  // slower). nnc-cpu-transform{stage=tile} runs one of these two.
  transform.named_sequence @nnc_cpu_tile_avx512(%root: !transform.any_op {transform.readonly}) {
    %m = transform.param.constant 8 : i64 -> !transform.param<i64>
    %n = transform.param.constant 32 : i64 -> !transform.param<i64>
    transform.include @nnc_cpu_tile failures(propagate) (%root, %m, %n) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }
  transform.named_sequence @nnc_cpu_tile_avx2(%root: !transform.any_op {transform.readonly}) {
    %m = transform.param.constant 4 : i64 -> !transform.param<i64>
    %n = transform.param.constant 16 : i64 -> !transform.param<i64>
    transform.include @nnc_cpu_tile failures(propagate) (%root, %m, %n) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }

  // A matmul tile whose row count is dynamic: the peeled remainder of a
  // batch dimension.
  transform.named_sequence @match_batch_remainder(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    transform.match.operation_name %op ["linalg.matmul"] : !transform.any_op
    %rows = transform.match.structured failures(propagate) %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %d = transform.match.structured.dim %s[0] : (!transform.any_op) -> !transform.param<i64>
      transform.match.structured.yield %d : !transform.param<i64>
    }
    %zero = transform.param.constant 0 : i64 -> !transform.param<i64>
    transform.match.param.cmpi lt %rows, %zero : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rows(%op: !transform.any_op {transform.consumed}) {
    %t, %l = transform.structured.tile_using_for %op tile_sizes [1, 0, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }

  // Linalg on tensors, before bufferization: matmuls and convolutions tiled
  // for threads and registers and vectorized.
  transform.named_sequence @nnc_cpu_tile(%root: !transform.any_op {transform.readonly}, %tile_m: !transform.param<i64> {transform.readonly}, %tile_n: !transform.param<i64> {transform.readonly}) {
    // Threads: 64x64 blocks of C are shared out (scf.forall, later OpenMP).
    // Only M and N are split, so every thread count gives the same bits.
    %mms0 = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %blocks, %forall = transform.structured.tile_using_forall %mms0 tile_sizes [64, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // K in chunks of 128 (outermost in the block), so that the B strips of a
    // chunk stay in L1 while every row tile of the block passes over them; the
    // k order of each sum is unchanged.
    %mmk = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %kchunks, %lkc = transform.structured.tile_using_for %mmk tile_sizes [0, 0, 128] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %mms = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    // (One op at a time: a parameter gives one value per target op.)
    %li, %lj = transform.foreach %mms : !transform.any_op -> !transform.any_op, !transform.any_op {
    ^bb0(%mm: !transform.any_op):
      %t, %i, %j = transform.structured.tile_using_for %mm tile_sizes [%tile_m, %tile_n, 0] : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.yield %i, %j : !transform.any_op, !transform.any_op
    }
    // Peel the M and N loops where the block is not a multiple of the register
    // tile (dynamic batch, N = 120, a last partial block); a divisible loop
    // fails to peel, silently.
    %lij = transform.merge_handles %lj, %li : !transform.any_op
    transform.foreach %lij : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    %funcs0 = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // Makes the peeled main tiles static.
    transform.apply_patterns to %funcs0 { transform.apply_patterns.canonicalization } : !transform.any_op
    // The batch's remainder rows (fewer than tile_m: all of them at batch 1)
    // go one row at a time, so that their tiles are static and vectorize.
    %funcs = transform.foreach_match in %funcs0 @match_batch_remainder -> @tile_rows : (!transform.any_op) -> !transform.any_op
    %mm2 = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %lk = transform.structured.tile_using_for %mm2 tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // Only static tiles vectorize; remainder tiles stay linalg (then loops).
    transform.foreach %t2 : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      transform.sequence %op : !transform.any_op failures(suppress) {
      ^bb1(%op2: !transform.any_op):
        transform.structured.vectorize %op2 : !transform.any_op
      }
    }
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.canonicalization } : !transform.any_op
    transform.apply_cse to %funcs : !transform.any_op
    transform.foreach %lk : !transform.any_op {
    ^bb0(%k: !transform.any_op):
      transform.loop.hoist_loop_invariant_subsets %k : !transform.any_op
    }

    // Convolutions, direct, after the matmul patterns: those would turn the
    // weights' broadcast reads into transposes that lower element by element.
    // Threads take blocks of 8 images. Per image and
    // output row a vector<F x OW> accumulator stays in registers over the C,
    // KH and KW loops: an input row broadcast over F times the weights
    // broadcast over OW. (Strided convolutions fail to vectorize: scalar.)
    %convs = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root : (!transform.any_op) -> !transform.any_op
    %cblocks, %cforall = transform.structured.tile_using_forall %convs tile_sizes [8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // OW in tiles of 8 (a ymm), the remainder peeled: LLVM scalarizes
    // loop-carried vectors of odd widths such as 24.
    %cow_tiles, %cow = transform.structured.tile_using_for %cblocks tile_sizes [0, 0, 0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.foreach %cow : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    // Makes the peeled remainder tiles static.
    transform.foreach %cforall : !transform.any_op {
    ^bb0(%b: !transform.any_op):
      transform.apply_patterns to %b { transform.apply_patterns.canonicalization } : !transform.any_op
    }
    %conv_tiles = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root : (!transform.any_op) -> !transform.any_op
    %cgen = transform.structured.generalize %conv_tiles : (!transform.any_op) -> !transform.any_op
    // A tile of 2 output channels x 4 output rows x 8 columns: 8 independent
    // accumulators, so the adds do not wait on each other (with one, each
    // multiply-add waited for the last: 4 cycles).
    %ct, %cn, %cf, %coh, %cc, %ckh, %ckw = transform.structured.tile_using_for %cgen tile_sizes [1, 2, 4, 0, 1, 1, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    // Filter gradients (f, c, kh, kw; n, oh, ow): threads split KH, and a
    // vector<2 x KW> accumulator (two output channels) stays in registers over
    // N, OH and OW.
    %fgrads = transform.structured.match attributes {nnc.conv_filter_grad} in %root : (!transform.any_op) -> !transform.any_op
    %fblocks, %fforall = transform.structured.tile_using_forall %fgrads tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // Optimizer updates of large parameters (nnc-cpu-write-updates-in-place
    // marks them; collapsed to one loop) run in blocks of 16K elements over
    // the threads: they stream from L3, and each core brings its own
    // bandwidth.
    // Pooling gradients (marked nnc.batch_parallel by NNToLinalg) in blocks
    // of 8 images over the threads: run alone they were the largest part of
    // LeNet's serial code, which bounds 2 threads. (Max pooling itself too
    // cost batch-1 inference 8% in fork-joins.)
    %poolgrads = transform.structured.match attributes {nnc.batch_parallel} in %root : (!transform.any_op) -> !transform.any_op
    %bblocks, %bforall = transform.structured.tile_using_forall %poolgrads tile_sizes [8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %updates = transform.structured.match attributes {nnc.parallel_update} in %root : (!transform.any_op) -> !transform.any_op
    %ublocks, %uforall = transform.structured.tile_using_forall %updates tile_sizes [16384] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %ft, %ff, %fc, %fn, %foh, %fow = transform.structured.tile_using_for %fblocks tile_sizes [2, 1, 0, 0, 1, 1, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    // Channel and row counts the tile does not divide leave a last, smaller
    // tile: peeled, so that it is static too (rows first: a channel remainder
    // then copies the rows' main and remainder loops).
    %partial = transform.merge_handles %coh, %cf, %ff : !transform.any_op
    transform.foreach %partial : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    %conv_blocks = transform.merge_handles %cforall, %fforall : !transform.any_op
    // Per block: the peeled tiles become static, unit dimensions go (so the
    // windowed input maps become projections), and the tiles vectorize; then
    // each accumulator is hoisted out of its reduction loops, innermost first
    // (the match walks in post-order). Canonicalization erases 1-trip loops,
    // so the loops are matched again rather than taken from the tiling.
    transform.foreach %conv_blocks : !transform.any_op {
    ^bb0(%b: !transform.any_op):
      transform.apply_patterns to %b { transform.apply_patterns.canonicalization } : !transform.any_op
      transform.apply_patterns to %b { transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices } : !transform.any_op
      %tiles = transform.structured.match ops{["linalg.generic"]} in %b : (!transform.any_op) -> !transform.any_op
      transform.foreach %tiles : !transform.any_op {
      ^bb1(%op: !transform.any_op):
        transform.sequence %op : !transform.any_op failures(suppress) {
        ^bb2(%op2: !transform.any_op):
          transform.structured.vectorize %op2 : !transform.any_op
        }
      }
      %loops = transform.structured.match ops{["scf.for"]} in %b : (!transform.any_op) -> !transform.any_op
      transform.foreach %loops : !transform.any_op {
      ^bb1(%l: !transform.any_op):
        // The vectorizer's constants first: hoisting needs them outside.
        transform.apply_licm to %l : !transform.any_op
        transform.loop.hoist_loop_invariant_subsets %l : !transform.any_op
      }
    }

    // Transposed copies of weights (nnc-cpu-materialize-transposed-rhs marks
    // them nnc.transposed_rhs; other transposes are left to loops): in
    // 8x8 tiles, each a vector.transpose of 8 rows (the last, partial tiles
    // peeled, so that they are static too); scalar, such a copy took as long
    // as the gathers it replaces.
    %transposes = transform.structured.match attributes {nnc.transposed_rhs} in %root : (!transform.any_op) -> !transform.any_op
    %tt, %ti, %tj = transform.structured.tile_using_for %transposes tile_sizes [8, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %tij = transform.merge_handles %tj, %ti : !transform.any_op
    transform.foreach %tij : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.sequence %l : !transform.any_op failures(suppress) {
      ^bb1(%l2: !transform.any_op):
        %lc = transform.cast %l2 : !transform.any_op to !transform.op<"scf.for">
        %main, %rem = transform.loop.peel %lc : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
    }
    // Makes the peeled tiles static, touching nothing else in the function:
    // a one-trip row loop (a peeled remainder) is replaced by its body, so
    // that its row is a constant, then the column loops are canonicalized.
    %ttiles0 = transform.structured.match attributes {nnc.transposed_rhs} in %root : (!transform.any_op) -> !transform.any_op
    %tloops = transform.get_parent_op %ttiles0 {op_name = "scf.for", deduplicate} : (!transform.any_op) -> !transform.any_op
    %trows = transform.get_parent_op %tloops {op_name = "scf.for", deduplicate} : (!transform.any_op) -> !transform.any_op
    transform.foreach %trows : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.loop.promote_if_one_iteration %l : !transform.any_op
    }
    %ttiles1 = transform.structured.match attributes {nnc.transposed_rhs} in %root : (!transform.any_op) -> !transform.any_op
    %tcols = transform.get_parent_op %ttiles1 {op_name = "scf.for", deduplicate} : (!transform.any_op) -> !transform.any_op
    transform.foreach %tcols : !transform.any_op {
    ^bb0(%l: !transform.any_op):
      transform.apply_patterns to %l { transform.apply_patterns.canonicalization } : !transform.any_op
    }
    %ttiles = transform.structured.match attributes {nnc.transposed_rhs} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ttiles : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      transform.sequence %op : !transform.any_op failures(suppress) {
      ^bb1(%op2: !transform.any_op):
        transform.structured.vectorize %op2 : !transform.any_op
      }
    }
    transform.yield
  }
}
