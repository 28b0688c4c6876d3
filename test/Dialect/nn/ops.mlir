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

// -----

// CHECK-LABEL: func.func @conv2d
// CHECK-NEXT:    %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %z = nn.conv2d %x, %d, %b3 strides [1, 1] pads [2, 2, 2, 2] dilations [2, 2] groups 3 act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %d: tensor<3x1x3x3xf32>, %b3: tensor<3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x3x8x8xf32>) {
  %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %z = nn.conv2d %x, %d, %b3 strides [1, 1] pads [2, 2, 2, 2] dilations [2, 2] groups 3 act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  func.return %y, %z : tensor<1x4x4x4xf32>, tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv_transpose2d
// CHECK-NEXT:    %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] output_padding [1, 1] groups 1 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x10xf32>
// CHECK-NEXT:    %z = nn.conv_transpose2d %x, %g, %b8 strides [3, 1] pads [0, 1, 2, 0] dilations [1, 2] output_padding [2, 0] groups 2 act #nn.act<leaky_relu, 0.1> : (tensor<1x4x5x5xf32>, tensor<4x4x2x2xf32>, tensor<8xf32>) -> tensor<1x8x14x6xf32>
func.func @conv_transpose2d(%x: tensor<1x4x5x5xf32>, %w: tensor<4x6x3x3xf32>, %b: tensor<6xf32>, %g: tensor<4x4x2x2xf32>, %b8: tensor<8xf32>) -> (tensor<1x6x10x10xf32>, tensor<1x8x14x6xf32>) {
  %y = nn.conv_transpose2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] output_padding [1, 1] groups 1 : (tensor<1x4x5x5xf32>, tensor<4x6x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x10xf32>
  %z = nn.conv_transpose2d %x, %g, %b8 strides [3, 1] pads [0, 1, 2, 0] dilations [1, 2] output_padding [2, 0] groups 2 act #nn.act<leaky_relu, 0.1> : (tensor<1x4x5x5xf32>, tensor<4x4x2x2xf32>, tensor<8xf32>) -> tensor<1x8x14x6xf32>
  func.return %y, %z : tensor<1x6x10x10xf32>, tensor<1x8x14x6xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT:    %z = nn.matmul %c, %d : (tensor<5x1x2x3xf32>, tensor<4x3x6xf32>) -> tensor<5x4x2x6xf32>
// CHECK-NEXT:    %v = nn.matmul %e, %c : (tensor<2xf32>, tensor<5x1x2x3xf32>) -> tensor<5x1x3xf32>
// CHECK-NEXT:    %s = nn.matmul %e, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
// CHECK-NEXT:    %q = nn.matmul %qa, %qb : (tensor<2x3x!nn.q<ui8, 0.5, 128>>, tensor<3x!nn.q<i8, 0.25, 0>>) -> tensor<2x!nn.q<ui8, 1.0, 0>>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x1x2x3xf32>, %d: tensor<4x3x6xf32>, %e: tensor<2xf32>, %qa: tensor<2x3x!nn.q<ui8, 0.5, 128>>, %qb: tensor<3x!nn.q<i8, 0.25, 0>>) {
  %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %z = nn.matmul %c, %d : (tensor<5x1x2x3xf32>, tensor<4x3x6xf32>) -> tensor<5x4x2x6xf32>
  %v = nn.matmul %e, %c : (tensor<2xf32>, tensor<5x1x2x3xf32>) -> tensor<5x1x3xf32>
  %s = nn.matmul %e, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  %q = nn.matmul %qa, %qb : (tensor<2x3x!nn.q<ui8, 0.5, 128>>, tensor<3x!nn.q<i8, 0.25, 0>>) -> tensor<2x!nn.q<ui8, 1.0, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @fully_connected
// CHECK-NEXT:    %y = nn.fully_connected %x, %w, %b : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %z = nn.fully_connected %x, %w, %b act #nn.act<clamp, 0.0, 6.0> : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %q = nn.fully_connected %qx, %qw, %qb : (tensor<1x8x!nn.q<ui8, 0.5, 3>>, tensor<3x8x!nn.qc<i8, axis 0, [0.25, 0.5, 0.125], [0, 0, 0]>>, tensor<3x!nn.qc<i32, axis 0, [0.125, 0.25, 0.0625], [0, 0, 0]>>) -> tensor<1x3x!nn.q<ui8, 0.75, 10>>
func.func @fully_connected(%x: tensor<2x8xf32>, %w: tensor<3x8xf32>, %b: tensor<3xf32>, %qx: tensor<1x8x!nn.q<ui8, 0.5, 3>>, %qw: tensor<3x8x!nn.qc<i8, axis 0, [0.25, 0.5, 0.125], [0, 0, 0]>>, %qb: tensor<3x!nn.qc<i32, axis 0, [0.125, 0.25, 0.0625], [0, 0, 0]>>) {
  %y = nn.fully_connected %x, %w, %b : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %z = nn.fully_connected %x, %w, %b act #nn.act<clamp, 0.0, 6.0> : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %q = nn.fully_connected %qx, %qw, %qb : (tensor<1x8x!nn.q<ui8, 0.5, 3>>, tensor<3x8x!nn.qc<i8, axis 0, [0.25, 0.5, 0.125], [0, 0, 0]>>, tensor<3x!nn.qc<i32, axis 0, [0.125, 0.25, 0.0625], [0, 0, 0]>>) -> tensor<1x3x!nn.q<ui8, 0.75, 10>>
  func.return
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK-NEXT:    %y = nn.batch_norm %x, %s, %b, %m, %v epsilon 1.0e-05 : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
// CHECK-NEXT:    %z = nn.batch_norm %x2, %s, %b, %m, %v epsilon 0.0010000000474974513 : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %x2: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  %y = nn.batch_norm %x, %s, %b, %m, %v epsilon 1.0e-05 : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %z = nn.batch_norm %x2, %s, %b, %m, %v epsilon 0.0010000000474974513 : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

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

// -----

// CHECK-LABEL: func.func @pad
// CHECK-NEXT:    %c = nn.pad %x pads [0, 0, 1, 0, 0, 0, 2, 1] mode "constant" value -1.5 : tensor<1x3x4x5xf32> -> tensor<1x3x7x6xf32>
// CHECK-NEXT:    %z = nn.pad %x pads [0, 0, 0, 0, 0, 0, 0, 3] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x4x8xf32>
// CHECK-NEXT:    %r = nn.pad %x pads [0, 0, 3, 1, 0, 0, 1, 4] mode "reflect" : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
// CHECK-NEXT:    %e = nn.pad %x pads [1, 0, 9, 0, 0, 0, 0, 9] mode "edge" : tensor<1x3x4x5xf32> -> tensor<2x3x13x14xf32>
// CHECK-NEXT:    %s = nn.pad %q pads [0, 0, 3, 1, 0, 0, 1, 3] mode "symmetric" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x7x7x!nn.q<ui8, 0.5, 128>>
// CHECK-NEXT:    %v = nn.pad %q pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value 0.123456789 : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x5x5x!nn.q<ui8, 0.25, 0>>
func.func @pad(%x: tensor<1x3x4x5xf32>, %q: tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>>) {
  %c = nn.pad %x pads [0, 0, 1, 0, 0, 0, 2, 1] mode "constant" value -1.5 : tensor<1x3x4x5xf32> -> tensor<1x3x7x6xf32>
  %z = nn.pad %x pads [0, 0, 0, 0, 0, 0, 0, 3] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x4x8xf32>
  %r = nn.pad %x pads [0, 0, 3, 1, 0, 0, 1, 4] mode "reflect" : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
  %e = nn.pad %x pads [1, 0, 9, 0, 0, 0, 0, 9] mode "edge" : tensor<1x3x4x5xf32> -> tensor<2x3x13x14xf32>
  %s = nn.pad %q pads [0, 0, 3, 1, 0, 0, 1, 3] mode "symmetric" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x7x7x!nn.q<ui8, 0.5, 128>>
  %v = nn.pad %q pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value 0.123456789 : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x5x5x!nn.q<ui8, 0.25, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @pad_wrap_int
// CHECK-NEXT:    %w = nn.pad %x pads [0, 0, 2, 7, 0, 0, 1, 0] mode "wrap" : tensor<1x3x4x5xf32> -> tensor<1x3x7x12xf32>
// CHECK-NEXT:    %i = nn.pad %n pads [1, 0, 0, 2] mode "constant" value 7.0 : tensor<2x3xi32> -> tensor<3x5xi32>
func.func @pad_wrap_int(%x: tensor<1x3x4x5xf32>, %n: tensor<2x3xi32>) {
  %w = nn.pad %x pads [0, 0, 2, 7, 0, 0, 1, 0] mode "wrap" : tensor<1x3x4x5xf32> -> tensor<1x3x7x12xf32>
  %i = nn.pad %n pads [1, 0, 0, 2] mode "constant" value 7.0 : tensor<2x3xi32> -> tensor<3x5xi32>
  func.return
}

// -----

// CHECK-LABEL: func.func @integer_ops
// CHECK-NEXT:    %a = nn.add %x, %y : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<2x3xi8>
// CHECK-NEXT:    %d = nn.div %x, %y : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<2x3xi8>
// CHECK-NEXT:    %p = nn.pow %u, %u : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
// CHECK-NEXT:    %g = nn.pow %x, %h : (tensor<2x3xi8>, tensor<3xf16>) -> tensor<2x3xi8>
// CHECK-NEXT:    %r = nn.relu %x : tensor<2x3xi8> -> tensor<2x3xi8>
// CHECK-NEXT:    %c = nn.clamp %x min -1.5 max 6.0 : tensor<2x3xi8> -> tensor<2x3xi8>
// CHECK-NEXT:    %t = nn.transpose %x perm [1, 0] : tensor<2x3xi8> -> tensor<3x2xi8>
// CHECK-NEXT:    %k = nn.concat %x, %x axis 0 : (tensor<2x3xi8>, tensor<2x3xi8>) -> tensor<4x3xi8>
func.func @integer_ops(%x: tensor<2x3xi8>, %y: tensor<3xi8>, %u: tensor<4xui64>, %h: tensor<3xf16>) {
  %a = nn.add %x, %y : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<2x3xi8>
  %d = nn.div %x, %y : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<2x3xi8>
  %p = nn.pow %u, %u : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %g = nn.pow %x, %h : (tensor<2x3xi8>, tensor<3xf16>) -> tensor<2x3xi8>
  %r = nn.relu %x : tensor<2x3xi8> -> tensor<2x3xi8>
  %c = nn.clamp %x min -1.5 max 6.0 : tensor<2x3xi8> -> tensor<2x3xi8>
  %t = nn.transpose %x perm [1, 0] : tensor<2x3xi8> -> tensor<3x2xi8>
  %k = nn.concat %x, %x axis 0 : (tensor<2x3xi8>, tensor<2x3xi8>) -> tensor<4x3xi8>
  func.return
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-NEXT:    %c = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
// CHECK-NEXT:    %n = nn.concat %a, %a, %b axis -3 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x7x4x4xf32>
// CHECK-NEXT:    %q = nn.concat %p, %r axis 0 : (tensor<2x3x!nn.q<i8, 0.5, 0>>, tensor<1x3x!nn.q<i8, 0.25, -1>>) -> tensor<3x3x!nn.q<i8, 0.5, 0>>
func.func @concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>, %p: tensor<2x3x!nn.q<i8, 0.5, 0>>, %r: tensor<1x3x!nn.q<i8, 0.25, -1>>) {
  %c = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  %n = nn.concat %a, %a, %b axis -3 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x7x4x4xf32>
  %q = nn.concat %p, %r axis 0 : (tensor<2x3x!nn.q<i8, 0.5, 0>>, tensor<1x3x!nn.q<i8, 0.25, -1>>) -> tensor<3x3x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-NEXT:    %s0, %s1 = nn.split %x axis 1 sizes [1, 4] : tensor<1x5x4x4xf32> -> tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>
// CHECK-NEXT:    %t = nn.split %x axis -1 sizes [4] : tensor<1x5x4x4xf32> -> tensor<1x5x4x4xf32>
// CHECK-NEXT:    %u, %u_1, %u_2 = nn.split %x axis 2 sizes [1, 2, 1] : tensor<1x5x4x4xf32> -> tensor<1x5x1x4xf32>, tensor<1x5x2x4xf32>, tensor<1x5x1x4xf32>
func.func @split(%x: tensor<1x5x4x4xf32>) {
  %s0, %s1 = nn.split %x axis 1 sizes [1, 4] : tensor<1x5x4x4xf32> -> tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>
  %t = nn.split %x axis -1 sizes [4] : tensor<1x5x4x4xf32> -> tensor<1x5x4x4xf32>
  %u:3 = nn.split %x axis 2 sizes [1, 2, 1] : tensor<1x5x4x4xf32> -> tensor<1x5x1x4xf32>, tensor<1x5x2x4xf32>, tensor<1x5x1x4xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-NEXT:    %r = nn.reshape %x : tensor<1x8x4x6xf32> -> tensor<1x192xf32>
// CHECK-NEXT:    %q = nn.reshape %y : tensor<2x3x!nn.q<ui8, 0.1, 3>> -> tensor<6x!nn.q<ui8, 0.1, 3>>
func.func @reshape(%x: tensor<1x8x4x6xf32>, %y: tensor<2x3x!nn.q<ui8, 0.1, 3>>) {
  %r = nn.reshape %x : tensor<1x8x4x6xf32> -> tensor<1x192xf32>
  %q = nn.reshape %y : tensor<2x3x!nn.q<ui8, 0.1, 3>> -> tensor<6x!nn.q<ui8, 0.1, 3>>
  func.return
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-NEXT:    %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x8x4x6xf32> -> tensor<1x4x6x8xf32>
func.func @transpose(%x: tensor<1x8x4x6xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x8x4x6xf32> -> tensor<1x4x6x8xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-NEXT:    %s = nn.slice %x starts [0, 1, 0, 2] ends [1, 7, 4, 6] steps [1, 1, 2, 3] : tensor<1x8x4x6xf32> -> tensor<1x6x2x2xf32>
// CHECK-NEXT:    %r = nn.slice %x starts [0, 7, 3, 5] ends [1, -1, 0, 0] steps [1, -2, -1, -4] : tensor<1x8x4x6xf32> -> tensor<1x4x3x2xf32>
func.func @slice(%x: tensor<1x8x4x6xf32>) {
  %s = nn.slice %x starts [0, 1, 0, 2] ends [1, 7, 4, 6] steps [1, 1, 2, 3] : tensor<1x8x4x6xf32> -> tensor<1x6x2x2xf32>
  %r = nn.slice %x starts [0, 7, 3, 5] ends [1, -1, 0, 0] steps [1, -2, -1, -4] : tensor<1x8x4x6xf32> -> tensor<1x4x3x2xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @space_batch
// CHECK-NEXT:    %sb = nn.space_to_batch %x block [2, 3] pads [1, 2, 1, 1] : tensor<1x8x4x6xf32> -> tensor<6x8x3x3xf32>
// CHECK-NEXT:    %bs = nn.batch_to_space %sb block [2, 3] crops [1, 2, 1, 1] : tensor<6x8x3x3xf32> -> tensor<1x8x4x6xf32>
func.func @space_batch(%x: tensor<1x8x4x6xf32>) {
  %sb = nn.space_to_batch %x block [2, 3] pads [1, 2, 1, 1] : tensor<1x8x4x6xf32> -> tensor<6x8x3x3xf32>
  %bs = nn.batch_to_space %sb block [2, 3] crops [1, 2, 1, 1] : tensor<6x8x3x3xf32> -> tensor<1x8x4x6xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @depth_space
// CHECK-NEXT:    %d = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
// CHECK-NEXT:    %c = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
// CHECK-NEXT:    %s = nn.space_to_depth %x block 2 : tensor<1x8x4x6xf32> -> tensor<1x32x2x3xf32>
func.func @depth_space(%x: tensor<1x8x4x6xf32>) {
  %d = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
  %c = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
  %s = nn.space_to_depth %x block 2 : tensor<1x8x4x6xf32> -> tensor<1x32x2x3xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @resize
// CHECK-NEXT:    %n = nn.resize %x mode "nearest" coord "asymmetric" nearest_mode "floor" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
// CHECK-NEXT:    %d = nn.resize %x mode "nearest" coord "tf_half_pixel_for_nn" : tensor<1x8x4x6xf32> -> tensor<1x8x3x5xf32>
// CHECK-NEXT:    %l = nn.resize %x mode "bilinear" coord "align_corners" : tensor<1x8x4x6xf32> -> tensor<1x8x7x11xf32>
// CHECK-NEXT:    %q = nn.resize %y mode "bilinear" coord "half_pixel" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 128>>
// CHECK-NEXT:    %s = nn.resize %x mode "bilinear" coord "half_pixel_symmetric" scales [6.000000e-01, 2.300000e+00] : tensor<1x8x4x6xf32> -> tensor<1x8x2x13xf32>
// CHECK-NEXT:    %t = nn.resize %x mode "nearest" coord "align_corners" nearest_mode "ceil" scales [1.0000000000000002, 5.000000e-01] : tensor<1x8x4x6xf32> -> tensor<1x8x4x3xf32>
// CHECK-NEXT:    %c = nn.resize %x mode "bicubic" coord "half_pixel" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
// CHECK-NEXT:    %e = nn.resize %x mode "bicubic" coord "asymmetric" scales [8.000000e-01, 6.000000e-01] cubic_coeff_a -0.5 exclude_outside : tensor<1x8x4x6xf32> -> tensor<1x8x3x3xf32>
// CHECK-NEXT:    %a = nn.resize %x mode "bilinear" coord "half_pixel" antialias : tensor<1x8x4x6xf32> -> tensor<1x8x2x3xf32>
// CHECK-NEXT:    %k = nn.resize %x mode "nearest" coord "align_corners" scales [1.700000e+00, 1.700000e+00] : tensor<1x8x4x6xf32> -> tensor<1x8x7x10xf32>
// CHECK-NEXT:    %r = nn.resize %x mode "bilinear" coord "tf_crop_and_resize" roi [4.000000e-01, 6.000000e-01, 1.200000e+00, 1.700000e+00] extrapolation_value 10.0 : tensor<1x8x4x6xf32> -> tensor<1x8x3x3xf32>
// CHECK-NEXT:    %u = nn.resize %y mode "bicubic" coord "tf_crop_and_resize" exclude_outside antialias roi [0.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00] : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 128>>
func.func @resize(%x: tensor<1x8x4x6xf32>, %y: tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>>) {
  %n = nn.resize %x mode "nearest" coord "asymmetric" nearest_mode "floor" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
  %d = nn.resize %x mode "nearest" coord "tf_half_pixel_for_nn" : tensor<1x8x4x6xf32> -> tensor<1x8x3x5xf32>
  %l = nn.resize %x mode "bilinear" coord "align_corners" : tensor<1x8x4x6xf32> -> tensor<1x8x7x11xf32>
  %q = nn.resize %y mode "bilinear" coord "half_pixel" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 128>>
  %s = nn.resize %x mode "bilinear" coord "half_pixel_symmetric" scales [0.6, 2.3] : tensor<1x8x4x6xf32> -> tensor<1x8x2x13xf32>
  %t = nn.resize %x mode "nearest" coord "align_corners" nearest_mode "ceil" scales [1.0000000000000002, 0.5] : tensor<1x8x4x6xf32> -> tensor<1x8x4x3xf32>
  %c = nn.resize %x mode "bicubic" coord "half_pixel" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
  %e = nn.resize %x mode "bicubic" coord "asymmetric" scales [0.8, 0.6] cubic_coeff_a -0.5 exclude_outside : tensor<1x8x4x6xf32> -> tensor<1x8x3x3xf32>
  %a = nn.resize %x mode "bilinear" coord "half_pixel" antialias : tensor<1x8x4x6xf32> -> tensor<1x8x2x3xf32>
  %k = nn.resize %x mode "nearest" coord "align_corners" scales [1.7, 1.7] : tensor<1x8x4x6xf32> -> tensor<1x8x7x10xf32>
  %r = nn.resize %x mode "bilinear" coord "tf_crop_and_resize" roi [0.4, 0.6, 1.2, 1.7] extrapolation_value 10 : tensor<1x8x4x6xf32> -> tensor<1x8x3x3xf32>
  %u = nn.resize %y mode "bicubic" coord "tf_crop_and_resize" exclude_outside antialias roi [0.0, 0.0, 1.0, 1.0] : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 128>>
  func.return
}

// -----

// CHECK-LABEL: func.func @max_pool2d
// CHECK-NEXT:    %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %z = nn.max_pool2d %x kernel [2, 3] strides [1, 2] pads [0, 1, 2, 0] dilations [2, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x9x4xf32>
// CHECK-NEXT:    %q = nn.max_pool2d %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>>
// CHECK-NEXT:    %u = nn.max_pool2d %ux kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xui8>
// CHECK-NEXT:    %i = nn.max_pool2d_argmax %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xi64>
// CHECK-NEXT:    %c = nn.max_pool2d_argmax %ux kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [2, 1] column_major : tensor<1x2x4x4xui8> -> tensor<1x2x2x3xi64>
// CHECK-NEXT:    %j = nn.max_pool2d_argmax %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2xi64>
func.func @max_pool2d(%x: tensor<1x4x9x9xf32>, %qx: tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>, %ux: tensor<1x2x4x4xui8>) {
  %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %z = nn.max_pool2d %x kernel [2, 3] strides [1, 2] pads [0, 1, 2, 0] dilations [2, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x9x4xf32>
  %q = nn.max_pool2d %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>>
  %u = nn.max_pool2d %ux kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xui8>
  %i = nn.max_pool2d_argmax %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xi64>
  %c = nn.max_pool2d_argmax %ux kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [2, 1] column_major : tensor<1x2x4x4xui8> -> tensor<1x2x2x3xi64>
  %j = nn.max_pool2d_argmax %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2xi64>
  func.return
}

// -----

// CHECK-LABEL: func.func @avg_pool2d
// CHECK-NEXT:    %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %z = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] count_include_pad false : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %c = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
func.func @avg_pool2d(%x: tensor<1x4x9x9xf32>) {
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %z = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] count_include_pad false : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %c = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK-NEXT:    %mean = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:    %max = nn.reduce_max %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:    %min = nn.reduce_min %x axes [1] keepdims false : tensor<1x4x9x9xf32> -> tensor<1x9x9xf32>
// CHECK-NEXT:    %sum = nn.reduce_sum %x axes [-1, 0] keepdims false : tensor<1x4x9x9xf32> -> tensor<4x9xf32>
// CHECK-NEXT:    %q = nn.reduce_mean %qx axes [3] keepdims true : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x4x1x!nn.q<ui8, 0.25, 0>>
func.func @reductions(%x: tensor<1x4x9x9xf32>, %qx: tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>) {
  %mean = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  %max = nn.reduce_max %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  %min = nn.reduce_min %x axes [1] keepdims false : tensor<1x4x9x9xf32> -> tensor<1x9x9xf32>
  %sum = nn.reduce_sum %x axes [-1, 0] keepdims false : tensor<1x4x9x9xf32> -> tensor<4x9xf32>
  %q = nn.reduce_mean %qx axes [3] keepdims true : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x4x1x!nn.q<ui8, 0.25, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @quantize
// CHECK-NEXT:    %q = nn.quantize %x rounding "half_even" : tensor<1x4xf32> -> tensor<1x4x!nn.q<ui8, 0.0235, 128>>
// CHECK-NEXT:    %t = nn.quantize %x rounding "half_away" : tensor<1x4xf32> -> tensor<1x4x!nn.q<i8, 0.05, -3>>
// CHECK-NEXT:    %c = nn.quantize %x rounding "half_even" : tensor<1x4xf32> -> tensor<1x4x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125, 1.0], [0, 1, -1, 0]>>
func.func @quantize(%x: tensor<1x4xf32>) -> (tensor<1x4x!nn.q<ui8, 0.0235, 128>>, tensor<1x4x!nn.q<i8, 0.05, -3>>, tensor<1x4x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125, 1.0], [0, 1, -1, 0]>>) {
  %q = nn.quantize %x rounding "half_even" : tensor<1x4xf32> -> tensor<1x4x!nn.q<ui8, 0.0235, 128>>
  %t = nn.quantize %x rounding "half_away" : tensor<1x4xf32> -> tensor<1x4x!nn.q<i8, 0.05, -3>>
  %c = nn.quantize %x rounding "half_even" : tensor<1x4xf32> -> tensor<1x4x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125, 1.0], [0, 1, -1, 0]>>
  func.return %q, %t, %c : tensor<1x4x!nn.q<ui8, 0.0235, 128>>, tensor<1x4x!nn.q<i8, 0.05, -3>>, tensor<1x4x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125, 1.0], [0, 1, -1, 0]>>
}

// -----

// CHECK-LABEL: func.func @dequantize
// CHECK-NEXT:    %y = nn.dequantize %q : tensor<2x3x!nn.q<i16, 0.001, 0>> -> tensor<2x3xf32>
// CHECK-NEXT:    %z = nn.dequantize %c : tensor<2x3x!nn.qc<ui8, axis 0, [0.1, 0.2], [128, 120]>> -> tensor<2x3xf32>
func.func @dequantize(%q: tensor<2x3x!nn.q<i16, 0.001, 0>>, %c: tensor<2x3x!nn.qc<ui8, axis 0, [0.1, 0.2], [128, 120]>>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %y = nn.dequantize %q : tensor<2x3x!nn.q<i16, 0.001, 0>> -> tensor<2x3xf32>
  %z = nn.dequantize %c : tensor<2x3x!nn.qc<ui8, axis 0, [0.1, 0.2], [128, 120]>> -> tensor<2x3xf32>
  func.return %y, %z : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @requantize
// CHECK-NEXT:    %r = nn.requantize %q : tensor<1x8x!nn.q<i8, 0.05, -3>> -> tensor<1x8x!nn.q<ui8, 0.1, 128>>
// CHECK-NEXT:    %s = nn.requantize %c : tensor<2x8x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>> -> tensor<2x8x!nn.q<i8, 0.1, 0>>
func.func @requantize(%q: tensor<1x8x!nn.q<i8, 0.05, -3>>, %c: tensor<2x8x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>) -> (tensor<1x8x!nn.q<ui8, 0.1, 128>>, tensor<2x8x!nn.q<i8, 0.1, 0>>) {
  %r = nn.requantize %q : tensor<1x8x!nn.q<i8, 0.05, -3>> -> tensor<1x8x!nn.q<ui8, 0.1, 128>>
  %s = nn.requantize %c : tensor<2x8x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>> -> tensor<2x8x!nn.q<i8, 0.1, 0>>
  func.return %r, %s : tensor<1x8x!nn.q<ui8, 0.1, 128>>, tensor<2x8x!nn.q<i8, 0.1, 0>>
}

// -----

// Sub-byte and 16-bit unsigned storage (sub-byte values are held unpacked, one per byte).
// CHECK-LABEL: func.func @new_storage
// CHECK-NEXT:    %c = nn.const dense<[-8, 7]> : tensor<2xi4> -> tensor<2x!nn.q<i4, 0.5, -1>>
// CHECK-NEXT:    %u = nn.const dense<[0, 15]> : tensor<2xui4> -> tensor<2x!nn.qc<ui4, axis 0, [0.5, 0.25], [0, 15]>>
// CHECK-NEXT:    %q = nn.quantize %x rounding "half_even" : tensor<2xf32> -> tensor<2x!nn.q<i2, 0.125, 1>>
// CHECK-NEXT:    %d = nn.dequantize %q : tensor<2x!nn.q<i2, 0.125, 1>> -> tensor<2xf32>
// CHECK-NEXT:    %r = nn.requantize %c : tensor<2x!nn.q<i4, 0.5, -1>> -> tensor<2x!nn.q<ui16, 0.001, 32768>>
// CHECK-NEXT:    %v = nn.requantize %u : tensor<2x!nn.qc<ui4, axis 0, [0.5, 0.25], [0, 15]>> -> tensor<2x!nn.qc<ui2, axis 0, [1.0, 2.0], [3, 0]>>
func.func @new_storage(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2x!nn.q<ui16, 0.001, 32768>>, tensor<2x!nn.qc<ui2, axis 0, [1.0, 2.0], [3, 0]>>) {
  %c = nn.const dense<[-8, 7]> : tensor<2xi4> -> tensor<2x!nn.q<i4, 0.5, -1>>
  %u = nn.const dense<[0, 15]> : tensor<2xui4> -> tensor<2x!nn.qc<ui4, axis 0, [0.5, 0.25], [0, 15]>>
  %q = nn.quantize %x rounding "half_even" : tensor<2xf32> -> tensor<2x!nn.q<i2, 0.125, 1>>
  %d = nn.dequantize %q : tensor<2x!nn.q<i2, 0.125, 1>> -> tensor<2xf32>
  %r = nn.requantize %c : tensor<2x!nn.q<i4, 0.5, -1>> -> tensor<2x!nn.q<ui16, 0.001, 32768>>
  %v = nn.requantize %u : tensor<2x!nn.qc<ui4, axis 0, [0.5, 0.25], [0, 15]>> -> tensor<2x!nn.qc<ui2, axis 0, [1.0, 2.0], [3, 0]>>
  func.return %d, %r, %v : tensor<2xf32>, tensor<2x!nn.q<ui16, 0.001, 32768>>, tensor<2x!nn.qc<ui2, axis 0, [1.0, 2.0], [3, 0]>>
}
