// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @relu_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: nn.relu: input must be float or quantized, got i32
  %y = nn.relu %x : tensor<4xi32> -> tensor<4xi32>
  func.return %y : tensor<4xi32>
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

func.func @pow_int(%a: tensor<2xi32>, %b: tensor<2xi32>) -> tensor<2xi32> {
  // CHECK: nn.pow: lhs must be float or quantized, got i32
  %y = nn.pow %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
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
