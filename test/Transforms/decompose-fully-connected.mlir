// RUN: kcc-opt %s --split-input-file -p decompose-fully-connected | filecheck %s

// One row: reshape to 1x3x1x1, zero pad to 4x4, 1x1 conv, crop pixel (0, 0), reshape.
// CHECK-LABEL: func.func @fc(
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-NEXT:  %y = nn.reshape %x : tensor<1x3xf32> -> tensor<1x3x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.pad %y pads [0, 0, 0, 0, 0, 0, 3, 3] mode "constant" value 0.0 : tensor<1x3x1x1xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_2 = nn.const dense<[[[[1.000000e+00]], [[2.000000e+00]], [[3.000000e+00]]], [[[4.000000e+00]], [[5.000000e+00]], [[6.000000e+00]]]]> : tensor<2x3x1x1xf32>
// CHECK-NEXT:  %y_3 = nn.conv2d %y_1, %y_2, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_4 = nn.slice %y_3 starts [0, 0, 0, 0] ends [1, 2, 1, 1] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  %y_5 = nn.reshape %y_4 : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
// CHECK-NEXT:  func.return %y_5 : tensor<1x2xf32>
func.func @fc(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = nn.const dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = nn.const dense<[0.5, -0.5]> : tensor<2xf32>
  %y = nn.fully_connected %x, %w, %b act #nn.act<relu> : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// MatMul with a constant [K, O] operand and two rows: transpose, rows on H (padded to 4), crop column 0.
// CHECK-LABEL: func.func @matmul(
// CHECK-NEXT:  %y = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %y_1 = nn.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NEXT:  %y_2 = nn.reshape %y_1 : tensor<3x2xf32> -> tensor<1x3x2x1xf32>
// CHECK-NEXT:  %y_3 = nn.pad %y_2 pads [0, 0, 0, 0, 0, 0, 2, 3] mode "constant" value 0.0 : tensor<1x3x2x1xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT{LITERAL}:  %y_4 = nn.const dense<[[[[1.000000e+00]], [[2.000000e+00]], [[3.000000e+00]]], [[[4.000000e+00]], [[5.000000e+00]], [[6.000000e+00]]]]> : tensor<2x3x1x1xf32>
// CHECK-NEXT:  %y_5 = nn.conv2d %y_3, %y_4, %y strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %y_6 = nn.slice %y_5 starts [0, 0, 0, 0] ends [1, 2, 2, 1] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x1xf32>
// CHECK-NEXT:  %y_7 = nn.reshape %y_6 : tensor<1x2x2x1xf32> -> tensor<2x2xf32>
// CHECK-NEXT:  %y_8 = nn.transpose %y_7 perm [1, 0] : tensor<2x2xf32> -> tensor<2x2xf32>
// CHECK-NEXT:  func.return %y_8 : tensor<2x2xf32>
func.func @matmul(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = nn.const dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %y = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}

// -----

// 1100 input features: two 550-channel partial convs summed, bias on the last, activation after the sum.
// CHECK-LABEL: func.func @split_inputs(
// CHECK-NEXT:  %b = nn.const dense<5.000000e-01> : tensor<1xf32>
// CHECK-NEXT:  %y = nn.reshape %x : tensor<1x1100xf32> -> tensor<1x1100x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.pad %y pads [0, 0, 0, 0, 0, 0, 3, 3] mode "constant" value 0.0 : tensor<1x1100x1x1xf32> -> tensor<1x1100x4x4xf32>
// CHECK-NEXT:  %y_2, %y_3 = nn.split %y_1 axis 1 sizes [550, 550] : tensor<1x1100x4x4xf32> -> tensor<1x550x4x4xf32>, tensor<1x550x4x4xf32>
// CHECK-NEXT:  %y_4 = nn.const dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %y_5 = nn.const dense<1.000000e+00> : tensor<1x550x1x1xf32>
// CHECK-NEXT:  %y_6 = nn.conv2d %y_2, %y_5, %y_4 strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x550x4x4xf32>, tensor<1x550x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_7 = nn.const dense<1.000000e+00> : tensor<1x550x1x1xf32>
// CHECK-NEXT:  %y_8 = nn.conv2d %y_3, %y_7, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x550x4x4xf32>, tensor<1x550x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_9 = nn.add %y_6, %y_8 : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_10 = nn.slice %y_9 starts [0, 0, 0, 0] ends [1, 1, 1, 1] steps [1, 1, 1, 1] : tensor<1x1x4x4xf32> -> tensor<1x1x1x1xf32>
// CHECK-NEXT:  %y_11 = nn.clamp %y_10 min 0.0 max 6.0 : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
// CHECK-NEXT:  %y_12 = nn.reshape %y_11 : tensor<1x1x1x1xf32> -> tensor<1x1xf32>
// CHECK-NEXT:  func.return %y_12 : tensor<1x1xf32>
func.func @split_inputs(%x: tensor<1x1100xf32>) -> tensor<1x1xf32> {
  %w = nn.const dense<1.0> : tensor<1x1100xf32>
  %b = nn.const dense<0.5> : tensor<1xf32>
  %y = nn.fully_connected %x, %w, %b act #nn.act<clamp, 0.0, 6.0> : (tensor<1x1100xf32>, tensor<1x1100xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  func.return %y : tensor<1x1xf32>
}

// -----

// 1030 output features: two output groups of 515, concatenated.
// CHECK-LABEL: func.func @split_outputs(
// CHECK-NEXT:  %y = nn.reshape %x : tensor<1x1xf32> -> tensor<1x1x1x1xf32>
// CHECK-NEXT:  %y_1 = nn.pad %y pads [0, 0, 0, 0, 0, 0, 3, 3] mode "constant" value 0.0 : tensor<1x1x1x1xf32> -> tensor<1x1x4x4xf32>
// CHECK-NEXT:  %y_2 = nn.const dense<0.000000e+00> : tensor<515xf32>
// CHECK-NEXT:  %y_3 = nn.const dense<1.000000e+00> : tensor<515x1x1x1xf32>
// CHECK-NEXT:  %y_4 = nn.conv2d %y_1, %y_3, %y_2 strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<515x1x1x1xf32>, tensor<515xf32>) -> tensor<1x515x4x4xf32>
// CHECK-NEXT:  %y_5 = nn.const dense<0.000000e+00> : tensor<515xf32>
// CHECK-NEXT:  %y_6 = nn.const dense<1.000000e+00> : tensor<515x1x1x1xf32>
// CHECK-NEXT:  %y_7 = nn.conv2d %y_1, %y_6, %y_5 strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<515x1x1x1xf32>, tensor<515xf32>) -> tensor<1x515x4x4xf32>
// CHECK-NEXT:  %y_8 = nn.concat %y_4, %y_7 axis 1 : (tensor<1x515x4x4xf32>, tensor<1x515x4x4xf32>) -> tensor<1x1030x4x4xf32>
// CHECK-NEXT:  %y_9 = nn.slice %y_8 starts [0, 0, 0, 0] ends [1, 1030, 1, 1] steps [1, 1, 1, 1] : tensor<1x1030x4x4xf32> -> tensor<1x1030x1x1xf32>
// CHECK-NEXT:  %y_10 = nn.reshape %y_9 : tensor<1x1030x1x1xf32> -> tensor<1x1030xf32>
// CHECK-NEXT:  func.return %y_10 : tensor<1x1030xf32>
func.func @split_outputs(%x: tensor<1x1xf32>) -> tensor<1x1030xf32> {
  %w = nn.const dense<1.0> : tensor<1030x1xf32>
  %b = nn.const dense<0.0> : tensor<1030xf32>
  %y = nn.fully_connected %x, %w, %b : (tensor<1x1xf32>, tensor<1030x1xf32>, tensor<1030xf32>) -> tensor<1x1030xf32>
  func.return %y : tensor<1x1030xf32>
}

// -----

// Left alone: computed weights (fully connected and matmul), quantized types.
// CHECK-LABEL: func.func @negative(
// CHECK-NEXT:  %b = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %c = nn.fully_connected %x, %wx, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
// CHECK-NEXT:  %m = nn.matmul %x, %mx : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
// CHECK-NEXT:  %qw = nn.const dense<1> : tensor<2x3xui8> -> tensor<2x3x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT:  %qb = nn.const dense<0> : tensor<2xi32> -> tensor<2x!nn.q<i32, 0.125, 0>>
// CHECK-NEXT:  %d = nn.fully_connected %q, %qw, %qb : (tensor<1x3x!nn.q<ui8, 0.5, 3>>, tensor<2x3x!nn.q<ui8, 0.25, 0>>, tensor<2x!nn.q<i32, 0.125, 0>>) -> tensor<1x2x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  func.return %c, %m, %d : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2x!nn.q<ui8, 0.5, 0>>
func.func @negative(%x: tensor<1x3xf32>, %wx: tensor<2x3xf32>, %mx: tensor<3x2xf32>, %q: tensor<1x3x!nn.q<ui8, 0.5, 3>>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2x!nn.q<ui8, 0.5, 0>>) {
  %b = nn.const dense<0.0> : tensor<2xf32>
  %c = nn.fully_connected %x, %wx, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %m = nn.matmul %x, %mx : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %qw = nn.const dense<1> : tensor<2x3xui8> -> tensor<2x3x!nn.q<ui8, 0.25, 0>>
  %qb = nn.const dense<0> : tensor<2xi32> -> tensor<2x!nn.q<i32, 0.125, 0>>
  %d = nn.fully_connected %q, %qw, %qb : (tensor<1x3x!nn.q<ui8, 0.5, 3>>, tensor<2x3x!nn.q<ui8, 0.25, 0>>, tensor<2x!nn.q<i32, 0.125, 0>>) -> tensor<1x2x!nn.q<ui8, 0.5, 0>>
  func.return %c, %m, %d : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2x!nn.q<ui8, 0.5, 0>>
}
