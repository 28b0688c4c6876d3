// RUN: kcc-opt %s --split-input-file -p quantize | filecheck %s
// RUN: not kcc-opt %s --split-input-file -p 'quantize{inference-type=int4}' 2>&1 | filecheck %s --check-prefix=BADOPT

// Redundant conversions fold: dequantize -> quantize to the same type is the value itself, to another type one
// requantize; a requantize to its own type and upload(download(m)) disappear.
// CHECK-LABEL: func.func @fold
// CHECK-NEXT:    %0 = nn.requantize %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>
// CHECK-NEXT:    func.return %q, %0, %q, %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
// BADOPT: inference-type 'int4' is not supported (use uint8 or float)
func.func @fold(%q: tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>) -> (tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>) {
  %d = nn.dequantize %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4xf32>
  %same = nn.quantize %d rounding "half_even" : tensor<1x4x4x4xf32> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %other = nn.quantize %d rounding "half_even" : tensor<1x4x4x4xf32> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>
  %r = nn.requantize %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %u = kpu.upload %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %dl = kpu.download %u : !kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  func.return %same, %other, %r, %dl : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
}

// -----

// A quantized input reaching a CPU op with a uint8 form (max pool) keeps it quantized with the same parameters;
// softmax has none: dequantize before it. The quantize of a float input is kept with its rounding.
// inference-type=float: the pool stays in float.
// RUN: kcc-opt %s --split-input-file -p 'quantize{inference-type=float}' | filecheck %s --check-prefix=FLOAT
// FLOAT-LABEL: func.func @cpu
// FLOAT-NEXT:    %d = nn.dequantize %q
// FLOAT-NEXT:    %p = nn.max_pool2d %d {{.*}} -> tensor<1x2x2x2xf32>
// CHECK-LABEL: func.func @cpu
// CHECK-NEXT:    %p = nn.max_pool2d %q kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] {kcc.ranges = [array<f64: -5.000000e+00, 5.000000e+00>]} : tensor<1x2x4x4x!nn.q<ui8, 0.04, 128>> -> tensor<1x2x2x2x!nn.q<ui8, 0.04, 128>>
// CHECK-NEXT:    %0 = nn.dequantize %p : tensor<1x2x2x2x!nn.q<ui8, 0.04, 128>> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    %s = nn.softmax %0 axis 1 {kcc.ranges = [array<f64: 0.000000e+00, 1.000000e+00>]} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    %x2 = nn.quantize %s rounding "half_away" : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!nn.q<ui8, 0.00390625, 0>>
// CHECK-NEXT:    func.return %x2 : tensor<1x2x2x2x!nn.q<ui8, 0.00390625, 0>>
func.func @cpu(%q: tensor<1x2x4x4x!nn.q<ui8, 0.04, 128>>) -> tensor<1x2x2x2x!nn.q<ui8, 0.00390625, 0>> {
  %d = nn.dequantize %q : tensor<1x2x4x4x!nn.q<ui8, 0.04, 128>> -> tensor<1x2x4x4xf32>
  %p = nn.max_pool2d %d kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] {kcc.ranges = [array<f64: -5.0, 5.0>]} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %s = nn.softmax %p axis 1 {kcc.ranges = [array<f64: 0.0, 1.0>]} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %x2 = nn.quantize %s rounding "half_away" : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!nn.q<ui8, 0.00390625, 0>>
  func.return %x2 : tensor<1x2x2x2x!nn.q<ui8, 0.00390625, 0>>
}

