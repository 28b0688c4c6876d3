// RUN: kcc-opt %s --split-input-file -p fuse-conv | filecheck %s
// RUN: kcc-opt %s --split-input-file --fuse-conv | filecheck %s
// Idempotence: a second run (on the printed output) changes nothing.
// RUN: kcc-opt %s --split-input-file -p fuse-conv | kcc-opt --split-input-file -p fuse-conv | filecheck %s

// Bias add: a [C, 1, 1] constant after a conv becomes the bias.
// CHECK-LABEL: func.func @add_bias(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[7.500000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x2x2xf32>
func.func @add_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[0.25]], [[-3.0]]]> : tensor<2x1x1xf32>
  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %y : tensor<1x2x2x2xf32>
}

// -----

// The constant may come first and be [1, C, 1, 1]; a scalar is per channel too.
// CHECK-LABEL: func.func @add_bias_lhs_and_scalar(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[2.000000e+00, 3.500000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x2x2xf32>
func.func @add_bias_lhs_and_scalar(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %y = nn.add %c, %conv : (tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %s = nn.const dense<0.5> : tensor<f32>
  %z = nn.add %y, %s : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  func.return %z : tensor<1x2x2x2xf32>
}

// -----

// conv - c shifts the bias; c - conv negates the weights too.
// CHECK-LABEL: func.func @sub(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[2.500000e-01, -3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %w_1 = nn.const dense<[[[[-1.000000e+00]]], [[[-2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b_1 = nn.const dense<[-2.500000e-01, 3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w_1, %b_1 strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %conv, %conv2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @sub(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[0.25]], [[4.0]]]> : tensor<2x1x1xf32>
  %y = nn.sub %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %z = nn.sub %c, %conv2 : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %y, %z : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// mul scales weights and bias per output channel; div by a constant too.
// CHECK-LABEL: func.func @mul_div(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[5.000000e-01]], [[1.000000e+00]]], [[[6.000000e+00]], [[8.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x3x3xf32>
func.func @mul_div(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.const dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = nn.const dense<[1.0, -1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = nn.const dense<[[[2.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %y = nn.mul %m, %conv : (tensor<2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = nn.const dense<[[[4.0]], [[0.25]]]> : tensor<2x1x1xf32>
  %z = nn.div %y, %d : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  func.return %z : tensor<1x2x3x3xf32>
}

// -----

// ONNX Conv -> BatchNormalization: s = gamma / sqrt(var + eps), w *= s, b = (b - mean) * s + beta.
// CHECK-LABEL: func.func @batch_norm(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00]]], [[[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-NEXT:  %b = nn.const dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x2x2xf32>
func.func @batch_norm(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = nn.const dense<[[[[1.0, 1.0], [1.0, 1.0]]], [[[2.0, 0.0], [0.0, 2.0]]]]> : tensor<2x1x2x2xf32>
  %b = nn.const dense<[0.5, -1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %gamma = nn.const dense<[2.0, 0.5]> : tensor<2xf32>
  %beta = nn.const dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %var = nn.const dense<[3.75, 0.75]> : tensor<2xf32>
  %bn = nn.batch_norm %conv, %gamma, %beta, %mean, %var epsilon 0.25 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  func.return %bn : tensor<1x2x2x2xf32>
}

// -----

// Depthwise (groups = C) conv + batch norm + relu6, the MobileNet block.
// CHECK-LABEL: func.func @depthwise_bn_relu6(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[0.000000e+00, 5.000000e-01, 0.000000e+00], [5.000000e-01, 5.000000e-01, 5.000000e-01], [0.000000e+00, 5.000000e-01, 0.000000e+00]]], [[[1.000000e+00, 0.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00, 1.000000e+00]]]]> : tensor<2x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<[-5.000000e-01, 1.250000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 2 act #nn.act<clamp, 0.0, 6.0> : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x3x3xf32>
func.func @depthwise_bn_relu6(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.const dense<[[[[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]], [[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]]]> : tensor<2x1x3x3xf32>
  %b = nn.const dense<0.0> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 2 : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %gamma = nn.const dense<[1.0, 4.0]> : tensor<2xf32>
  %beta = nn.const dense<[0.5, 0.25]> : tensor<2xf32>
  %mean = nn.const dense<[2.0, -1.0]> : tensor<2xf32>
  %var = nn.const dense<[4.0, 16.0]> : tensor<2xf32>
  %bn = nn.batch_norm %conv, %gamma, %beta, %mean, %var epsilon 0.0 : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %r = nn.clamp %bn min 0.0 max 6.0 : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  func.return %r : tensor<1x2x3x3xf32>
}

// -----

// Transposed conv with 2 groups: weight [C_in, C_out/groups, KH, KW], output channel g * 1 + j.
// CHECK-LABEL: func.func @conv_transpose(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[5.000000e-01, 1.000000e+00], [1.500000e+00, 2.000000e+00]]], [[[3.000000e+00, 3.000000e+00], [3.000000e+00, 3.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 6.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 2 act #nn.act<relu> : (tensor<1x2x2x2xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x3x3xf32>
func.func @conv_transpose(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.const dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[1.0, 1.0], [1.0, 1.0]]]]> : tensor<2x1x2x2xf32>
  %b = nn.const dense<[1.0, 2.0]> : tensor<2xf32>
  %conv = nn.conv_transpose2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] output_padding [0, 0] groups 2 : (tensor<1x2x2x2xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = nn.const dense<[[[0.5]], [[3.0]]]> : tensor<2x1x1xf32>
  %y = nn.mul %conv, %m : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = nn.relu %y : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  func.return %r : tensor<1x2x3x3xf32>
}

// -----

// Fully connected: [C] and [1, C] constants, then the activation.
// CHECK-LABEL: func.func @fully_connected(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[2.000000e+00, 0.000000e+00, -2.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT:  %b = nn.const dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %fc = nn.fully_connected %x, %w, %b act #nn.act<leaky_relu, 0.125> : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:  func.return %fc : tensor<2x2xf32>
func.func @fully_connected(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = nn.const dense<[[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
  %b = nn.const dense<[0.0, 1.0]> : tensor<2xf32>
  %fc = nn.fully_connected %x, %w, %b : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %m = nn.const dense<[[2.0, 4.0]]> : tensor<1x2xf32>
  %y = nn.mul %fc, %m : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %c = nn.const dense<[1.0, -2.0]> : tensor<2xf32>
  %z = nn.add %y, %c : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %r = nn.leaky_relu %z alpha 0.125 : tensor<2x2xf32> -> tensor<2x2xf32>
  func.return %r : tensor<2x2xf32>
}

// -----

// A TFLite-style chain after fold-transposes: mul, add, then a batch norm, then an activation.
// CHECK-LABEL: func.func @chain(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[2.000000e+00]]], [[[1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<hard_swish> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %conv : tensor<1x2x2x2xf32>
func.func @chain(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[1.0, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %m = nn.const dense<[[[2.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %y = nn.mul %conv, %m : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[1.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %z = nn.add %y, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %gamma = nn.const dense<[1.0, 1.0]> : tensor<2xf32>
  %beta = nn.const dense<[0.0, 2.0]> : tensor<2xf32>
  %mean = nn.const dense<[1.0, 0.0]> : tensor<2xf32>
  %var = nn.const dense<[1.0, 1.0]> : tensor<2xf32>
  %bn = nn.batch_norm %z, %gamma, %beta, %mean, %var epsilon 0.0 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = nn.hard_swish %bn : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return %r : tensor<1x2x2x2xf32>
}
