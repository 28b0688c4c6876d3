// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// A range past the end of main memory.
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [#kmodel.range<main, 0, 16, f32>] {
  // CHECK: kmodel.v3.add: out range [48, 80) runs past the main pool (64 bytes)
  kmodel.v3.add flags 0 in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<main, 16, 16, f32> out #kmodel.range<main, 48, 32, f32> count 8
}

// -----

// A range past the end of the v4 constants section.
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 16, 16, f32>] constants dense<[0, 0, 128, 63]> : tensor<4xui8> {
  // CHECK: kmodel.v4.binary: in_b range [0, 16) runs past the const pool (4 bytes)
  kmodel.v4.binary in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<const, 0, 16, f32> out #kmodel.range<main, 16, 16, f32> binary_op 0 a_shape [1, 1, 1, 4] b_shape [1, 1, 1, 4] out_shape [1, 1, 1, 4] fused_activation [0.0, 6.0]
}

// -----

// A range past the 2 MiB KPU RAM.
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, u8>] input_shapes [[1, 1, 4, 4]] outputs [#kmodel.range<main, 0, 16, u8>] {
  // CHECK: kmodel.v4.kpu_upload: output range [2097088, 2097344) runs past the kpu pool (2097152 bytes)
  kmodel.v4.kpu_upload input #kmodel.range<main, 0, 16, u8> output #kmodel.range<kpu, 2097088, 256, u8> in_shape [1, 1, 4, 4]
}

// -----

// An f32 range that is not a whole number of floats.
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 16, 16, f32>] {
  // CHECK: kmodel.v4.memory_copy: output range of 18 bytes is not a whole number of f32 elements
  kmodel.v4.memory_copy input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 18, f32>
}

// -----

// Range size and type against the layer's count.
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [#kmodel.range<main, 0, 16, f32>] {
  // CHECK: kmodel.v3.dequantize: output must be a main range of 64 bytes of f32 (from the node's fields), got main 16 bytes of f32
  kmodel.v3.dequantize flags 0 input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 16, f32> count 16 scale 0.5 bias 0.0
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [#kmodel.range<main, 0, 16, f32>] {
  // CHECK: kmodel.v3.quantized_add: in_b must be a main range of 16 bytes of u8 (from the node's fields), got main 16 bytes of f32
  kmodel.v3.quantized_add flags 0 in_a #kmodel.range<main, 0, 16, u8> in_b #kmodel.range<main, 16, 16, f32> out #kmodel.range<main, 32, 16, u8> count 16 a_offset 0 a_mul 1 a_shift 0 b_offset 0 b_mul 1 b_shift 0 out_offset 0 out_mul 1 out_shift 0
}

// -----

// A v4 shape that needs more bytes than its range has.
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 16, 16, f32>] {
  // CHECK: kmodel.v4.transpose: in_shape [1, 1, 2, 4] needs 32 bytes of f32, the input range has 16
  kmodel.v4.transpose input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 32, f32> in_shape [1, 1, 2, 4] perm [0, 1, 3, 2]
}

// -----

// The KPU maps against the layer argument (4x4, 1 channel: 256 bytes at line 0 in, line 4 out).
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 16 outputs [#kmodel.range<main, 0, 16, u8>] {
  // CHECK: kmodel.v3.k210_conv: output range #kmodel.range<kpu, 256, 64, u8> differs from the layer argument's #kmodel.range<kpu, 256, 256, u8> (line 4, 256 bytes)
  kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 16, u8> layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> weights dense<1> : tensor<1xui8> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 64, u8>
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 16 outputs [#kmodel.range<main, 0, 16, u8>] {
  // CHECK: kmodel.v3.k210_conv: weights hold 2 values, the layer argument needs 1
  kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 16, u8> layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> weights dense<1> : tensor<2xui8> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 16 outputs [#kmodel.range<main, 0, 16, u8>] {
  // CHECK: kmodel.v3.k210_conv: main_out must be a main range of 16 bytes of u8 (from the node's fields), got main 8 bytes of u8
  kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 8, u8> layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> weights dense<1> : tensor<1xui8> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
}

// -----

kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<kpu, 0, 256, u8>] input_shapes [[1, 1, 4, 4]] outputs [#kmodel.range<main, 0, 16, u8>] {
  // CHECK: kmodel.v4.kpu_conv2d: input range #kmodel.range<kpu, 0, 256, u8> differs from the layer argument's #kmodel.range<kpu, 0, 512, u8> (line 0, 512 bytes)
  kmodel.v4.kpu_conv2d main_mem_output #kmodel.range<main, 0, 16, u8> batches 2 reserved 0 layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> weights dense<1> : tensor<1xui8> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
}

// -----

// Program-level rules.
// CHECK: kmodel.program: version 4 programs have no arch, max_start_address field
kmodel.program version 4 flags 0 arch 0 target 1 reserved0 0 max_start_address 0 main_mem 64 inputs [] input_shapes [] outputs [] {
  kmodel.v4.memory_copy input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32>
}

// -----

// CHECK: kmodel.program: node #0 'kmodel.v4.memory_copy' is not a kmodel v3 node op
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [] {
  kmodel.v4.memory_copy input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32>
}

// -----

// CHECK: kmodel.program: 1 inputs but 0 input shapes
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [] outputs [] {
  kmodel.v4.memory_copy input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32>
}

// -----

// CHECK: kmodel.program: output range [60, 76) runs past the main pool (64 bytes)
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [#kmodel.range<main, 60, 16, f32>] {
  kmodel.v3.softmax flags 0 input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32> channels 4
}

// -----

// CHECK: kmodel.program: a program needs at least one node
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [] {
}

// -----

// Field encodings and enums.
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [] input_shapes [] outputs [] {
  // CHECK: kmodel.v4.unary: unary_op 12 is not one of 0 abs, 1 ceil, 2 cos, 3 exp, 4 floor, 5 log, 6 neg, 7 rsqrt, 8 sin, 9 square
  kmodel.v4.unary input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32> unary_op 12
}

// -----

kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [] input_shapes [] outputs [] {
  // CHECK: kmodel.v4.transpose: perm must have 4 values, got 3
  kmodel.v4.transpose input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32> in_shape [1, 1, 1, 4] perm [0, 1, 2]
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [] {
  // CHECK: kmodel.v3.softmax: channels -1 does not fit a u32 field
  kmodel.v3.softmax flags 0 input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32> channels -1
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [] {
  // CHECK: kmodel.v3.requantize: table must hold 256 bytes, got 2
  kmodel.v3.requantize flags 0 input #kmodel.range<main, 0, 4, u8> output #kmodel.range<main, 4, 4, u8> count 4 table dense<[0, 1]> : tensor<2xui8>
}

// -----

kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [] {
  // CHECK: kmodel.v3.fully_connected: weights must hold f32 elements, got i32
  kmodel.v3.fully_connected flags 0 input #kmodel.range<main, 0, 4, f32> output #kmodel.range<main, 4, 4, f32> in_channels 1 out_channels 1 act 0 weights dense<1> : tensor<1x1xi32> bias dense<0.0> : tensor<1xf32>
}

// -----

// CHECK: memory pool must be one of const, main, kpu, got 'sram'
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 64 outputs [#kmodel.range<sram, 0, 4, f32>] {
  kmodel.v3.softmax flags 0 input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 16, f32> channels 4
}

// -----

// A float field the file cannot hold (0.1 is not a float32 value: the bytes would read back as 0.10000000149011612).
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 32 outputs [#kmodel.range<main, 8, 16, f32>] {
  // CHECK: kmodel.v3.dequantize: scale 0.1 is not a float32 value (the file stores f32)
  kmodel.v3.dequantize flags 1 input #kmodel.range<main, 0, 4, u8> output #kmodel.range<main, 8, 16, f32> count 4 scale 0.1 bias 0.0
}

// -----

// A clamp bound beyond the float32 range (the largest is 3.4028234663852886e+38).
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 32, 16, f32>] {
  // CHECK: kmodel.v4.binary: fused_activation 1.0e+39 is not a float32 value (the file stores f32)
  kmodel.v4.binary in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<main, 16, 16, f32> out #kmodel.range<main, 32, 16, f32> binary_op 0 a_shape [1, 1, 1, 4] b_shape [1, 1, 1, 4] out_shape [1, 1, 1, 4] fused_activation [0.0, 1.0e+39]
}
