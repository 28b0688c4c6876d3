// Cases fuse-conv must leave alone (the output is the input), but for the relu of @not_constant and @pool_stays.
// RUN: kcc-opt %s --split-input-file -p fuse-conv | filecheck %s

// Fan-out: the conv result is also returned, so the unfused value is still needed.
// CHECK-LABEL: func.func @fan_out(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[2.500000e-01]], [[-3.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %r = nn.relu %conv : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %y, %r : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @fan_out(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[0.25]], [[-3.0]]]> : tensor<2x1x1xf32>
  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r = nn.relu %conv : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return %y, %r : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Non-constant operands: an add of a function argument, a batch norm with a non-constant mean,
// a conv whose weight is not a constant
// (the activation still fuses: it needs no constant).
// CHECK-LABEL: func.func @not_constant(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %one = nn.const dense<1.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %bn = nn.batch_norm %conv2, %one, %one, %mean, %one epsilon 0.0 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv3 = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %k = nn.const dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT:  %z = nn.mul %conv3, %k : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv4 = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %y, %bn, %z, %conv4 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @not_constant(%x: tensor<1x1x2x2xf32>, %c: tensor<2x1x1xf32>, %mean: tensor<2xf32>, %wx: tensor<2x1x1x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %one = nn.const dense<1.0> : tensor<2xf32>
  %bn = nn.batch_norm %conv2, %one, %one, %mean, %one epsilon 0.0 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %conv3 = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %k = nn.const dense<2.0> : tensor<f32>
  %z = nn.mul %conv3, %k : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  %conv4 = nn.conv2d %x, %wx, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = nn.relu %conv4 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return %y, %bn, %z, %r : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Constants that are not per output channel: per-spatial [1, 1, 2, 2], and one that broadcasts the batch.
// CHECK-LABEL: func.func @not_per_channel(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %s = nn.const dense<[[[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-NEXT:  %y = nn.mul %conv, %s : (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %t = nn.const dense<[[[[1.000000e+00]], [[2.000000e+00]]], [[[3.000000e+00]], [[4.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %z = nn.add %conv2, %t : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<2x2x2x2xf32>
// CHECK-NEXT:  func.return %y, %z : tensor<1x2x2x2xf32>, tensor<2x2x2x2xf32>
func.func @not_per_channel(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<2x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %s = nn.const dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %y = nn.mul %conv, %s : (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %t = nn.const dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %z = nn.add %conv2, %t : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<2x2x2x2xf32>
  func.return %y, %z : tensor<1x2x2x2xf32>, tensor<2x2x2x2xf32>
}

// -----

// Not affine in the conv: constant / conv; a divisor with a zero.
// CHECK-LABEL: func.func @not_affine(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[2.000000e+00]], [[4.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %y = nn.div %c, %conv : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %d = nn.const dense<[[[2.000000e+00]], [[0.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %z = nn.div %conv2, %d : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %y, %z : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @not_affine(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %y = nn.div %c, %conv : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %d = nn.const dense<[[[2.0]], [[0.0]]]> : tensor<2x1x1xf32>
  %z = nn.div %conv2, %d : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %y, %z : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Quantized values stop fusion (scales are chosen later, on the fused float graph).
// CHECK-LABEL: func.func @quantized(
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>, tensor<2x2x1x1x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>, tensor<2x!nn.q<i32, 0.25, 0>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[4]], [[8]]]> : tensor<2x1x1xui8> -> tensor<2x1x1x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  %y = nn.add %conv, %c : (tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>, tensor<2x1x1x!nn.q<ui8, 0.5, 0>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  %r = nn.relu %y : tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT:  func.return %r : tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
func.func @quantized(%x: tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>, %w: tensor<2x2x1x1x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>, %b: tensor<2x!nn.q<i32, 0.25, 0>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>> {
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>, tensor<2x2x1x1x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>, tensor<2x!nn.q<i32, 0.25, 0>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
  %c = nn.const dense<[[[4]], [[8]]]> : tensor<2x1x1xui8> -> tensor<2x1x1x!nn.q<ui8, 0.5, 0>>
  %y = nn.add %conv, %c : (tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>, tensor<2x1x1x!nn.q<ui8, 0.5, 0>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
  %r = nn.relu %y : tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
  func.return %r : tensor<1x2x2x2x!nn.q<ui8, 0.5, 0>>
}

// -----

// An activation already present: nothing after it folds, and a second activation stays.
// CHECK-LABEL: func.func @activation_present(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[2.500000e-01]], [[-3.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<sigmoid> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %r = nn.relu %conv2 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %y, %r : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @activation_present(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.const dense<[[[0.25]], [[-3.0]]]> : tensor<2x1x1xf32>
  %y = nn.add %conv, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<sigmoid> : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = nn.relu %conv2 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return %y, %r : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Activations #nn.act cannot hold: a clamp with only a max, a per-channel prelu slope, elu-like ops (exp).
// CHECK-LABEL: func.func @activation_not_expressible(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %r = nn.clamp %conv max 6.0 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT{LITERAL}:  %slope = nn.const dense<[[[2.500000e-01]], [[5.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %p = nn.prelu %conv2, %slope : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %conv3 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %e = nn.exp %conv3 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %r, %p, %e : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
func.func @activation_not_expressible(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = nn.clamp %conv max 6.0 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %conv2 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %slope = nn.const dense<[[[0.25]], [[0.5]]]> : tensor<2x1x1xf32>
  %p = nn.prelu %conv2, %slope : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %conv3 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %e = nn.exp %conv3 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return %r, %p, %e : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// A batch norm that does not follow a conv stays (kpu-legalize lowers it as a depthwise 1x1 conv), and so does
// one after a pool or a matmul.
// CHECK-LABEL: func.func @standalone_batch_norm(
// CHECK-NEXT:  %g = nn.const dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK-NEXT:  %be = nn.const dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %mu = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %v = nn.const dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %bn = nn.batch_norm %x, %g, %be, %mu, %v epsilon 0.0 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %p = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  %bp = nn.batch_norm %p, %g, %be, %mu, %v epsilon 0.0 : (tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  %mm = nn.matmul %a, %m : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:  %bm = nn.batch_norm %mm, %g, %be, %mu, %v epsilon 0.0 : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:  func.return %bn, %bp, %bm : tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<2x2xf32>
func.func @standalone_batch_norm(%x: tensor<1x2x2x2xf32>, %a: tensor<2x3xf32>, %m: tensor<3x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<2x2xf32>) {
  %g = nn.const dense<[2.0, 0.5]> : tensor<2xf32>
  %be = nn.const dense<[1.0, 0.0]> : tensor<2xf32>
  %mu = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %v = nn.const dense<[4.0, 1.0]> : tensor<2xf32>
  %bn = nn.batch_norm %x, %g, %be, %mu, %v epsilon 0.0 : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %p = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  %bp = nn.batch_norm %p, %g, %be, %mu, %v epsilon 0.0 : (tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  %mm = nn.matmul %a, %m : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %bm = nn.batch_norm %mm, %g, %be, %mu, %v epsilon 0.0 : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  func.return %bn, %bp, %bm : tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<2x2xf32>
}

// -----

// Pools are not fused here (nn.conv2d has no pool field): kpu-legalize fuses the KPU pool types. The relu fuses.
// CHECK-LABEL: func.func @pool_stays(
// CHECK-NEXT{LITERAL}:  %w = nn.const dense<[[[[1.000000e+00]]], [[[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT:  %b = nn.const dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %p = nn.max_pool2d %conv kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  func.return %p : tensor<1x2x2x2xf32>
func.func @pool_stays(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = nn.const dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.const dense<[0.5, 1.0]> : tensor<2xf32>
  %conv = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %conv : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %p = nn.max_pool2d %r kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  func.return %p : tensor<1x2x2x2xf32>
}
