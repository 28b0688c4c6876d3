// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @quantize_int_input(%x: tensor<4xi8>) {
  // CHECK: nn.quantize: input must be float, got i8
  %q = nn.quantize %x rounding "half_even" : tensor<4xi8> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @quantize_float_result(%x: tensor<4xf32>) {
  // CHECK: nn.quantize: result must be quantized, got f32
  %q = nn.quantize %x rounding "half_even" : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @quantize_bad_rounding(%x: tensor<4xf32>) {
  // CHECK: nn.quantize: rounding must be one of 'half_even', 'half_away', got 'nearest'
  %q = nn.quantize %x rounding "nearest" : tensor<4xf32> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @quantize_axis_out_of_range(%x: tensor<2x2xf32>) {
  // CHECK: nn.quantize: result: per-channel axis 2 is out of range for rank 2
  %q = nn.quantize %x rounding "half_even" : tensor<2x2xf32> -> tensor<2x2x!nn.qc<i8, axis 2, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @quantize_scale_count(%x: tensor<2x3xf32>) {
  // CHECK: nn.quantize: result: per-channel quantization has 2 scales but dimension 1 is 3
  %q = nn.quantize %x rounding "half_even" : tensor<2x3xf32> -> tensor<2x3x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @quantize_shape(%x: tensor<2x3xf32>) {
  // CHECK: nn.quantize: result #0 has shape 3x2 but the op computes 2x3
  %q = nn.quantize %x rounding "half_even" : tensor<2x3xf32> -> tensor<3x2x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>) {
  // CHECK: nn.dequantize: input must be quantized, got f32
  %y = nn.dequantize %x : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @dequantize_f16_result(%x: tensor<4x!nn.q<i8, 0.5, 0>>) {
  // CHECK: nn.dequantize: result must be f32, got f16
  %y = nn.dequantize %x : tensor<4x!nn.q<i8, 0.5, 0>> -> tensor<4xf16>
  func.return
}

// -----

func.func @dequantize_axis(%x: tensor<2x3x!nn.qc<i8, axis 3, [0.5, 0.25, 1.0], [0, 0, 0]>>) {
  // CHECK: nn.dequantize: operand #0: per-channel axis 3 is out of range for rank 2
  %y = nn.dequantize %x : tensor<2x3x!nn.qc<i8, axis 3, [0.5, 0.25, 1.0], [0, 0, 0]>> -> tensor<2x3xf32>
  func.return
}

// -----

func.func @requantize_float_result(%x: tensor<4x!nn.q<i8, 0.5, 0>>) {
  // CHECK: nn.requantize: result must be quantized, got f32
  %y = nn.requantize %x : tensor<4x!nn.q<i8, 0.5, 0>> -> tensor<4xf32>
  func.return
}

// -----

func.func @requantize_axes(%x: tensor<2x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>>) {
  // CHECK: nn.requantize: input is quantized along axis 0 but the result along axis 1
  %y = nn.requantize %x : tensor<2x2x!nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>> -> tensor<2x2x!nn.qc<i8, axis 1, [0.5, 0.25], [0, 0]>>
  func.return
}

// -----

func.func @requantize_i32(%x: tensor<4x!nn.q<i32, 0.5, 0>>) {
  // CHECK: nn.requantize: input storage must be 8 or 16 bits wide, got !nn.q<i32, 0.5, 0>
  %y = nn.requantize %x : tensor<4x!nn.q<i32, 0.5, 0>> -> tensor<4x!nn.q<i8, 0.5, 0>>
  func.return
}
