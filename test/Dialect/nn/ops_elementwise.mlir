// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

// CHECK-LABEL: func.func @relu
// CHECK-NEXT:    %y0 = nn.relu %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @relu(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.relu %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_quant
// CHECK-NEXT:    %y0 = nn.relu %x : tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>>
func.func @relu_quant(%x: tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>>) -> tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>> {
  %y0 = nn.relu %x : tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>>
  func.return %y0 : tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>>
}

// -----

// CHECK-LABEL: func.func @clamp
// CHECK-NEXT:    %relu6 = nn.clamp %x min 0.0 max 6.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %n1to1 = nn.clamp %x min -1.0 max 1.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %lo = nn.clamp %x min 0.30000000000000004 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %hi = nn.clamp %x max 1234567.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @clamp(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %relu6 = nn.clamp %x min 0.0 max 6.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %n1to1 = nn.clamp %x min -1.0 max 1.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %lo = nn.clamp %x min 0.30000000000000004 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %hi = nn.clamp %x max 1234567.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %relu6, %n1to1, %lo, %hi : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// Integer literals are read as floats; exponents print with a mantissa dot so that they parse back.
// CHECK-LABEL: func.func @float_literals
// CHECK-NEXT:    %c = nn.clamp %x min 0.0 max 6.0 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %s = nn.softmax %x axis 3 beta 1.0e+16 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @float_literals(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %c = nn.clamp %x min 0 max 6 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %s = nn.softmax %x axis 3 beta 1.0e16 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %c, %s : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @leaky_relu
// CHECK-NEXT:    %y0 = nn.leaky_relu %x alpha 0.01 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %y1 = nn.leaky_relu %x alpha 1.0e-300 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @leaky_relu(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %y0 = nn.leaky_relu %x alpha 0.01 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %y1 = nn.leaky_relu %x alpha 1.0e-300 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0, %y1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid
// CHECK-NEXT:    %y0 = nn.sigmoid %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @sigmoid(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.sigmoid %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @tanh
// CHECK-NEXT:    %y0 = nn.tanh %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @tanh(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.tanh %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @hard_swish
// CHECK-NEXT:    %y0 = nn.hard_swish %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @hard_swish(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.hard_swish %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @exp
// CHECK-NEXT:    %y0 = nn.exp %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @exp(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.exp %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @log
// CHECK-NEXT:    %y0 = nn.log %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @log(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.log %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt
// CHECK-NEXT:    %y0 = nn.sqrt %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @sqrt(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.sqrt %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @rsqrt
// CHECK-NEXT:    %y0 = nn.rsqrt %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @rsqrt(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.rsqrt %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @abs
// CHECK-NEXT:    %y0 = nn.abs %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @abs(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.abs %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @neg
// CHECK-NEXT:    %y0 = nn.neg %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @neg(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.neg %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @floor
// CHECK-NEXT:    %y0 = nn.floor %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @floor(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.floor %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @ceil
// CHECK-NEXT:    %y0 = nn.ceil %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @ceil(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y0 = nn.ceil %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @hard_sigmoid
// CHECK-NEXT:    %y0 = nn.hard_sigmoid %x alpha 0.2 beta 0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %y1 = nn.hard_sigmoid %x alpha 0.16666666666666666 beta -0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @hard_sigmoid(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %y0 = nn.hard_sigmoid %x alpha 0.2 beta 0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %y1 = nn.hard_sigmoid %x alpha 0.16666666666666666 beta -0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0, %y1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:    %y0 = nn.softmax %x axis -1 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %y1 = nn.softmax %x axis 1 beta 0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
func.func @softmax(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %y0 = nn.softmax %x axis -1 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  %y1 = nn.softmax %x axis 1 beta 0.5 : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  func.return %y0, %y1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid_quant
// CHECK-NEXT:    %y0 = nn.sigmoid %x : tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x3x4x4x!nn.q<ui8, 0.00390625, 0>>
func.func @sigmoid_quant(%x: tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>>) -> tensor<1x3x4x4x!nn.q<ui8, 0.00390625, 0>> {
  %y0 = nn.sigmoid %x : tensor<1x3x4x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x3x4x4x!nn.q<ui8, 0.00390625, 0>>
  func.return %y0 : tensor<1x3x4x4x!nn.q<ui8, 0.00390625, 0>>
}

// -----

// CHECK-LABEL: func.func @add
// CHECK-NEXT:    %z = nn.add %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @add(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.add %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @sub
// CHECK-NEXT:    %z = nn.sub %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @sub(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.sub %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @mul
// CHECK-NEXT:    %z = nn.mul %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @mul(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.mul %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @div
// CHECK-NEXT:    %z = nn.div %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @div(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.div %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @minimum
// CHECK-NEXT:    %z = nn.minimum %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @minimum(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.minimum %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @maximum
// CHECK-NEXT:    %z = nn.maximum %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @maximum(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.maximum %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK-NEXT:    %z = nn.pow %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @pow(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.pow %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @squared_difference
// CHECK-NEXT:    %z = nn.squared_difference %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @squared_difference(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %z = nn.squared_difference %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %z : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @mul_quant
// CHECK-NEXT:    %z = nn.mul %a, %b : (tensor<1x8x!nn.q<i8, 0.5, -3>>, tensor<8x!nn.q<i8, 0.25, 0>>) -> tensor<1x8x!nn.q<i8, 0.5, -3>>
func.func @mul_quant(%a: tensor<1x8x!nn.q<i8, 0.5, -3>>, %b: tensor<8x!nn.q<i8, 0.25, 0>>) -> tensor<1x8x!nn.q<i8, 0.5, -3>> {
  %z = nn.mul %a, %b : (tensor<1x8x!nn.q<i8, 0.5, -3>>, tensor<8x!nn.q<i8, 0.25, 0>>) -> tensor<1x8x!nn.q<i8, 0.5, -3>>
  func.return %z : tensor<1x8x!nn.q<i8, 0.5, -3>>
}

// -----

// CHECK-LABEL: func.func @prelu
// CHECK-NEXT:    %p = nn.prelu %x, %c : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %q = nn.prelu %x, %s : (tensor<1x3x4x4xf32>, tensor<1xf32>) -> tensor<1x3x4x4xf32>
func.func @prelu(%x: tensor<1x3x4x4xf32>, %c: tensor<3x1x1xf32>, %s: tensor<1xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %p = nn.prelu %x, %c : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %q = nn.prelu %x, %s : (tensor<1x3x4x4xf32>, tensor<1xf32>) -> tensor<1x3x4x4xf32>
  func.return %p, %q : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}
