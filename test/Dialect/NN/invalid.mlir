// RUN: nn-opt %s --split-input-file --verify-diagnostics

func.func @no_broadcast(%a: tensor<?x10xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.add' op cannot broadcast tensor<?x10xf32> and tensor<3xf32> in add}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %a, %b : (tensor<?x10xf32>, tensor<3xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @wrong_result(%a: tensor<?x10xf32>, %b: tensor<10xf32>) {
  // expected-error @+2 {{'nn.mul' op inferred type(s) 'tensor<?x10xf32>' are incompatible with return type(s) of operation 'tensor<?x11xf32>'}}
  // expected-error @+1 {{'nn.mul' op failed to infer returned types}}
  %0 = nn.mul %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x11xf32>
  return
}

// -----

func.func @mixed_element_types(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'nn.sub' op requires the same element type for all operands and results}}
  %0 = nn.sub %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @unary_on_labels(%a: tensor<4xi32>) {
  // expected-error @+1 {{'nn.relu' op operand #0 must be ranked tensor of 32-bit float values}}
  %0 = nn.relu %a : tensor<4xi32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<?x2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op matmul expects [M, K] @ [K, N], [B, M, K] @ [K, N] or [B, M, K] @ [B, K, N], got tensor<?x2x3x4xf32> @ tensor<4x5xf32>}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<?x2x3x4xf32>, tensor<4x5xf32>) -> tensor<?x2x3x5xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<?x784xf32>, %b: tensor<100x10xf32>) {
  // expected-error @+2 {{'nn.matmul' op matmul inner dimensions differ: tensor<?x784xf32> @ tensor<100x10xf32>}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<?x784xf32>, tensor<100x10xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<4x3x5xf32>, %b: tensor<2x5x2xf32>) {
  // expected-error @+2 {{'nn.matmul' op matmul batch dimensions differ: tensor<4x3x5xf32> @ tensor<2x5x2xf32>}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<4x3x5xf32>, tensor<2x5x2xf32>) -> tensor<4x3x2xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<?x784xf32>, %b: tensor<784x10xf32>) {
  // expected-error @+2 {{'nn.matmul' op inferred type(s) 'tensor<?x10xf32>' are incompatible with return type(s) of operation 'tensor<?x784xf32>'}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x784xf32>
  return
}

// -----

func.func @transpose_length(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op transpose permutation has 3 entries for a rank-2 tensor}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %a [0, 1, 2] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_not_permutation(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op transpose permutation repeats axis 0}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %a [0, 0] : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<?x784xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape tensor<?x784xf32> into [?, 1, 28, 27]: the element counts differ}}
  %0 = nn.reshape %a : (tensor<?x784xf32>) -> tensor<?x1x28x27xf32>
  return
}

// -----

func.func @reshape_static(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape tensor<2x6xf32> into [5, 2]: the element counts differ}}
  %0 = nn.reshape %a : (tensor<2x6xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @flatten_rank(%a: tensor<?xf32>) {
  // expected-error @+2 {{'nn.flatten' op flatten expects at least a rank-2 tensor, got tensor<?xf32>}}
  // expected-error @+1 {{'nn.flatten' op failed to infer returned types}}
  %0 = nn.flatten %a : (tensor<?xf32>) -> tensor<?x1xf32>
  return
}

// -----

func.func @flatten_result(%a: tensor<?x16x4x4xf32>) {
  // expected-error @+2 {{'nn.flatten' op inferred type(s) 'tensor<?x256xf32>' are incompatible with return type(s) of operation 'tensor<?x64xf32>'}}
  // expected-error @+1 {{'nn.flatten' op failed to infer returned types}}
  %0 = nn.flatten %a : (tensor<?x16x4x4xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @concat_none() {
  // expected-error @+1 {{'nn.concat' op expected 1 or more operands, but found 0}}
  %0 = nn.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<?x8xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+2 {{'nn.concat' op axis 2 is out of range for a rank-2 tensor}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 2 : i64} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x12xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<?x8xf32>, %b: tensor<?x4x1xf32>) {
  // expected-error @+2 {{'nn.concat' op cannot concatenate tensor<?x4x1xf32> to tensor<?x8xf32> along axis 1}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<?x8xf32>, tensor<?x4x1xf32>) -> tensor<?x12xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<3x8xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.concat' op cannot concatenate tensor<2x4xf32> to tensor<3x8xf32> along axis 1}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<3x8xf32>, tensor<2x4xf32>) -> tensor<3x12xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<?x8xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+2 {{'nn.concat' op inferred type(s) 'tensor<?x12xf32>' are incompatible with return type(s) of operation 'tensor<?x13xf32>'}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x13xf32>
  return
}

// -----

func.func @reduce_axis(%a: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.sum' op axis 2 is out of range for a rank-2 tensor}}
  // expected-error @+1 {{'nn.sum' op failed to infer returned types}}
  %0 = nn.sum %a {axes = array<i64: 2>} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @reduce_twice(%a: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.mean' op axis 1 is reduced twice}}
  // expected-error @+1 {{'nn.mean' op failed to infer returned types}}
  %0 = nn.mean %a {axes = array<i64: 1, 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @reduce_result(%a: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.reduce_max' op inferred type(s) 'tensor<?x1xf32>' are incompatible with return type(s) of operation 'tensor<?xf32>'}}
  // expected-error @+1 {{'nn.reduce_max' op failed to infer returned types}}
  %0 = nn.reduce_max %a {axes = array<i64: 1>, keepdims = true} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<?x10xf32>) {
  // expected-error @+1 {{'nn.softmax' op axis -1 is out of range for a rank-2 tensor}}
  %0 = nn.softmax %a {axis = -1 : i64} : tensor<?x10xf32>
  return
}

// -----

func.func @log_softmax_axis(%a: tensor<?x10xf32>) {
  // expected-error @+1 {{'nn.log_softmax' op axis 5 is out of range for a rank-2 tensor}}
  %0 = nn.log_softmax %a {axis = 5 : i64} : tensor<?x10xf32>
  return
}

// -----

func.func @conv_input_rank(%x: tensor<?x784xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d expects a rank-4 input [N, C, H, W], got tensor<?x784xf32>}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<?x784xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @conv_filter_rank(%x: tensor<?x1x28x28xf32>, %w: tensor<6x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d expects a rank-4 filter [F, C, KH, KW], got tensor<6x5x5xf32>}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<?x1x28x28xf32>, tensor<6x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d filter tensor<6x1x5x5xf32> expects 1 input channels, but the input tensor<?x3x28x28xf32> has f32[3]}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<?x3x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d stride must be at least 1, got 0}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w {stride = 0 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d padding must be at least 0, got -1}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w {padding = -1 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @conv_too_large(%x: tensor<?x1x4x4xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op conv2d window of size 5 does not fit the input tensor<?x1x4x4xf32>}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<?x1x4x4xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x1x1xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<?x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+2 {{'nn.conv2d' op inferred type(s) 'tensor<?x6x12x12xf32>' are incompatible with return type(s) of operation 'tensor<?x6x24x24xf32>'}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w {stride = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<?x6x24xf32>) {
  // expected-error @+2 {{'nn.max_pool2d' op max_pool2d expects a rank-4 input [N, C, H, W], got tensor<?x6x24xf32>}}
  // expected-error @+1 {{'nn.max_pool2d' op failed to infer returned types}}
  %0 = nn.max_pool2d %x {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x24xf32>) -> tensor<?x6x12xf32>
  return
}

// -----

func.func @pool_size(%x: tensor<?x6x24x24xf32>) {
  // expected-error @+2 {{'nn.avg_pool2d' op avg_pool2d size must be at least 1, got 0}}
  // expected-error @+1 {{'nn.avg_pool2d' op failed to infer returned types}}
  %0 = nn.avg_pool2d %x {size = 0 : i64, stride = 2 : i64} : (tensor<?x6x24x24xf32>) -> tensor<?x6x12x12xf32>
  return
}

// -----

func.func @pool_stride(%x: tensor<?x6x24x24xf32>) {
  // expected-error @+2 {{'nn.max_pool2d' op max_pool2d stride must be at least 1, got -2}}
  // expected-error @+1 {{'nn.max_pool2d' op failed to infer returned types}}
  %0 = nn.max_pool2d %x {size = 2 : i64, stride = -2 : i64} : (tensor<?x6x24x24xf32>) -> tensor<?x6x12x12xf32>
  return
}

// -----

func.func @pool_too_large(%x: tensor<?x6x1x1xf32>) {
  // expected-error @+2 {{'nn.max_pool2d' op max_pool2d window of size 2 does not fit the input tensor<?x6x1x1xf32>}}
  // expected-error @+1 {{'nn.max_pool2d' op failed to infer returned types}}
  %0 = nn.max_pool2d %x {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x1x1xf32>) -> tensor<?x6x1x1xf32>
  return
}

// -----

func.func @pool_result(%x: tensor<?x6x24x24xf32>) {
  // expected-error @+2 {{'nn.avg_pool2d' op inferred type(s) 'tensor<?x6x12x12xf32>' are incompatible with return type(s) of operation 'tensor<?x6x24x24xf32>'}}
  // expected-error @+1 {{'nn.avg_pool2d' op failed to infer returned types}}
  %0 = nn.avg_pool2d %x {size = 2 : i64, stride = 2 : i64} : (tensor<?x6x24x24xf32>) -> tensor<?x6x24x24xf32>
  return
}

// -----

func.func @dropout_rate(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'nn.dropout' op rate must be in [0, 1), found 1}}
  %0 = nn.dropout %x {rate = 1.0 : f32} : tensor<?x10xf32>
  return
}

// -----

func.func @cross_entropy_logits(%x: tensor<?x2x5xf32>, %l: tensor<?xi32>) {
  // expected-error @+2 {{'nn.cross_entropy' op cross_entropy expects a rank-2 logits tensor f32[N, C], got tensor<?x2x5xf32>}}
  // expected-error @+1 {{'nn.cross_entropy' op failed to infer returned types}}
  %0 = nn.cross_entropy %x, %l : (tensor<?x2x5xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_labels(%x: tensor<8x10xf32>, %l: tensor<4xi32>) {
  // expected-error @+2 {{'nn.cross_entropy' op cross_entropy expects labels i32[8] for logits tensor<8x10xf32>, got tensor<4xi32>}}
  // expected-error @+1 {{'nn.cross_entropy' op failed to infer returned types}}
  %0 = nn.cross_entropy %x, %l : (tensor<8x10xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_float_labels(%x: tensor<8x10xf32>, %l: tensor<8xf32>) {
  // expected-error @+1 {{'nn.cross_entropy' op operand #1 must be ranked tensor of 32-bit signless integer values}}
  %0 = nn.cross_entropy %x, %l : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @mse_shapes(%p: tensor<?x10xf32>, %t: tensor<?x9xf32>) {
  // expected-error @+2 {{'nn.mse' op mse expects two tensors of the same shape, got tensor<?x10xf32> and tensor<?x9xf32>}}
  // expected-error @+1 {{'nn.mse' op failed to infer returned types}}
  %0 = nn.mse %p, %t : (tensor<?x10xf32>, tensor<?x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @loss_not_scalar(%p: tensor<?x10xf32>) {
  // expected-error @+1 {{'nn.mse' op result #0 must be 0D tensor of 32-bit float values}}
  %0 = nn.mse %p, %p : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.argmax' op axis 3 is out of range for a rank-2 tensor}}
  // expected-error @+1 {{'nn.argmax' op failed to infer returned types}}
  %0 = nn.argmax %x {axis = 3 : i64} : (tensor<?x10xf32>) -> tensor<?xi32>
  return
}

// -----

func.func @argmax_result_type(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'nn.argmax' op result #0 must be ranked tensor of 32-bit signless integer values}}
  %0 = nn.argmax %x {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @argmax_result_shape(%x: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.argmax' op inferred type(s) 'tensor<?xi32>' are incompatible with return type(s) of operation 'tensor<?x10xi32>'}}
  // expected-error @+1 {{'nn.argmax' op failed to infer returned types}}
  %0 = nn.argmax %x {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?x10xi32>
  return
}

// -----

func.func @dropout_mask_rate(%x: tensor<?x10xf32>, %step: tensor<f32>) {
  // expected-error @+1 {{'nn.dropout_mask' op rate must be in [0, 1), found 1}}
  %0 = nn.dropout_mask %x, %step {rate = 1.0 : f32, seed = 0 : i64, salt = 0 : i64} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @dropout_mask_shape(%x: tensor<?x10xf32>, %step: tensor<f32>) {
  // expected-error @+2 {{'nn.dropout_mask' op inferred type(s) 'tensor<?x10xf32>' are incompatible with return type(s) of operation 'tensor<?x9xf32>'}}
  // expected-error @+1 {{'nn.dropout_mask' op failed to infer returned types}}
  %0 = nn.dropout_mask %x, %step {rate = 0.5 : f32, seed = 0 : i64, salt = 0 : i64} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x9xf32>
  return
}

// -----

func.func @compare_predicate(%x: tensor<?x10xf32>, %z: tensor<f32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, gt, ge, lt, le]}}
  %0 = nn.compare ne, %x, %z : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @compare_predicate_generic(%x: tensor<?x10xf32>, %z: tensor<f32>) {
  // expected-error @+1 {{'nn.compare' op attribute 'predicate' failed to satisfy constraint: an ordered comparison of nn.compare (NaN compares false)}}
  %0 = "nn.compare"(%x, %z) {predicate = 7 : i32} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return
}
