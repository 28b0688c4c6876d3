// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

// CHECK-LABEL: func.func @const_f32
// CHECK-NEXT:    %w = nn.const dense<[1.000000e+00, -2.500000e-01]> : tensor<2xf32>
func.func @const_f32() -> tensor<2xf32> {
  %w = nn.const dense<[1.0, -0.25]> : tensor<2xf32>
  func.return %w : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @const_quant
// CHECK-NEXT:    %q = nn.const dense<[1, -2]> : tensor<2xi8> -> tensor<2x!nn.q<i8, 0.5, 0>>
// CHECK-NEXT:    %c = nn.const dense<[[1], [2]]> : tensor<2x1xi8> -> tensor<2x1x!nn.qc<i8, axis 0, [0.5, 0.125], [0, 1]>>
func.func @const_quant() -> (tensor<2x!nn.q<i8, 0.5, 0>>, tensor<2x1x!nn.qc<i8, axis 0, [0.5, 0.125], [0, 1]>>) {
  %q = nn.const dense<[1, -2]> : tensor<2xi8> -> tensor<2x!nn.q<i8, 0.5, 0>>
  %c = nn.const dense<[[1], [2]]> : tensor<2x1xi8> -> tensor<2x1x!nn.qc<i8, axis 0, [0.5, 0.125], [0, 1]>>
  func.return %q, %c : tensor<2x!nn.q<i8, 0.5, 0>>, tensor<2x1x!nn.qc<i8, axis 0, [0.5, 0.125], [0, 1]>>
}

// -----

// CHECK-LABEL: func.func @conv2d
// CHECK:         %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %z = nn.conv2d %x, %d, %b2 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 3 act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
func.func @conv2d(%x: tensor<1x3x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x3x8x8xf32>) {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.0> : tensor<4xf32>
  %d = nn.const dense<0.5> : tensor<3x1x3x3xf32>
  %b2 = nn.const dense<0.0> : tensor<3xf32>
  %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %z = nn.conv2d %x, %d, %b2 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 3 act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  func.return %y, %z : tensor<1x4x4x4xf32>, tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @relu_add
// CHECK-NEXT:    %r = nn.relu %x : tensor<1x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x4x!nn.q<ui8, 0.0235, 128>>
// CHECK-NEXT:    %a = nn.add %y, %z : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
func.func @relu_add(%x: tensor<1x4x!nn.q<ui8, 0.0235, 128>>, %y: tensor<2x1x3xf32>, %z: tensor<4x1xf32>) -> (tensor<1x4x!nn.q<ui8, 0.0235, 128>>, tensor<2x4x3xf32>) {
  %r = nn.relu %x : tensor<1x4x!nn.q<ui8, 0.0235, 128>> -> tensor<1x4x!nn.q<ui8, 0.0235, 128>>
  %a = nn.add %y, %z : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  func.return %r, %a : tensor<1x4x!nn.q<ui8, 0.0235, 128>>, tensor<2x4x3xf32>
}

// -----

// Float parameters of attributes and types print with the shortest text that parses back exactly.
// CHECK-LABEL: func.func @exact_floats
// CHECK-NEXT:    %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<leaky_relu, 1.0e-20> : (tensor<1x1x1x1x!nn.q<ui8, 1.0e-07, 3>>, tensor<1x1x1x1x!nn.q<ui8, 1234567.0, 0>>, tensor<1x!nn.q<i32, 0.1, 0>>) -> tensor<1x1x1x1x!nn.q<ui8, 0.30000000000000004, 0>>
func.func @exact_floats(%x: tensor<1x1x1x1x!nn.q<ui8, 1.0e-07, 3>>, %w: tensor<1x1x1x1x!nn.q<ui8, 1234567.0, 0>>, %b: tensor<1x!nn.q<i32, 0.1, 0>>) -> tensor<1x1x1x1x!nn.q<ui8, 0.30000000000000004, 0>> {
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 act #nn.act<leaky_relu, 1.0e-20> : (tensor<1x1x1x1x!nn.q<ui8, 1.0e-07, 3>>, tensor<1x1x1x1x!nn.q<ui8, 1234567.0, 0>>, tensor<1x!nn.q<i32, 0.1, 0>>) -> tensor<1x1x1x1x!nn.q<ui8, 0.30000000000000004, 0>>
  func.return %y : tensor<1x1x1x1x!nn.q<ui8, 0.30000000000000004, 0>>
}
