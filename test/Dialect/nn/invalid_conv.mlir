// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

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
