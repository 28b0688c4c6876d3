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
