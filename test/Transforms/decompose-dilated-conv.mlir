// RUN: kcc-opt %s --split-input-file -p decompose-dilated-conv | filecheck %s

// Dilation 2, same padding: four phases of a 3x3 conv on the 4x4 sub-sampled views, interleaved by depth_to_space.
// CHECK-LABEL: func.func @dilation2(
// CHECK-NEXT:  %w = nn.const dense<1.000000e+00> : tensor<2x2x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<5.000000e-01> : tensor<2xf32>
// CHECK-NEXT:  %y = nn.slice %x starts [0, 0, 0, 0] ends [1, 2, 7, 7] steps [1, 1, 2, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %y, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_2 = nn.slice %x starts [0, 0, 0, 1] ends [1, 2, 7, 8] steps [1, 1, 2, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_3 = nn.conv2d %y_2, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_4 = nn.slice %x starts [0, 0, 1, 0] ends [1, 2, 8, 7] steps [1, 1, 2, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_5 = nn.conv2d %y_4, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_6 = nn.slice %x starts [0, 0, 1, 1] ends [1, 2, 8, 8] steps [1, 1, 2, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_7 = nn.conv2d %y_6, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_8 = nn.concat %y_1, %y_3, %y_5, %y_7 axis 1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x8x4x4xf32>
// CHECK-NEXT:  %y_9 = nn.depth_to_space %y_8 block 2 mode "DCR" : tensor<1x8x4x4xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT:  func.return %y_9 : tensor<1x2x8x8xf32>
func.func @dilation2(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %w = nn.const dense<1.0> : tensor<2x2x3x3xf32>
  %b = nn.const dense<0.5> : tensor<2xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [2, 2, 2, 2] dilations [2, 2] groups 1 act #nn.act<relu> : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  func.return %y : tensor<1x2x8x8xf32>
}

// -----

// Stride 2 = dilation 2: one phase, a stride-1 conv on the even rows/columns; no interleave.
// CHECK-LABEL: func.func @stride_equals_dilation(
// CHECK-NEXT:  %w = nn.const dense<2.000000e+00> : tensor<1x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %y = nn.slice %x starts [0, 0, 0, 0] ends [1, 1, 9, 9] steps [1, 1, 2, 2] : tensor<1x1x9x9xf32> -> tensor<1x1x5x5xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %y, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
// CHECK-NEXT:  func.return %y_1 : tensor<1x1x3x3xf32>
func.func @stride_equals_dilation(%x: tensor<1x1x9x9xf32>) -> tensor<1x1x3x3xf32> {
  %w = nn.const dense<2.0> : tensor<1x1x3x3xf32>
  %b = nn.const dense<0.0> : tensor<1xf32>
  %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [2, 2] groups 1 : (tensor<1x1x9x9xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  func.return %y : tensor<1x1x3x3xf32>
}

// -----

// Depthwise, dilation 2 along H only: two row phases, interleaved with reshape + concat; the odd output row count is cropped.
// CHECK-LABEL: func.func @rows_only(
// CHECK-NEXT:  %w = nn.const dense<1.000000e+00> : tensor<2x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %y = nn.slice %x starts [0, 0, 0, 0] ends [1, 2, 5, 4] steps [1, 1, 2, 1] : tensor<1x2x5x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %y_1 = nn.conv2d %y, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 2 : (tensor<1x2x3x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %y_2 = nn.slice %x starts [0, 0, 1, 0] ends [1, 2, 4, 4] steps [1, 1, 2, 1] : tensor<1x2x5x4xf32> -> tensor<1x2x2x4xf32>
// CHECK-NEXT:  %y_3 = nn.conv2d %y_2, %w, %b strides [1, 1] pads [1, 1, 2, 1] dilations [1, 1] groups 2 : (tensor<1x2x2x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %y_4 = nn.reshape %y_1 : tensor<1x2x3x4xf32> -> tensor<1x2x3x1x4xf32>
// CHECK-NEXT:  %y_5 = nn.reshape %y_3 : tensor<1x2x3x4xf32> -> tensor<1x2x3x1x4xf32>
// CHECK-NEXT:  %y_6 = nn.concat %y_4, %y_5 axis 3 : (tensor<1x2x3x1x4xf32>, tensor<1x2x3x1x4xf32>) -> tensor<1x2x3x2x4xf32>
// CHECK-NEXT:  %y_7 = nn.reshape %y_6 : tensor<1x2x3x2x4xf32> -> tensor<1x2x6x4xf32>
// CHECK-NEXT:  %y_8 = nn.slice %y_7 starts [0, 0, 0, 0] ends [1, 2, 5, 4] steps [1, 1, 1, 1] : tensor<1x2x6x4xf32> -> tensor<1x2x5x4xf32>
// CHECK-NEXT:  func.return %y_8 : tensor<1x2x5x4xf32>
func.func @rows_only(%x: tensor<1x2x5x4xf32>) -> tensor<1x2x5x4xf32> {
  %w = nn.const dense<1.0> : tensor<2x1x3x3xf32>
  %b = nn.const dense<[1.0, 2.0]> : tensor<2xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [2, 1, 2, 1] dilations [2, 1] groups 2 : (tensor<1x2x5x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x5x4xf32>
  func.return %y : tensor<1x2x5x4xf32>
}

// -----

// Left alone: undilated 3x3, computed weights, quantized types.
// CHECK-LABEL: func.func @negative(
// CHECK-NEXT:  %w = nn.const dense<1.000000e+00> : tensor<1x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %a = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
// CHECK-NEXT:  %c = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %qw = nn.const dense<1> : tensor<1x1x3x3xui8> -> tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT:  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
// CHECK-NEXT:  %d = nn.conv2d %q, %qw, %qb strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 1 : (tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>, tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  func.return %a, %c, %d : tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
func.func @negative(%x: tensor<1x1x8x8xf32>, %wx: tensor<1x1x3x3xf32>, %q: tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>) -> (tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>) {
  %w = nn.const dense<1.0> : tensor<1x1x3x3xf32>
  %b = nn.const dense<0.0> : tensor<1xf32>
  %a = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x8x8xf32>
  %c = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 1 : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %qw = nn.const dense<1> : tensor<1x1x3x3xui8> -> tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>
  %qb = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.125, 0>>
  %d = nn.conv2d %q, %qw, %qb strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 1 : (tensor<1x1x8x8x!nn.q<ui8, 0.5, 3>>, tensor<1x1x3x3x!nn.q<ui8, 0.25, 0>>, tensor<1x!nn.q<i32, 0.125, 0>>) -> tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
  func.return %a, %c, %d : tensor<1x1x8x8xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!nn.q<ui8, 0.5, 0>>
}
