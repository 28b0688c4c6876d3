// RUN: kcc-opt %s --split-input-file -p decompose-conv-transpose | filecheck %s

// Stride 2, kernel 3, pads [1, 1, 0, 0]: four phases with 1x1, 1x2, 2x1 and 2x2 sub-kernels (reversed taps) on the input.
// CHECK-LABEL: func.func @stride2(
// CHECK-NEXT:  %b = nn.const dense<5.000000e-01> : tensor<1xf32>
// CHECK-NEXT:  %y = nn.const dense<5.000000e+00> : tensor<1x2x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %x, %y, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_2 = nn.const dense<[[[[6.000000e+00, 4.000000e+00]], [[6.000000e+00, 4.000000e+00]]]]> : tensor<1x2x1x2xf32>
// CHECK-NEXT:  %y_3 = nn.conv2d %x, %y_2, %b strides [1, 1] pads [0, 0, 0, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<1x2x1x2xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_4 = nn.const dense<[[[[8.000000e+00], [2.000000e+00]], [[8.000000e+00], [2.000000e+00]]]]> : tensor<1x2x2x1xf32>
// CHECK-NEXT:  %y_5 = nn.conv2d %x, %y_4, %b strides [1, 1] pads [0, 0, 1, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<1x2x2x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_6 = nn.const dense<[[[[9.000000e+00, 7.000000e+00], [3.000000e+00, 1.000000e+00]], [[9.000000e+00, 7.000000e+00], [3.000000e+00, 1.000000e+00]]]]> : tensor<1x2x2x2xf32>
// CHECK-NEXT:  %y_7 = nn.conv2d %x, %y_6, %b strides [1, 1] pads [0, 0, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_8 = nn.concat %y_1, %y_3, %y_5, %y_7 axis 1 : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:  %y_9 = nn.depth_to_space %y_8 block 2 mode "DCR" : tensor<1x4x4x4xf32> -> tensor<1x1x8x8xf32>
// CHECK-NEXT:  func.return %y_9 : tensor<1x1x8x8xf32>
func.func @stride2(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %w = nn.const dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<2x1x3x3xf32>
  %b = nn.const dense<0.5> : tensor<1xf32>
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [1, 1, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}

// -----

// Depthwise, stride 2, kernel 2 (no pads): every phase is a 1x1 depthwise conv.
// CHECK-LABEL: func.func @depthwise_k2(
// CHECK-NEXT:  %b = nn.const dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT{LITERAL}:  %y = nn.const dense<[[[[1.000000e+00]]], [[[5.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %x, %y, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_2 = nn.const dense<[[[[2.000000e+00]]], [[[6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %y_3 = nn.conv2d %x, %y_2, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_4 = nn.const dense<[[[[3.000000e+00]]], [[[7.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %y_5 = nn.conv2d %x, %y_4, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_6 = nn.const dense<[[[[4.000000e+00]]], [[[8.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %y_7 = nn.conv2d %x, %y_6, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_8 = nn.concat %y_1, %y_3, %y_5, %y_7 axis 1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x8x4x4xf32>
// CHECK-NEXT:  %y_9 = nn.depth_to_space %y_8 block 2 mode "DCR" : tensor<1x8x4x4xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT:  func.return %y_9 : tensor<1x2x8x8xf32>
func.func @depthwise_k2(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32> {
  %w = nn.const dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]]]> : tensor<2x1x2x2xf32>
  %b = nn.const dense<[0.0, 1.0]> : tensor<2xf32>
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  func.return %y : tensor<1x2x8x8xf32>
}

// -----

// Stride [1, 2], kernel 1x1 with output_padding: column phase 1 has no tap (the bias), rows need no interleave.
// CHECK-LABEL: func.func @kernel_smaller_than_stride(
// CHECK-NEXT:  %b = nn.const dense<2.500000e-01> : tensor<1xf32>
// CHECK-NEXT:  %y = nn.const dense<3.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %x, %y, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_2 = nn.const dense<2.500000e-01> : tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_3 = nn.reshape %y_1 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x1xf32>
// CHECK-NEXT:  %y_4 = nn.reshape %y_2 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x1xf32>
// CHECK-NEXT:  %y_5 = nn.concat %y_3, %y_4 axis 4 : (tensor<1x1x4x4x1xf32>, tensor<1x1x4x4x1xf32>) -> tensor<1x1x4x4x2xf32>
// CHECK-NEXT:  %y_6 = nn.reshape %y_5 : tensor<1x1x4x4x2xf32> -> tensor<1x1x4x8xf32>
// CHECK-NEXT:  func.return %y_6 : tensor<1x1x4x8xf32>
func.func @kernel_smaller_than_stride(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x8xf32> {
  %w = nn.const dense<3.0> : tensor<1x1x1x1xf32>
  %b = nn.const dense<0.25> : tensor<1xf32>
  %y = nn.conv_transpose2d %x, %w, %b strides [1, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x8xf32>
  func.return %y : tensor<1x1x4x8xf32>
}

// -----

// Left alone: computed weights, quantized types.
// CHECK-LABEL: func.func @negative(
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %c = nn.conv_transpose2d %x, %wx, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x9x9xf32>
// CHECK-NEXT:  %qw = nn.const dense<1> : tensor<1x1x3x3xui8> -> tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT:  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
// CHECK-NEXT:  %d = nn.conv_transpose2d %q, %qw, %qb strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x1x4x4x!nn.q<ui8, 0.5, 3>>, tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x9x9x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  func.return %c, %d : tensor<1x1x9x9xf32>, tensor<1x1x9x9x!nn.q<ui8, 0.5, 0>>
func.func @negative(%x: tensor<1x1x4x4xf32>, %wx: tensor<1x1x3x3xf32>, %q: tensor<1x1x4x4x!nn.q<ui8, 0.5, 3>>) -> (tensor<1x1x9x9xf32>, tensor<1x1x9x9x!nn.q<ui8, 0.5, 0>>) {
  %b = nn.const dense<0.0> : tensor<1xf32>
  %c = nn.conv_transpose2d %x, %wx, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x9x9xf32>
  %qw = nn.const dense<1> : tensor<1x1x3x3xui8> -> tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>
  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
  %d = nn.conv_transpose2d %q, %qw, %qb strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 1 : (tensor<1x1x4x4x!nn.q<ui8, 0.5, 3>>, tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x9x9x!nn.q<ui8, 0.5, 0>>
  func.return %c, %d : tensor<1x1x9x9xf32>, tensor<1x1x9x9x!nn.q<ui8, 0.5, 0>>
}
