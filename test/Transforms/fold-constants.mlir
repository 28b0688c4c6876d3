// RUN: kcc-opt %s --split-input-file -p fold-constants | filecheck %s
// RUN: kcc-opt %s --split-input-file --fold-constants | filecheck %s
// RUN: kcc-opt %s --split-input-file -p 'fold-constants{max-bytes=8}' | filecheck %s --check-prefix=SMALL

// SMALL-LABEL: func.func @arithmetic(
// SMALL-NEXT:    %a = nn.const dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// SMALL-NEXT:    %b = nn.const dense<5.000000e-01> : tensor<3xf32>
// SMALL-NEXT:    %s = nn.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-LABEL: func.func @arithmetic(
// CHECK-NEXT:  %n = nn.const dense<[-1.500000e+00, -2.500000e+00, -3.500000e+00]> : tensor<3xf32>
// CHECK-NEXT:  %y = nn.mul %x, %n : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT:  func.return %y : tensor<3xf32>
func.func @arithmetic(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = nn.const dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = nn.const dense<0.5> : tensor<3xf32>
  %s = nn.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %n = nn.neg %s : tensor<3xf32> -> tensor<3xf32>
  %y = nn.mul %x, %n : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @quantized(
// CHECK-NEXT{LITERAL}:  %t = nn.const dense<[[2, 8], [-7, 23], [26, -46]]> : tensor<3x2xi8> -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
// CHECK-NEXT:  %p = nn.const dense<[16, 21]> : tensor<2xui8> -> tensor<2x!nn.q<ui8, 0.5, 10>>
// CHECK-NEXT:  func.return %t, %p : tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>, tensor<2x!nn.q<ui8, 0.5, 10>>
func.func @quantized(%x: tensor<2x3xf32>) -> (tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>, tensor<2x!nn.q<ui8, 0.5, 10>>) {
  %c = nn.const dense<[[1.0, -2.0, 3.0], [4.0, 5.5, -6.0]]> : tensor<2x3xf32>
  %q = nn.quantize %c rounding "half_away" : tensor<2x3xf32> -> tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125], [0, 1, 2]>>
  %t = nn.transpose %q perm [1, 0] : tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25, 0.125], [0, 1, 2]>> -> tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>
  %r = nn.reduce_max %c axes [1] keepdims false : tensor<2x3xf32> -> tensor<2xf32>
  %p = nn.quantize %r rounding "half_even" : tensor<2xf32> -> tensor<2x!nn.q<ui8, 0.5, 10>>
  func.return %t, %p : tensor<3x2x!nn.qc<i8, axis 0, [0.5, 0.25, 0.125], [0, 1, 2]>>, tensor<2x!nn.q<ui8, 0.5, 10>>
}

// -----

// CHECK-LABEL: func.func @split(
// CHECK-NEXT:  %a = nn.const dense<1.000000e+00> : tensor<1xf32>
// CHECK-NEXT:  %b = nn.const dense<[2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<3xf32>
// CHECK-NEXT:  func.return %a, %b : tensor<1xf32>, tensor<3xf32>
func.func @split(%x: tensor<4xf32>) -> (tensor<1xf32>, tensor<3xf32>) {
  %c = nn.const dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %a, %b = nn.split %c axis 0 sizes [1, 3] : tensor<4xf32> -> tensor<1xf32>, tensor<3xf32>
  func.return %a, %b : tensor<1xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @scalar_result(
// CHECK-NEXT:  %s = nn.const dense<1.000000e+01> : tensor<f32>
// CHECK-NEXT:  func.return %s : tensor<f32>
func.func @scalar_result() -> tensor<f32> {
  %c = nn.const dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %s = nn.reduce_sum %c axes [0] keepdims false : tensor<4xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @not_constant(
// CHECK-NEXT:  %a = nn.const dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT:  %s = nn.add %x, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT:  func.return %s : tensor<3xf32>
func.func @not_constant(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = nn.const dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s = nn.add %x, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %s : tensor<3xf32>
}
