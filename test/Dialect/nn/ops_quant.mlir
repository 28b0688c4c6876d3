// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

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
