// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

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
