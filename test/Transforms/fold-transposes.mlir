// RUN: kcc-opt %s --split-input-file -p fold-transposes | filecheck %s
// RUN: kcc-opt %s --split-input-file --fold-transposes | filecheck %s

// CHECK-LABEL: func.func @compose(
// CHECK-NEXT:  %c = nn.transpose %x perm [0, 3, 1, 2] : tensor<1x2x3x4xf32> -> tensor<1x4x2x3xf32>
// CHECK-NEXT:  func.return %c : tensor<1x4x2x3xf32>
func.func @compose(%x: tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32> {
  %a = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %b = nn.transpose %a perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  %c = nn.transpose %b perm [0, 3, 1, 2] : tensor<1x2x3x4xf32> -> tensor<1x4x2x3xf32>
  func.return %c : tensor<1x4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @identity(
// CHECK-NEXT:  func.return %x : tensor<1x2x3x4xf32>
func.func @identity(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %a = nn.transpose %x perm [0, 1, 2, 3] : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
  func.return %a : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @const(
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]]> : tensor<1x3x2xf32>
// CHECK-NEXT:  %a = nn.add %x, %c : (tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x3x2xf32>
// CHECK-NEXT:  func.return %a : tensor<1x3x2xf32>
func.func @const(%x: tensor<1x3x2xf32>) -> tensor<1x3x2xf32> {
  %c = nn.const dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]> : tensor<1x2x3xf32>
  %t = nn.transpose %c perm [0, 2, 1] : tensor<1x2x3xf32> -> tensor<1x3x2xf32>
  %a = nn.add %x, %t : (tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x3x2xf32>
  func.return %a : tensor<1x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @const_per_channel(
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi8> -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
// CHECK-NEXT:  func.return %c : tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
func.func @const_per_channel() -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>> {
  %c = nn.const dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8> -> tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125], [0, 1, 2]>>
  %t = nn.transpose %c perm [1, 0] : tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125], [0, 1, 2]>> -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
  func.return %t : tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
}

// -----

// CHECK-LABEL: func.func @unary_chain(
// CHECK-NEXT:  %0 = nn.relu %x : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %1 = nn.clamp %0 min 0.0 max 6.0 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %2 = nn.leaky_relu %1 alpha 0.1 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %3 = nn.sigmoid %2 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %4 = nn.tanh %3 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %5 = nn.hard_sigmoid %4 alpha 0.2 beta 0.5 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %6 = nn.hard_swish %5 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %7 = nn.exp %6 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %8 = nn.log %7 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %9 = nn.sqrt %8 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %10 = nn.rsqrt %9 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %11 = nn.abs %10 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %12 = nn.neg %11 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %13 = nn.floor %12 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %u = nn.ceil %13 : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  func.return %u : tensor<1x2x3x4xf32>
func.func @unary_chain(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %0 = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %1 = nn.clamp %0 min 0.0 max 6.0 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %2 = nn.leaky_relu %1 alpha 0.1 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %3 = nn.sigmoid %2 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %4 = nn.tanh %3 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %5 = nn.hard_sigmoid %4 alpha 0.2 beta 0.5 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %6 = nn.hard_swish %5 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %7 = nn.exp %6 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %8 = nn.log %7 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %9 = nn.sqrt %8 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %10 = nn.rsqrt %9 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %11 = nn.abs %10 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %12 = nn.neg %11 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %13 = nn.floor %12 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %14 = nn.ceil %13 : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %u = nn.transpose %14 perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  func.return %u : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @quantize_per_channel(
// CHECK-NEXT:  %q = nn.quantize %x rounding "half_away" : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>
// CHECK-NEXT:  %r = nn.requantize %q : tensor<1x2x3x3x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>> -> tensor<1x2x3x3x!nn.qc<i8, axis 1, [0.125, 0.125], [1, 1]>>
// CHECK-NEXT:  %d = nn.dequantize %r : tensor<1x2x3x3x!nn.qc<i8, axis 1, [0.125, 0.125], [1, 1]>> -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  func.return %d : tensor<1x2x3x3xf32>
func.func @quantize_per_channel(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x3xf32> -> tensor<1x3x3x2xf32>
  %q = nn.quantize %t rounding "half_away" : tensor<1x3x3x2xf32> -> tensor<1x3x3x2x!nn.qc<i8, axis 3, [0.5, 0.25], [0, 0]>>
  %r = nn.requantize %q : tensor<1x3x3x2x!nn.qc<i8, axis 3, [0.5, 0.25], [0, 0]>> -> tensor<1x3x3x2x!nn.qc<i8, axis 3, [0.125, 0.125], [1, 1]>>
  %d = nn.dequantize %r : tensor<1x3x3x2x!nn.qc<i8, axis 3, [0.125, 0.125], [1, 1]>> -> tensor<1x3x3x2xf32>
  %u = nn.transpose %d perm [0, 3, 1, 2] : tensor<1x3x3x2xf32> -> tensor<1x2x3x3xf32>
  func.return %u : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @binary_channel_const(
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[1.000000e+00]], [[2.000000e+00]], [[3.000000e+00]]]> : tensor<3x1x1xf32>
// CHECK-NEXT:  %a = nn.add %x, %c : (tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  %s = nn.const dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT:  %m = nn.sub %s, %a : (tensor<f32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  func.return %m : tensor<1x3x2x2xf32>
func.func @binary_channel_const(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %c = nn.const dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %a = nn.add %t, %c : (tensor<1x2x2x3xf32>, tensor<3xf32>) -> tensor<1x2x2x3xf32>
  %s = nn.const dense<2.0> : tensor<f32>
  %m = nn.sub %s, %a : (tensor<f32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %u = nn.transpose %m perm [0, 3, 1, 2] : tensor<1x2x2x3xf32> -> tensor<1x3x2x2xf32>
  func.return %u : tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @binary_same_transpose(
// CHECK-NEXT:  %a = nn.mul %x, %y : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  %b = nn.maximum %a, %x : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  func.return %b : tensor<1x3x2x2xf32>
func.func @binary_same_transpose(%x: tensor<1x3x2x2xf32>, %y: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %tx = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %ty = nn.transpose %y perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %a = nn.mul %tx, %ty : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %b = nn.maximum %a, %tx : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %u = nn.transpose %b perm [0, 3, 1, 2] : tensor<1x2x2x3xf32> -> tensor<1x3x2x2xf32>
  func.return %u : tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @binary_broadcast_row(
// CHECK-NEXT{LITERAL}:  %c = nn.const dense<[[[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]]]> : tensor<1x1x4xf32>
// CHECK-NEXT:  %a = nn.div %x, %c : (tensor<1x3x2x4xf32>, tensor<1x1x4xf32>) -> tensor<1x3x2x4xf32>
// CHECK-NEXT:  func.return %a : tensor<1x3x2x4xf32>
func.func @binary_broadcast_row(%x: tensor<1x3x2x4xf32>) -> tensor<1x3x2x4xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x4xf32> -> tensor<1x2x4x3xf32>
  %c = nn.const dense<[[[1.0], [2.0], [3.0], [4.0]]]> : tensor<1x4x1xf32>
  %a = nn.div %t, %c : (tensor<1x2x4x3xf32>, tensor<1x4x1xf32>) -> tensor<1x2x4x3xf32>
  %u = nn.transpose %a perm [0, 3, 1, 2] : tensor<1x2x4x3xf32> -> tensor<1x3x2x4xf32>
  func.return %u : tensor<1x3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @prelu(
// CHECK-NEXT{LITERAL}:  %s = nn.const dense<[[[2.500000e-01]], [[5.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK-NEXT:  %p = nn.prelu %x, %s : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  func.return %p : tensor<1x2x3x3xf32>
func.func @prelu(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x3xf32> -> tensor<1x3x3x2xf32>
  %s = nn.const dense<[0.25, 0.5]> : tensor<2xf32>
  %p = nn.prelu %t, %s : (tensor<1x3x3x2xf32>, tensor<2xf32>) -> tensor<1x3x3x2xf32>
  %u = nn.transpose %p perm [0, 3, 1, 2] : tensor<1x3x3x2xf32> -> tensor<1x2x3x3xf32>
  func.return %u : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-NEXT:  %c = nn.const dense<7.000000e+00> : tensor<1x1x3x3xf32>
// CHECK-NEXT:  %k = nn.concat %x, %c, %y axis 1 : (tensor<1x2x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x4x3x3xf32>
// CHECK-NEXT:  func.return %k : tensor<1x4x3x3xf32>
func.func @concat(%x: tensor<1x2x3x3xf32>, %y: tensor<1x1x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %tx = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x3xf32> -> tensor<1x3x3x2xf32>
  %ty = nn.transpose %y perm [0, 2, 3, 1] : tensor<1x1x3x3xf32> -> tensor<1x3x3x1xf32>
  %c = nn.const dense<7.0> : tensor<1x3x3x1xf32>
  %k = nn.concat %tx, %c, %ty axis -1 : (tensor<1x3x3x2xf32>, tensor<1x3x3x1xf32>, tensor<1x3x3x1xf32>) -> tensor<1x3x3x4xf32>
  %u = nn.transpose %k perm [0, 3, 1, 2] : tensor<1x3x3x4xf32> -> tensor<1x4x3x3xf32>
  func.return %u : tensor<1x4x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad_slice(
// CHECK-NEXT:  %p = nn.pad %x pads [0, 0, 1, 2, 0, 0, 3, 4] mode "edge" : tensor<1x2x4x4xf32> -> tensor<1x2x8x10xf32>
// CHECK-NEXT:  %s = nn.slice %p starts [0, 0, 1, 0] ends [1, 2, 7, 10] steps [1, 1, 2, 5] : tensor<1x2x8x10xf32> -> tensor<1x2x3x2xf32>
// CHECK-NEXT:  func.return %s : tensor<1x2x3x2xf32>
func.func @pad_slice(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x2xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x4x4xf32> -> tensor<1x4x4x2xf32>
  %p = nn.pad %t pads [0, 1, 2, 0, 0, 3, 4, 0] mode "edge" : tensor<1x4x4x2xf32> -> tensor<1x8x10x2xf32>
  %s = nn.slice %p starts [0, 1, 0, 0] ends [1, 7, 10, 2] steps [1, 2, 5, 1] : tensor<1x8x10x2xf32> -> tensor<1x3x2x2xf32>
  %u = nn.transpose %s perm [0, 3, 1, 2] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  func.return %u : tensor<1x2x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_keepdims(
// CHECK-NEXT:  %m = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x2x3x4xf32> -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  func.return %m : tensor<1x2x1x1xf32>
func.func @reduce_keepdims(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x1x1xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %m = nn.reduce_mean %t axes [1, 2] keepdims true : tensor<1x3x4x2xf32> -> tensor<1x1x1x2xf32>
  %u = nn.transpose %m perm [0, 3, 1, 2] : tensor<1x1x1x2xf32> -> tensor<1x2x1x1xf32>
  func.return %u : tensor<1x2x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_drops_dims(
// CHECK-NEXT:  %m = nn.reduce_max %x axes [2, 3] keepdims false : tensor<1x2x3x4xf32> -> tensor<1x2xf32>
// CHECK-NEXT:  func.return %m : tensor<1x2xf32>
func.func @reduce_drops_dims(%x: tensor<1x2x3x4xf32>) -> tensor<1x2xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %m = nn.reduce_max %t axes [-3, 2] keepdims false : tensor<1x3x4x2xf32> -> tensor<1x2xf32>
  func.return %m : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_drops_dims_reordered(
// CHECK-NEXT:  %m = nn.reduce_sum %x axes [1] keepdims false : tensor<2x3x4xf32> -> tensor<2x4xf32>
// CHECK-NEXT:  %t = nn.transpose %m perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
// CHECK-NEXT:  func.return %t : tensor<4x2xf32>
func.func @reduce_drops_dims_reordered(%x: tensor<2x3x4xf32>) -> tensor<4x2xf32> {
  %t = nn.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %m = nn.reduce_sum %t axes [2] keepdims false : tensor<4x2x3xf32> -> tensor<4x2xf32>
  func.return %m : tensor<4x2xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_split(
// CHECK-NEXT:  %s = nn.softmax %x axis 1 : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xf32>
// CHECK-NEXT:  %a, %b = nn.split %s axis 1 sizes [1, 3] : tensor<1x4x2x2xf32> -> tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>
// CHECK-NEXT:  func.return %a, %b : tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>
func.func @softmax_split(%x: tensor<1x4x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
  %s = nn.softmax %t axis -1 : tensor<1x2x2x4xf32> -> tensor<1x2x2x4xf32>
  %a, %b = nn.split %s axis 3 sizes [1, 3] : tensor<1x2x2x4xf32> -> tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>
  %ua = nn.transpose %a perm [0, 3, 1, 2] : tensor<1x2x2x1xf32> -> tensor<1x1x2x2xf32>
  %ub = nn.transpose %b perm [0, 3, 1, 2] : tensor<1x2x2x3xf32> -> tensor<1x3x2x2xf32>
  func.return %ua, %ub : tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_unit_transpose(
// CHECK-NEXT:  %r = nn.reshape %x : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
// CHECK-NEXT:  func.return %r : tensor<1x8xf32>
func.func @reshape_of_unit_transpose(%x: tensor<1x8x1x1xf32>) -> tensor<1x8xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x8x1x1xf32> -> tensor<1x1x1x8xf32>
  %r = nn.reshape %t : tensor<1x1x1x8xf32> -> tensor<1x8xf32>
  func.return %r : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_squeeze(
// CHECK-NEXT:  %r = nn.reshape %x : tensor<1x3x2x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT:  %r_1 = nn.transpose %r perm [1, 2, 0] : tensor<3x2x4xf32> -> tensor<2x4x3xf32>
// CHECK-NEXT:  func.return %r_1 : tensor<2x4x3xf32>
func.func @reshape_squeeze(%x: tensor<1x3x2x4xf32>) -> tensor<2x4x3xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x4xf32> -> tensor<1x2x4x3xf32>
  %r = nn.reshape %t : tensor<1x2x4x3xf32> -> tensor<2x4x3xf32>
  func.return %r : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @fan_out_all_cancel(
// CHECK-NEXT:  %r = nn.relu %x : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  func.return %r, %x : tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
func.func @fan_out_all_cancel(%x: tensor<1x2x3x4xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %a = nn.transpose %r perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  %b = nn.transpose %t perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  func.return %a, %b : tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
}

// -----

// Negative cases: transposes that must stay.

// CHECK-LABEL: func.func @fan_out_to_return(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  func.return %t, %r : tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>
func.func @fan_out_to_return(%x: tensor<1x2x3x4xf32>) -> (tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  func.return %t, %r : tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @fan_out_would_add_a_transpose(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  %s = nn.sigmoid %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  func.return %r, %s : tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>
func.func @fan_out_would_add_a_transpose(%x: tensor<1x2x3x4xf32>) -> (tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %s = nn.sigmoid %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  func.return %r, %s : tensor<1x3x4x2xf32>, tensor<1x3x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @not_inverse(
// CHECK-NEXT:  %r = nn.relu %x : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  %u = nn.transpose %r perm [0, 3, 2, 1] : tensor<1x2x3x4xf32> -> tensor<1x4x3x2xf32>
// CHECK-NEXT:  func.return %u : tensor<1x4x3x2xf32>
func.func @not_inverse(%x: tensor<1x2x3x4xf32>) -> tensor<1x4x3x2xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %r = nn.relu %t : tensor<1x3x4x2xf32> -> tensor<1x3x4x2xf32>
  %u = nn.transpose %r perm [0, 2, 1, 3] : tensor<1x3x4x2xf32> -> tensor<1x4x3x2xf32>
  func.return %u : tensor<1x4x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @layout_op_in_between(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  %w = nn.const dense<1.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT:  %m = nn.matmul %t, %w : (tensor<1x3x4x2xf32>, tensor<2x2xf32>) -> tensor<1x3x4x2xf32>
// CHECK-NEXT:  %u = nn.transpose %m perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
// CHECK-NEXT:  func.return %u : tensor<1x2x3x4xf32>
func.func @layout_op_in_between(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %w = nn.const dense<1.0> : tensor<2x2xf32>
  %m = nn.matmul %t, %w : (tensor<1x3x4x2xf32>, tensor<2x2xf32>) -> tensor<1x3x4x2xf32>
  %u = nn.transpose %m perm [0, 3, 1, 2] : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  func.return %u : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @binary_with_untransposed_value(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
// CHECK-NEXT:  %a = nn.add %t, %y : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
// CHECK-NEXT:  %u = nn.transpose %a perm [0, 3, 1, 2] : tensor<1x2x2x3xf32> -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  func.return %u : tensor<1x3x2x2xf32>
func.func @binary_with_untransposed_value(%x: tensor<1x3x2x2xf32>, %y: tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %a = nn.add %t, %y : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %u = nn.transpose %a perm [0, 3, 1, 2] : tensor<1x2x2x3xf32> -> tensor<1x3x2x2xf32>
  func.return %u : tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_stops(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
// CHECK-NEXT:  %r = nn.reshape %t : tensor<1x2x2x3xf32> -> tensor<1x12xf32>
// CHECK-NEXT:  func.return %r : tensor<1x12xf32>
func.func @flatten_stops(%x: tensor<1x3x2x2xf32>) -> tensor<1x12xf32> {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %r = nn.reshape %t : tensor<1x2x2x3xf32> -> tensor<1x12xf32>
  func.return %r : tensor<1x12xf32>
}

// -----

// CHECK-LABEL: func.func @split_piece_returned(
// CHECK-NEXT:  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
// CHECK-NEXT:  %a, %b = nn.split %t axis 3 sizes [1, 3] : tensor<1x2x2x4xf32> -> tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>
// CHECK-NEXT:  %r = nn.relu %b : tensor<1x2x2x3xf32> -> tensor<1x2x2x3xf32>
// CHECK-NEXT:  func.return %a, %r : tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>
func.func @split_piece_returned(%x: tensor<1x4x2x2xf32>) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
  %a, %b = nn.split %t axis 3 sizes [1, 3] : tensor<1x2x2x4xf32> -> tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>
  %r = nn.relu %b : tensor<1x2x2x3xf32> -> tensor<1x2x2x3xf32>
  func.return %a, %r : tensor<1x2x2x1xf32>, tensor<1x2x2x3xf32>
}
