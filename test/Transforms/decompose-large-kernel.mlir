// RUN: kcc-opt %s --split-input-file -p decompose-large-kernel | filecheck %s

// Depthwise 5x5 "same" on 16x16 (BlazeFace): four 3x3 tiles (taps 3-4 in tiles starting at tap 2, so every tile has 2-sided pads that kpu-legalize pads + crops), bias on the first, sum, relu after.
// CHECK-LABEL: func.func @depthwise5x5(
// CHECK-NEXT:  %b = nn.const dense<5.000000e-01> : tensor<4xf32>
// CHECK-NEXT:  %y = nn.const dense<1.000000e+00> : tensor<4x1x3x3xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %x, %y, %b strides [1, 1] pads [2, 2, 0, 0] dilations [1, 1] groups 4 : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  %y_2 = nn.const dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT{LITERAL}:  %y_3 = nn.const dense<[[[[0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]]]> : tensor<4x1x3x3xf32>
// CHECK-NEXT:  %y_4 = nn.conv2d %x, %y_3, %y_2 strides [1, 1] pads [2, 0, 0, 2] dilations [1, 1] groups 4 : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT{LITERAL}:  %y_5 = nn.const dense<[[[[0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]]]> : tensor<4x1x3x3xf32>
// CHECK-NEXT:  %y_6 = nn.conv2d %x, %y_5, %y_2 strides [1, 1] pads [0, 2, 2, 0] dilations [1, 1] groups 4 : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT{LITERAL}:  %y_7 = nn.const dense<[[[[0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00]]]]> : tensor<4x1x3x3xf32>
// CHECK-NEXT:  %y_8 = nn.conv2d %x, %y_7, %y_2 strides [1, 1] pads [0, 0, 2, 2] dilations [1, 1] groups 4 : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  %y_9 = nn.add %y_1, %y_4 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  %y_10 = nn.add %y_9, %y_6 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  %y_11 = nn.add %y_10, %y_8 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  %y_12 = nn.relu %y_11 : tensor<1x4x16x16xf32> -> tensor<1x4x16x16xf32>
// CHECK-NEXT:  func.return %y_12 : tensor<1x4x16x16xf32>
func.func @depthwise5x5(%x: tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> {
  %w = nn.const dense<1.0> : tensor<4x1x5x5xf32>
  %b = nn.const dense<0.5> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [2, 2, 2, 2] dilations [1, 1] groups 4 act #nn.act<relu> : (tensor<1x4x16x16xf32>, tensor<4x1x5x5xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  func.return %y : tensor<1x4x16x16xf32>
}

// -----

// 1x3 kernel: one 3x3 tile (taps in the middle row), same padding, bias and activation stay fused.
// CHECK-LABEL: func.func @one_by_three(
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT{LITERAL}:  %y = nn.const dense<[[[[0.000000e+00, 0.000000e+00, 0.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]], [[0.000000e+00, 0.000000e+00, 0.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]], [[[0.000000e+00, 0.000000e+00, 0.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]], [[0.000000e+00, 0.000000e+00, 0.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<2x2x3x3xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %x, %y, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
// CHECK-NEXT:  func.return %y_1 : tensor<1x2x8x8xf32>
func.func @one_by_three(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %w = nn.const dense<2.0> : tensor<2x2x1x3xf32>
  %b = nn.const dense<0.0> : tensor<2xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 1, 0, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x8x8xf32>, tensor<2x2x1x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  func.return %y : tensor<1x2x8x8xf32>
}

// -----

// Left alone: 3x3, computed weights, quantized types, dilated, and (cost model) a 5x5 on a map below the KPU's 4x4.
// CHECK-LABEL: func.func @negative(
// CHECK-NEXT:  %w3 = nn.const dense<1.000000e+00> : tensor<1x1x3x3xf32>
// CHECK-NEXT:  %w5 = nn.const dense<1.000000e+00> : tensor<1x1x5x5xf32>
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %a = nn.conv2d %x, %w3, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
// CHECK-NEXT:  %c = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %qw = nn.const dense<1> : tensor<1x1x5x5xui8> -> tensor<1x1x5x5x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT:  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
// CHECK-NEXT:  %d = nn.conv2d %q, %qw, %qb strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>, tensor<1x1x5x5x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  %e = nn.conv2d %x, %w5, %b strides [1, 1] pads [4, 4, 4, 4] dilations [2, 2] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
// CHECK-NEXT:  %f = nn.conv2d %s, %w5, %b strides [1, 1] pads [2, 2, 2, 2] dilations [1, 1] groups 1 : (tensor<1x1x3x3xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
// CHECK-NEXT:  func.return %a, %c, %d, %e, %f : tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>, tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>
func.func @negative(%x: tensor<1x1x8x8xf32>, %wx: tensor<1x1x5x5xf32>, %q: tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>, %s: tensor<1x1x3x3xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>, tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) {
  %w3 = nn.const dense<1.0> : tensor<1x1x3x3xf32>
  %w5 = nn.const dense<1.0> : tensor<1x1x5x5xf32>
  %b = nn.const dense<0.0> : tensor<1xf32>
  %a = nn.conv2d %x, %w3, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
  %c = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %qw = nn.const dense<1> : tensor<1x1x5x5xui8> -> tensor<1x1x5x5x!nn.q<ui8, 0.25, 0>>
  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
  %d = nn.conv2d %q, %qw, %qb strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>, tensor<1x1x5x5x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
  %e = nn.conv2d %x, %w5, %b strides [1, 1] pads [4, 4, 4, 4] dilations [2, 2] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
  %f = nn.conv2d %s, %w5, %b strides [1, 1] pads [2, 2, 2, 2] dilations [1, 1] groups 1 : (tensor<1x1x3x3xf32>, tensor<1x1x5x5xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  func.return %a, %c, %d, %e, %f : tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>, tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>
}
