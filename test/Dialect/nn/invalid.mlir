// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @conv_bad_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: nn.conv2d: groups 2 must divide input channels 3 and output channels 4
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bad_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: nn.conv2d: result #0 has shape 1x4x8x8 but the op computes 1x4x6x6
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_bad_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: nn.conv2d: pads must have 4 values, got 2: [1, 1]
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bad_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: nn.conv2d: bias shape 3 must be 4 (one per output channel)
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @add_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // CHECK: nn.add: operands of shapes 2x3 and 4 cannot be broadcast
  %y = nn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// -----

func.func @add_mixed(%a: tensor<2xf32>, %b: tensor<2x!nn.q<ui8, 0.5, 0>>) -> tensor<2xf32> {
  // CHECK: nn.add: operands must be all float or all quantized: lhs is float (f32), rhs is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.add %a, %b : (tensor<2xf32>, tensor<2x!nn.q<ui8, 0.5, 0>>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

func.func @const_bad_storage() -> tensor<2x!nn.q<i8, 0.5, 0>> {
  // CHECK: nn.const: quantized constant must store i8 values, got f32
  %q = nn.const dense<[1.0, 2.0]> : tensor<2xf32> -> tensor<2x!nn.q<i8, 0.5, 0>>
  func.return %q : tensor<2x!nn.q<i8, 0.5, 0>>
}

// -----

func.func @per_channel_count(%w: tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>) {
  // CHECK: nn.relu: operand #0: per-channel quantization has 2 scales but dimension 0 is 3
  %r = nn.relu %w : tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>> -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @conv2d_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) {
  // CHECK: nn.conv2d: weight expects 3 input channels per group x 1 groups = 3, but input has 4 channels
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

func.func @conv2d_empty(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) {
  // CHECK: nn.conv2d: output spatial size 0x0 is empty: kernel 3x3 larger than padded input
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x1x1xf32>
  func.return
}

// -----

func.func @conv2d_per_channel_axis(%x: tensor<1x2x4x4x!nn.q<ui8, 0.5, 0>>, %w: tensor<2x2x1x1x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>, %b: tensor<2x!nn.q<i32, 0.25, 0>>) {
  // CHECK: nn.conv2d: per-channel weight quantization must be along axis 0 (output channels), got 1
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x2x4x4x!nn.q<ui8, 0.5, 0>>, tensor<2x2x1x1x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>, tensor<2x!nn.q<i32, 0.25, 0>>) -> tensor<1x2x4x4x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @convt_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x6x3x3xf32>, %b: tensor<6xf32>) {
  // CHECK: nn.conv_transpose2d: output_padding [2, 0] must be smaller than strides [2, 2]
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [2, 0] groups 1 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<6xf32>) -> tensor<1x6x13x11xf32>
  func.return
}

// -----

func.func @convt_output_padding_len(%x: tensor<1x4x5x5xf32>, %w: tensor<4x6x3x3xf32>, %b: tensor<6xf32>) {
  // CHECK: nn.conv_transpose2d: output_padding must have 2 values, got 1: [1]
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [1] groups 1 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<6xf32>) -> tensor<1x6x12x11xf32>
  func.return
}

// -----

func.func @convt_groups(%x: tensor<1x4x5x5xf32>, %w: tensor<4x6x3x3xf32>, %b: tensor<18xf32>) {
  // CHECK: nn.conv_transpose2d: groups 3 must divide input channels 4
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 3 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<18xf32>) -> tensor<1x18x7x7xf32>
  func.return
}

// -----

func.func @convt_weight_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<4xf32>) {
  // CHECK: nn.conv_transpose2d: weight dimension 0 is 6 but input has 4 channels (weight is [C_in, C_out/groups, KH, KW])
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x4x5x5xf32>, tensor<6x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
  func.return
}

// -----

func.func @convt_bias(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // CHECK: nn.conv_transpose2d: bias shape 3 must be 6 (one per output channel)
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 2 : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x6x7x7xf32>
  func.return
}

// -----

func.func @convt_result(%x: tensor<1x4x5x5xf32>, %w: tensor<4x6x3x3xf32>, %b: tensor<6xf32>) {
  // CHECK: nn.conv_transpose2d: result #0 has shape 1x6x9x9 but the op computes 1x6x10x10
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] output_padding [1, 1] groups 1 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<6xf32>) -> tensor<1x6x9x9xf32>
  func.return
}

// -----

func.func @convt_empty(%x: tensor<1x4x1x1xf32>, %w: tensor<4x6x1x1xf32>, %b: tensor<6xf32>) {
  // CHECK: nn.conv_transpose2d: output spatial size 0x1 is empty: pads [1, 0, 0, 0] crop the whole output
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [1, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x4x1x1xf32>, tensor<4x6x1x1xf32>, tensor<6xf32>) -> tensor<1x6x1x1xf32>
  func.return
}

// -----

func.func @convt_per_channel_axis(%x: tensor<1x2x4x4x!nn.q<ui8, 0.5, 0>>, %w: tensor<2x3x1x1x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>, %b: tensor<3x!nn.q<i32, 0.25, 0>>) {
  // CHECK: nn.conv_transpose2d: per-channel weight quantization must be along axis 1 (output channels), got 0
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x2x4x4x!nn.q<ui8, 0.5, 0>>, tensor<2x3x1x1x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>, tensor<3x!nn.q<i32, 0.25, 0>>) -> tensor<1x3x4x4x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // CHECK: nn.matmul: contraction mismatch: lhs 2x3 has 3 columns but rhs 4x5 has 4 rows
  %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // CHECK: nn.matmul: batch dimensions of 2x2x3 and 3x3x5 cannot be broadcast
  %y = nn.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<3x2x5xf32>
  func.return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) {
  // CHECK: nn.matmul: operands must have rank >= 1, got scalar and 3
  %y = nn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @matmul_result(%a: tensor<3xf32>, %b: tensor<2x3x4xf32>) {
  // CHECK: nn.matmul: result #0 has shape 2x1x4 but the op computes 2x4
  %y = nn.matmul %a, %b : (tensor<3xf32>, tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  func.return
}

// -----

func.func @matmul_mixed(%a: tensor<2x3xf32>, %b: tensor<3x2x!nn.q<i8, 0.5, 0>>) {
  // CHECK: nn.matmul: operands must be all float or all quantized: lhs is float (f32), rhs is quantized (!nn.q<i8, 0.5, 0>), result is float (f32)
  %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2x!nn.q<i8, 0.5, 0>>) -> tensor<2x2xf32>
  func.return
}

// -----

func.func @fc_rank(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) {
  // CHECK: nn.fully_connected: input must have rank 2, got rank 3 (2x3x4)
  %y = nn.fully_connected %x, %w, %b : (tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @fc_features(%x: tensor<2x3xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) {
  // CHECK: nn.fully_connected: weight has 4 input features (weight is [O, K]) but input has 3
  %y = nn.fully_connected %x, %w, %b : (tensor<2x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @fc_bias(%x: tensor<2x4xf32>, %w: tensor<5x4xf32>, %b: tensor<4xf32>) {
  // CHECK: nn.fully_connected: bias shape 4 must be 5 (one per output feature)
  %y = nn.fully_connected %x, %w, %b : (tensor<2x4xf32>, tensor<5x4xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @fc_result(%x: tensor<2x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) {
  // CHECK: nn.fully_connected: result #0 has shape 5x2 but the op computes 2x5
  %y = nn.fully_connected %x, %w, %b : (tensor<2x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<5x2xf32>
  func.return
}

// -----

func.func @bn_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) {
  // CHECK: nn.batch_norm: input must have rank >= 2 (channels on axis 1), got rank 1 (3)
  %y = nn.batch_norm %x, %p, %p, %p, %p epsilon 1.0e-05 : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @bn_param_shape(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>, %v: tensor<4xf32>) {
  // CHECK: nn.batch_norm: var shape 4 must be 3 (one per channel of axis 1)
  %y = nn.batch_norm %x, %p, %p, %p, %v epsilon 1.0e-05 : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x3x2x2xf32>
  func.return
}

// -----

func.func @bn_epsilon(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>) {
  // CHECK: nn.batch_norm: epsilon must be non-negative and finite, got -1e-05
  %y = nn.batch_norm %x, %p, %p, %p, %p epsilon -1.0e-05 : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  func.return
}

// -----

func.func @sigmoid_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: nn.sigmoid: input must be float or quantized, got i32
  %y = nn.sigmoid %x : tensor<4xi32> -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}

// -----

func.func @relu_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  // CHECK: nn.relu: input must be float, quantized or integer, got i1
  %y = nn.relu %x : tensor<4xi1> -> tensor<4xi1>
  func.return %y : tensor<4xi1>
}

// -----

func.func @relu_int_to_float(%x: tensor<4xi32>) -> tensor<4xf32> {
  // CHECK: nn.relu: result element type f32 differs from input element type i32
  %y = nn.relu %x : tensor<4xi32> -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @sigmoid_mixed(%x: tensor<4xf32>) -> tensor<4x!nn.q<ui8, 0.00390625, 0>> {
  // CHECK: nn.sigmoid: operands must be all float or all quantized: input is float (f32), result is quantized (!nn.q<ui8, 0.00390625, 0>)
  %y = nn.sigmoid %x : tensor<4xf32> -> tensor<4x!nn.q<ui8, 0.00390625, 0>>
  func.return %y : tensor<4x!nn.q<ui8, 0.00390625, 0>>
}

// -----

func.func @exp_float_width(%x: tensor<4xf32>) -> tensor<4xf16> {
  // CHECK: nn.exp: result element type f16 differs from input element type f32
  %y = nn.exp %x : tensor<4xf32> -> tensor<4xf16>
  func.return %y : tensor<4xf16>
}

// -----

func.func @tanh_shape(%x: tensor<2x4xf32>) -> tensor<4x2xf32> {
  // CHECK: nn.tanh: result #0 has shape 4x2 but the op computes 2x4
  %y = nn.tanh %x : tensor<2x4xf32> -> tensor<4x2xf32>
  func.return %y : tensor<4x2xf32>
}

// -----

func.func @clamp_inverted(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.clamp: min 6.0 must not exceed max 0.0
  %y = nn.clamp %x min 6.0 max 0.0 : tensor<4xf32> -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @clamp_infinite(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.clamp: max must be finite, got inf
  %y = "nn.clamp"(%x) <{min = 0.0 : f64, max = 0x7FF0000000000000 : f64}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @leaky_relu_nan(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.leaky_relu: alpha must be finite, got nan
  %y = "nn.leaky_relu"(%x) <{alpha = 0x7FF8000000000000 : f64}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @hard_sigmoid_beta(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.hard_sigmoid: beta must be finite, got -inf
  %y = "nn.hard_sigmoid"(%x) <{alpha = 0.2 : f64, beta = 0xFFF0000000000000 : f64}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @softmax_axis(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: nn.softmax: axis -5 is out of range for rank 4
  %y = nn.softmax %x axis -5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // CHECK: nn.softmax: input must have rank at least 1, got a scalar
  %y = nn.softmax %x axis 0 : tensor<f32> -> tensor<f32>
  func.return %y : tensor<f32>
}

// -----

func.func @softmax_beta(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.softmax: beta must be finite, got inf
  %y = "nn.softmax"(%x) <{axis = 0 : i64, beta = 0x7FF0000000000000 : f64}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @sub_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // CHECK: nn.sub: operands of shapes 2x3 and 2 cannot be broadcast
  %y = nn.sub %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// -----

func.func @mul_mixed(%a: tensor<2x!nn.q<i8, 0.5, 0>>, %b: tensor<2xf32>) -> tensor<2x!nn.q<i8, 0.5, 0>> {
  // CHECK: nn.mul: operands must be all float or all quantized: lhs is quantized (!nn.q<i8, 0.5, 0>), rhs is float (f32), result is quantized (!nn.q<i8, 0.5, 0>)
  %y = nn.mul %a, %b : (tensor<2x!nn.q<i8, 0.5, 0>>, tensor<2xf32>) -> tensor<2x!nn.q<i8, 0.5, 0>>
  func.return %y : tensor<2x!nn.q<i8, 0.5, 0>>
}

// -----

func.func @div_float_width(%a: tensor<2xf32>, %b: tensor<2xf16>) -> tensor<2xf32> {
  // CHECK: nn.div: rhs element type f16 differs from lhs element type f32
  %y = nn.div %a, %b : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

func.func @pow_result_type(%a: tensor<2xi32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: nn.pow: result element type f32 differs from lhs element type i32
  %y = nn.pow %a, %b : (tensor<2xi32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

func.func @pow_bool_exponent(%a: tensor<2xf32>, %b: tensor<2xi1>) -> tensor<2xf32> {
  // CHECK: nn.pow: rhs must be float, quantized or integer, got i1
  %y = nn.pow %a, %b : (tensor<2xf32>, tensor<2xi1>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

func.func @add_int_quant(%a: tensor<2xi8>, %b: tensor<2x!nn.q<i8, 0.5, 0>>) -> tensor<2xi8> {
  // CHECK: nn.add: rhs element type !nn.q<i8, 0.5, 0> differs from lhs element type i8
  %y = nn.add %a, %b : (tensor<2xi8>, tensor<2x!nn.q<i8, 0.5, 0>>) -> tensor<2xi8>
  func.return %y : tensor<2xi8>
}

// -----

func.func @prelu_int(%x: tensor<2xi32>, %s: tensor<2xi32>) -> tensor<2xi32> {
  // CHECK: nn.prelu: input must be float or quantized, got i32
  %y = nn.prelu %x, %s : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  func.return %y : tensor<2xi32>
}

// -----

func.func @maximum_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // CHECK: nn.maximum: result #0 has shape 2x1 but the op computes 2x3
  %y = nn.maximum %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  func.return %y : tensor<2x1xf32>
}

// -----

func.func @prelu_slope_shape(%x: tensor<1x3x4x4xf32>, %s: tensor<4x1x1xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: nn.prelu: slope of shape 4x1x1 cannot be broadcast to input shape 1x3x4x4
  %y = nn.prelu %x, %s : (tensor<1x3x4x4xf32>, tensor<4x1x1xf32>) -> tensor<1x3x4x4xf32>
  func.return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @prelu_slope_wider(%x: tensor<1x3x1x1xf32>, %s: tensor<3x4x4xf32>) -> tensor<1x3x1x1xf32> {
  // CHECK: nn.prelu: slope of shape 3x4x4 cannot be broadcast to input shape 1x3x1x1
  %y = nn.prelu %x, %s : (tensor<1x3x1x1xf32>, tensor<3x4x4xf32>) -> tensor<1x3x1x1xf32>
  func.return %y : tensor<1x3x1x1xf32>
}

// -----

func.func @prelu_mixed(%x: tensor<4xf32>, %s: tensor<1x!nn.q<ui8, 0.5, 0>>) -> tensor<4xf32> {
  // CHECK: nn.prelu: operands must be all float or all quantized: input is float (f32), slope is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.prelu %x, %s : (tensor<4xf32>, tensor<1x!nn.q<ui8, 0.5, 0>>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @pad_bad_len(%x: tensor<1x3x4x5xf32>) {
  // CHECK: nn.pad: pads (begins then ends of 4 dims) must have 8 values, got 4: [1, 1, 1, 1]
  %y = nn.pad %x pads [1, 1, 1, 1] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x6x7xf32>
  func.return
}

// -----

func.func @pad_negative(%x: tensor<1x3x4x5xf32>) {
  // CHECK: nn.pad: pads must be non-negative, got [0, 0, -1, 0, 0, 0, 0, 0]
  %y = nn.pad %x pads [0, 0, -1, 0, 0, 0, 0, 0] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x3x5xf32>
  func.return
}

// -----

func.func @pad_bad_mode(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: mode must be one of 'constant', 'reflect', 'edge', 'symmetric', 'wrap', got 'circular'
  %y = nn.pad %x pads [1, 1, 1, 1] mode "circular" : tensor<4x5xf32> -> tensor<6x7xf32>
  func.return
}

// -----

func.func @pad_value_not_constant(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: a pad value is only allowed in 'constant' mode, got mode 'edge'
  %y = nn.pad %x pads [1, 1, 1, 1] mode "edge" value 1.0 : tensor<4x5xf32> -> tensor<6x7xf32>
  func.return
}

// -----

func.func @pad_reflect_too_far(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: reflect padding of dimension 1 (size 5) allows at most 4 per side, got 5 and 0
  %y = nn.pad %x pads [0, 5, 0, 0] mode "reflect" : tensor<4x5xf32> -> tensor<4x10xf32>
  func.return
}

// -----

func.func @pad_symmetric_too_far(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: symmetric padding of dimension 0 (size 4) allows at most 4 per side, got 5 and 0
  %y = nn.pad %x pads [5, 0, 0, 0] mode "symmetric" : tensor<4x5xf32> -> tensor<9x5xf32>
  func.return
}

// -----

func.func @pad_edge_empty(%x: tensor<0x5xf32>) {
  // CHECK: nn.pad: edge padding of dimension 0 needs a non-empty dimension, got size 0
  %y = nn.pad %x pads [1, 0, 0, 0] mode "edge" : tensor<0x5xf32> -> tensor<1x5xf32>
  func.return
}

// -----

func.func @pad_bad_result(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: result #0 has shape 6x6 but the op computes 6x7
  %y = nn.pad %x pads [1, 1, 1, 1] mode "constant" : tensor<4x5xf32> -> tensor<6x6xf32>
  func.return
}

// -----

func.func @pad_mixed(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: operands must be all float or all quantized: input is float (f32), result is quantized (!nn.q<ui8, 0.5, 0>)
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xf32> -> tensor<4x5x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @pad_float_types(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: result element type f16 differs from input element type f32
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xf32> -> tensor<4x5xf16>
  func.return
}

// -----

func.func @pad_bool(%x: tensor<4x5xi1>) {
  // CHECK: nn.pad: input must be float, quantized or integer, got i1
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xi1> -> tensor<4x5xi1>
  func.return
}

// -----

func.func @resize_int(%x: tensor<1x1x2x2xi32>) {
  // CHECK: nn.resize: input must be float or quantized, got i32
  %y = nn.resize %x mode "nearest" coord "asymmetric" : tensor<1x1x2x2xi32> -> tensor<1x1x4x4xi32>
  func.return
}

// -----

func.func @pad_wrap_empty(%x: tensor<0x5xf32>) {
  // CHECK: nn.pad: wrap padding of dimension 0 needs a non-empty dimension, got size 0
  %y = nn.pad %x pads [1, 0, 0, 0] mode "wrap" : tensor<0x5xf32> -> tensor<1x5xf32>
  func.return
}

// -----

func.func @concat_empty() {
  // CHECK: nn.concat: needs at least one input
  %y = nn.concat axis 0 : () -> tensor<4xf32>
  func.return
}

// -----

func.func @concat_shapes(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x5xf32>) {
  // CHECK: nn.concat: input #1 shape 1x3x4x5 does not match input #0 shape 1x2x4x4 outside axis 1
  %y = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x5xf32>) -> tensor<1x5x4x4xf32>
  func.return
}

// -----

func.func @concat_rank(%a: tensor<2x4xf32>, %b: tensor<2x4x1xf32>) {
  // CHECK: nn.concat: input #1 shape 2x4x1 does not match input #0 shape 2x4 outside axis 0
  %y = nn.concat %a, %b axis 0 : (tensor<2x4xf32>, tensor<2x4x1xf32>) -> tensor<4x4xf32>
  func.return
}

// -----

func.func @concat_axis(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) {
  // CHECK: nn.concat: axis 2 is out of range for rank 2
  %y = nn.concat %a, %b axis 2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  func.return
}

// -----

func.func @concat_result(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) {
  // CHECK: nn.concat: result #0 has shape 4x4 but the op computes 2x8
  %y = nn.concat %a, %b axis 1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  func.return
}

// -----

func.func @concat_mixed(%a: tensor<2x4xf32>, %b: tensor<2x4x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.concat: operands must be all float or all quantized: input #0 is float (f32), input #1 is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.concat %a, %b axis 1 : (tensor<2x4xf32>, tensor<2x4x!nn.q<ui8, 0.5, 0>>) -> tensor<2x8xf32>
  func.return
}

// -----

func.func @split_count(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes (one per result) must have 2 values, got 3: [2, 2, 2]
  %y0, %y1 = nn.split %x axis 1 sizes [2, 2, 2] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x4xf32>
  func.return
}

// -----

func.func @split_sum(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes [2, 3] add up to 5 but dimension 1 is 6
  %y0, %y1 = nn.split %x axis 1 sizes [2, 3] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  func.return
}

// -----

func.func @split_zero(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes must be positive, got [0, 6]
  %y0, %y1 = nn.split %x axis 1 sizes [0, 6] : tensor<2x6xf32> -> tensor<2x0xf32>, tensor<2x6xf32>
  func.return
}

// -----

func.func @split_result(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: result #1 has shape 2x3 but the op computes 2x4
  %y0, %y1 = nn.split %x axis 1 sizes [2, 4] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  func.return
}

// -----

func.func @split_axis(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: axis -3 is out of range for rank 2
  %y0 = nn.split %x axis -3 sizes [2] : tensor<2x6xf32> -> tensor<2x6xf32>
  func.return
}

// -----

func.func @reshape_count(%x: tensor<2x6xf32>) {
  // CHECK: nn.reshape: input 2x6 has 12 elements but result 13 has 13
  %y = nn.reshape %x : tensor<2x6xf32> -> tensor<13xf32>
  func.return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // CHECK: nn.transpose: perm [0, 2, 2] is not a permutation of 0..2
  %y = nn.transpose %x perm [0, 2, 2] : tensor<2x3x4xf32> -> tensor<2x4x4xf32>
  func.return
}

// -----

func.func @transpose_result(%x: tensor<2x3x4xf32>) {
  // CHECK: nn.transpose: result #0 has shape 3x4x2 but the op computes 4x2x3
  %y = nn.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  func.return
}

// -----

func.func @slice_len(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: starts must have 2 values, got 1: [0]
  %y = nn.slice %x starts [0] ends [4, 6] steps [1, 1] : tensor<4x6xf32> -> tensor<4x6xf32>
  func.return
}

// -----

func.func @slice_zero_step(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: step of dimension 1 must not be 0
  %y = nn.slice %x starts [0, 0] ends [4, 6] steps [1, 0] : tensor<4x6xf32> -> tensor<4x6xf32>
  func.return
}

// -----

func.func @slice_positive_bounds(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 1 (size 6) with step 2 needs 0 <= start < end <= 6, got start 2, end 7
  %y = nn.slice %x starts [0, 2] ends [4, 7] steps [1, 2] : tensor<4x6xf32> -> tensor<4x3xf32>
  func.return
}

// -----

func.func @slice_empty(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step 1 needs 0 <= start < end <= 4, got start 2, end 2
  %y = nn.slice %x starts [2, 0] ends [2, 6] steps [1, 1] : tensor<4x6xf32> -> tensor<0x6xf32>
  func.return
}

// -----

func.func @slice_negative_bounds(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step -1 needs -1 <= end < start <= 3, got start 4, end -1
  %y = nn.slice %x starts [4, 0] ends [-1, 6] steps [-1, 1] : tensor<4x6xf32> -> tensor<5x6xf32>
  func.return
}

// -----

func.func @slice_negative_end(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step -1 needs -1 <= end < start <= 3, got start 3, end -2
  %y = nn.slice %x starts [3, 0] ends [-2, 6] steps [-1, 1] : tensor<4x6xf32> -> tensor<5x6xf32>
  func.return
}

// -----

func.func @slice_result(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: result #0 has shape 2x1 but the op computes 2x2
  %y = nn.slice %x starts [3, 0] ends [-1, 6] steps [-2, 4] : tensor<4x6xf32> -> tensor<2x1xf32>
  func.return
}

// -----

func.func @s2b_rank(%x: tensor<4x6x2xf32>) {
  // CHECK: nn.space_to_batch: input must have rank 4, got rank 3 (4x6x2)
  %y = nn.space_to_batch %x block [2, 2] pads [0, 0, 0, 0] : tensor<4x6x2xf32> -> tensor<4x6x2xf32>
  func.return
}

// -----

func.func @s2b_block(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: block must be positive, got [2, 0]
  %y = nn.space_to_batch %x block [2, 0] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @s2b_block_len(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: block must have 2 values, got 1: [2]
  %y = nn.space_to_batch %x block [2] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @s2b_pads(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: pads must be non-negative, got [0, -2, 0, 0]
  %y = nn.space_to_batch %x block [2, 2] pads [0, -2, 0, 0] : tensor<1x1x4x6xf32> -> tensor<4x1x2x2xf32>
  func.return
}

// -----

func.func @s2b_multiple(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: padded size 6x6 is not a multiple of block 2x4
  %y = nn.space_to_batch %x block [2, 4] pads [1, 0, 1, 0] : tensor<1x1x4x6xf32> -> tensor<8x1x3x1xf32>
  func.return
}

// -----

func.func @s2b_result(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: result #0 has shape 6x1x3x2 but the op computes 6x1x2x2
  %y = nn.space_to_batch %x block [2, 3] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<6x1x3x2xf32>
  func.return
}

// -----

func.func @b2s_batch(%x: tensor<6x1x4x6xf32>) {
  // CHECK: nn.batch_to_space: input batch 6 is not a multiple of block 2x2 = 4
  %y = nn.batch_to_space %x block [2, 2] crops [0, 0, 0, 0] : tensor<6x1x4x6xf32> -> tensor<1x1x8x12xf32>
  func.return
}

// -----

func.func @b2s_crops(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: crops [2, 0, 2, 0] leave nothing of the 4x6 rearranged input
  %y = nn.batch_to_space %x block [2, 2] crops [2, 0, 2, 0] : tensor<4x1x2x3xf32> -> tensor<1x1x0x6xf32>
  func.return
}

// -----

func.func @b2s_negative_crops(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: crops must be non-negative, got [0, 0, -1, 0]
  %y = nn.batch_to_space %x block [2, 2] crops [0, 0, -1, 0] : tensor<4x1x2x3xf32> -> tensor<1x1x5x6xf32>
  func.return
}

// -----

func.func @b2s_result(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: result #0 has shape 1x1x4x6 but the op computes 1x1x3x5
  %y = nn.batch_to_space %x block [2, 2] crops [1, 0, 0, 1] : tensor<4x1x2x3xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @d2s_channels(%x: tensor<1x6x2x2xf32>) {
  // CHECK: nn.depth_to_space: input channels 6 are not a multiple of block 2 squared = 4
  %y = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x6x2x2xf32> -> tensor<1x1x4x4xf32>
  func.return
}

// -----

func.func @d2s_mode(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: mode must be one of 'DCR', 'CRD', got 'RDC'
  %y = nn.depth_to_space %x block 2 mode "RDC" : tensor<1x8x2x2xf32> -> tensor<1x2x4x4xf32>
  func.return
}

// -----

func.func @d2s_block(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: block must be positive, got 0
  %y = nn.depth_to_space %x block 0 mode "DCR" : tensor<1x8x2x2xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @d2s_result(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: result #0 has shape 1x2x2x2 but the op computes 1x2x4x4
  %y = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @s2d_size(%x: tensor<1x2x4x5xf32>) {
  // CHECK: nn.space_to_depth: input size 4x5 is not a multiple of block 2
  %y = nn.space_to_depth %x block 2 : tensor<1x2x4x5xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @s2d_block(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.space_to_depth: block must be positive, got -2
  %y = nn.space_to_depth %x block -2 : tensor<1x2x4x4xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @s2d_result(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.space_to_depth: result #0 has shape 1x2x2x2 but the op computes 1x8x2x2
  %y = nn.space_to_depth %x block 2 : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @resize_mode(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: mode must be one of 'nearest', 'bilinear', 'bicubic', got 'cubic'
  %y = nn.resize %x mode "cubic" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_scales_size(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: result size 8x8 is not floor(input size x scales) = 9x8 (input 4x4, scales [2.3, 2.0])
  %y = nn.resize %x mode "nearest" coord "asymmetric" scales [2.3, 2.0] : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_scales_count(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: scales must be 2 positive finite numbers, got [2.0, 2.0, 1.0]
  %y = nn.resize %x mode "nearest" coord "asymmetric" scales [2.0, 2.0, 1.0] : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_scales_negative(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: scales must be 2 positive finite numbers, got [-2.0, 2.0]
  %y = nn.resize %x mode "nearest" coord "asymmetric" scales [-2.0, 2.0] : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_coord(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: coordinate_transformation_mode must be one of 'half_pixel', 'align_corners', 'asymmetric', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', 'half_pixel_symmetric', 'tf_crop_and_resize', got 'crop'
  %y = nn.resize %x mode "nearest" coord "crop" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: roi is required with coordinate_transformation_mode 'tf_crop_and_resize' and not allowed otherwise (coord 'tf_crop_and_resize', roi absent)
  %y = nn.resize %x mode "nearest" coord "tf_crop_and_resize" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_roi_without_crop(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: roi is required with coordinate_transformation_mode 'tf_crop_and_resize' and not allowed otherwise (coord 'half_pixel', roi present)
  %y = nn.resize %x mode "bilinear" coord "half_pixel" roi [0.0, 0.0, 1.0, 1.0] : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_roi_count(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: roi must be 4 finite numbers [h_start, w_start, h_end, w_end], got [0.0, 1.0]
  %y = nn.resize %x mode "bilinear" coord "tf_crop_and_resize" roi [0.0, 1.0] : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_extrapolation_without_crop(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: extrapolation_value is only allowed with 'tf_crop_and_resize', got coord 'asymmetric'
  %y = nn.resize %x mode "bilinear" coord "asymmetric" extrapolation_value 1.0 : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_cubic_coeff_bilinear(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: cubic_coeff_a is only allowed in 'bicubic' mode, got mode 'bilinear'
  %y = nn.resize %x mode "bilinear" coord "half_pixel" cubic_coeff_a -0.5 : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_antialias_nearest(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: antialias is only allowed in 'bilinear' and 'bicubic' modes, got mode 'nearest'
  %y = nn.resize %x mode "nearest" coord "half_pixel" antialias : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @resize_exclude_outside_nearest(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: exclude_outside is only allowed in 'bilinear' and 'bicubic' modes, got mode 'nearest'
  %y = nn.resize %x mode "nearest" coord "half_pixel" exclude_outside : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @resize_nearest_mode(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: nearest_mode must be one of 'round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil', got 'round'
  %y = nn.resize %x mode "nearest" coord "half_pixel" nearest_mode "round" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_nearest_mode_bilinear(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: nearest_mode is only allowed in 'nearest' mode, got mode 'bilinear'
  %y = nn.resize %x mode "bilinear" coord "half_pixel" nearest_mode "floor" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_channels(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: resize keeps batch and channels: input has 1x2, result has 1x3
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<1x3x8x8xf32>
  func.return
}

// -----

func.func @resize_rank(%x: tensor<2x4x4xf32>) {
  // CHECK: nn.resize: input must have rank 4, got rank 3 (2x4x4)
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<2x4x4xf32> -> tensor<2x8x8xf32>
  func.return
}

// -----

func.func @resize_result_rank(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: result must have rank 4, got rank 3 (2x8x8)
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<2x8x8xf32>
  func.return
}

// -----

func.func @max_pool_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: pads [2, 0, 0, 0] must be smaller than the kernel extent 2x2 (a window would see only padding)
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [2, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x7x5xf32>
  func.return
}

// -----

func.func @max_pool_dilations(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: dilations must be positive, got [0, 1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [0, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_dilations_len(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: dilations must have 2 values, got 1: [1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_kernel(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: kernel must be positive, got [0, 2]
  %y = nn.max_pool2d %x kernel [0, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_strides(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: strides must have 2 values, got 3: [1, 1, 1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_empty(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: output spatial size -3x3 is empty: kernel extent 10x4 is larger than the padded input 6x6
  %y = nn.max_pool2d %x kernel [4, 4] strides [1, 1] pads [0, 0, 0, 0] dilations [3, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x1x3xf32>
  func.return
}

// -----

func.func @max_pool_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: result #0 has shape 1x2x4x4 but the op computes 1x2x3x3
  %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  func.return
}

// -----

func.func @max_pool_rank(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: input must have rank 4, got rank 3 (2x6x6)
  %y = nn.max_pool2d %v kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<2x6x6xf32> -> tensor<2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_mixed(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: operands must be all float or all quantized: input is float (f32), result is quantized (!nn.q<ui8, 0.5, 0>)
  %y = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x3x3x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @avg_pool_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: pads [0, 0, 0, 3] must be smaller than the kernel extent 3x3 (a window would see only padding)
  %y = nn.avg_pool2d %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 3] count_include_pad false : tensor<1x2x6x6xf32> -> tensor<1x2x4x7xf32>
  func.return
}

// -----

func.func @avg_pool_ceil_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: ceil_pads [2, 0] must be part of the bottom/right pads [1, 1]
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [2, 0] count_include_pad true : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  func.return
}

// -----

func.func @avg_pool_ceil_pads_len(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: ceil_pads must have 2 values, got 4: [1, 1, 0, 0]
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1, 0, 0] count_include_pad true : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  func.return
}

// -----

func.func @avg_pool_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: result #0 has shape 1x2x2x2 but the op computes 1x2x3x3
  %y = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] count_include_pad false : tensor<1x2x6x6xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @reduce_no_axes(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_mean: axes must name at least one axis
  %y = nn.reduce_mean %x axes [] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  func.return
}

// -----

func.func @reduce_twice(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_sum: axes [3, -1] name the same axis twice
  %y = nn.reduce_sum %x axes [3, -1] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x1xf32>
  func.return
}

// -----

func.func @reduce_range(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_max: axis 4 is out of range for rank 4
  %y = nn.reduce_max %x axes [4] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  func.return
}

// -----

func.func @reduce_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_min: result #0 has shape 1x2x1x1 but the op computes 1x2
  %y = nn.reduce_min %x axes [2, 3] keepdims false : tensor<1x2x6x6xf32> -> tensor<1x2x1x1xf32>
  func.return
}

// -----

func.func @reduce_mixed(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_mean: operands must be all float or all quantized: input is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.reduce_mean %q axes [2, 3] keepdims true : tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>> -> tensor<1x2x1x1xf32>
  func.return
}

// -----

func.func @quantize_int_input(%x: tensor<4xi8>) {
  // CHECK: nn.quantize: input must be float, got i8
  %q = nn.quantize %x rounding "half_even" : tensor<4xi8> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @quantize_float_result(%x: tensor<4xf32>) {
  // CHECK: nn.quantize: result must be quantized, got f32
  %q = nn.quantize %x rounding "half_even" : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @quantize_bad_rounding(%x: tensor<4xf32>) {
  // CHECK: nn.quantize: rounding must be one of 'half_even', 'half_away', got 'nearest'
  %q = nn.quantize %x rounding "nearest" : tensor<4xf32> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @quantize_axis_out_of_range(%x: tensor<2x2xf32>) {
  // CHECK: nn.quantize: result: per-channel axis 2 is out of range for rank 2
  %q = nn.quantize %x rounding "half_even" : tensor<2x2xf32> -> tensor<2x2x!nn.qc<i8, axis 2, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @quantize_scale_count(%x: tensor<2x3xf32>) {
  // CHECK: nn.quantize: result: per-channel quantization has 2 scales but dimension 1 is 3
  %q = nn.quantize %x rounding "half_even" : tensor<2x3xf32> -> tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @quantize_shape(%x: tensor<2x3xf32>) {
  // CHECK: nn.quantize: result #0 has shape 3x2 but the op computes 2x3
  %q = nn.quantize %x rounding "half_even" : tensor<2x3xf32> -> tensor<3x2x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>) {
  // CHECK: nn.dequantize: input must be quantized, got f32
  %y = nn.dequantize %x : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @dequantize_f16_result(%x: tensor<4x!nn.q<i8, 0.5, 0>>) {
  // CHECK: nn.dequantize: result must be f32, got f16
  %y = nn.dequantize %x : tensor<4x!nn.q<i8, 0.5, 0>> -> tensor<4xf16>
  func.return
}

// -----

func.func @dequantize_axis(%x: tensor<2x3x!nn.qc<i8, axis 3, [0.5, 0.25, 1.0], [0, 0, 0]>>) {
  // CHECK: nn.dequantize: operand #0: per-channel axis 3 is out of range for rank 2
  %y = nn.dequantize %x : tensor<2x3x!nn.qc<i8, axis 3, [0.5, 0.25, 1.0], [0, 0, 0]>> -> tensor<2x3xf32>
  func.return
}

// -----

func.func @requantize_float_result(%x: tensor<4x!nn.q<i8, 0.5, 0>>) {
  // CHECK: nn.requantize: result must be quantized, got f32
  %y = nn.requantize %x : tensor<4x!nn.q<i8, 0.5, 0>> -> tensor<4xf32>
  func.return
}

// -----

func.func @requantize_axes(%x: tensor<2x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>) {
  // CHECK: nn.requantize: input is quantized along axis 0 but the result along axis 1
  %y = nn.requantize %x : tensor<2x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>> -> tensor<2x2x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @requantize_i32(%x: tensor<4x!nn.q<i32, 0.5, 0>>) {
  // CHECK: nn.requantize: input storage must be at most 16 bits wide, got !nn.q<i32, 0.5, 0>
  %y = nn.requantize %x : tensor<4x!nn.q<i32, 0.5, 0>> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @avg_pool_integer(%x: tensor<1x2x4x4xui8>) {
  // CHECK: nn.avg_pool2d: input must be float or quantized, got ui8
  %y = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] count_include_pad false : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xui8>
  func.return
}

// -----

func.func @max_pool_mixed_integers(%x: tensor<1x2x4x4xui8>) {
  // CHECK: nn.max_pool2d: result element type i8 differs from input element type ui8
  %y = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xi8>
  func.return
}

// -----

func.func @max_pool_argmax_type(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.max_pool2d_argmax: result must hold i64 indices, got i32
  %y = nn.max_pool2d_argmax %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xi32>
  func.return
}

// -----

func.func @max_pool_argmax_shape(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.max_pool2d_argmax: result #0 has shape 1x2x3x3 but the op computes 1x2x2x2
  %y = nn.max_pool2d_argmax %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xi64>
  func.return
}

// -----

func.func @max_pool_argmax_dilations(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.max_pool2d_argmax: dilations must be positive, got [0, 1]
  %y = nn.max_pool2d_argmax %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [0, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xi64>
  func.return
}

// -----

// Quantized storage: i2, ui2, i4, ui4, i8, ui8, i16, ui16, i32 (not i3, ui32 or the explicitly signed si8).
// CHECK: quantized storage must be i2, ui2, i4, ui4, i8, ui8, i16, ui16 or i32, got i3
func.func @storage_i3(%x: tensor<2x!nn.q<i3, 0.5, 0>>) {
  func.return
}

// -----

// CHECK: quantized storage must be i2, ui2, i4, ui4, i8, ui8, i16, ui16 or i32, got ui32
func.func @storage_ui32(%x: tensor<2x!nn.q<ui32, 0.5, 0>>) {
  func.return
}

// -----

// CHECK: quantized storage must be i2, ui2, i4, ui4, i8, ui8, i16, ui16 or i32, got si8
func.func @storage_si8(%x: tensor<2x!nn.q<si8, 0.5, 0>>) {
  func.return
}

// -----

// CHECK: zero_point 8 out of range [-8, 7] of i4
func.func @zp_i4(%x: tensor<2x!nn.q<i4, 0.5, 8>>) {
  func.return
}

// -----

// CHECK: zero_point 1 = 4 out of range [0, 3] of ui2
func.func @zp_ui2(%x: tensor<2x!nn.qc<ui2, axis 0, [0.5, 0.25], [0, 4]>>) {
  func.return
}

// -----

// CHECK: zero_point 65536 out of range [0, 65535] of ui16
func.func @zp_ui16(%x: tensor<2x!nn.q<ui16, 0.5, 65536>>) {
  func.return
}
