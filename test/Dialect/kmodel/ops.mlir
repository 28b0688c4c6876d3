// RUN: %roundtrip
// RUN: kcc-opt %s --split-input-file | kcc-opt --split-input-file | filecheck %s

// A v3 program: KPU conv with a main-RAM copy, dequantize, add.

// CHECK-LABEL: kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 144 outputs [#kmodel.range<main, 80, 64, f32>] {
// CHECK-NEXT:    kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 16, u8> layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> weights dense<1> : tensor<1xui8> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
// CHECK-NEXT:    kmodel.v3.dequantize flags 0 input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 64, f32> count 16 scale 0.5 bias -1.0
// CHECK-NEXT:    kmodel.v3.add flags 0 in_a #kmodel.range<main, 16, 64, f32> in_b #kmodel.range<main, 16, 64, f32> out #kmodel.range<main, 80, 64, f32> count 16
// CHECK-NEXT:  }
kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 144 outputs [#kmodel.range<main, 80, 64, f32>] {
  kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 16, u8> layer_argument dense<[0, 17179869184, 0, 13207024438275, 984064, 32769, 0, 3221291012, 4259844, 0, 0, 64425492481]> : tensor<12xui64> weights dense<1> : tensor<1xui8> batch_norm dense<0> : tensor<1xui64> activation dense<0> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
  kmodel.v3.dequantize flags 0 input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 64, f32> count 16 scale 0.5 bias -1.0
  kmodel.v3.add flags 0 in_a #kmodel.range<main, 16, 64, f32> in_b #kmodel.range<main, 16, 64, f32> out #kmodel.range<main, 80, 64, f32> count 16
}

// -----

// v3 CPU layers: pool, flatten, concat, upload, fully connected; explicit body sizes; a truncated file.

// CHECK-LABEL: kmodel.program version 3 flags 1 arch 0 max_start_address 32768 main_mem 256 outputs [#kmodel.range<main, 240, 8, f32>] file_size 228 {
// CHECK-NEXT:    kmodel.v3.fully_connected flags 0 input #kmodel.range<main, 0, 8, f32> output #kmodel.range<main, 240, 8, f32> in_channels 2 out_channels 2 act 1 weights dense<[[1.000000e+00, 0.000000e+00], [5.000000e-01, -2.000000e+00]]> : tensor<2x2xf32> bias dense<[0.000000e+00, 2.500000e-01]> : tensor<2xf32>
// CHECK-NEXT:    kmodel.v3.quantized_max_pool2d flags 0 input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 4, u8> in_w 4 in_h 4 in_c 1 out_w 2 out_h 2 out_c 1 kernel_w 2 kernel_h 2 stride_w 2 stride_h 2 pad_w 0 pad_h 0 body_size 60
// CHECK-NEXT:    kmodel.v3.quantized_tensorflow_flatten flags 0 input #kmodel.range<main, 16, 4, u8> output #kmodel.range<main, 20, 4, u8> width 2 height 2 channels 1
// CHECK-NEXT:    kmodel.v3.quantized_concat flags 0 output #kmodel.range<main, 24, 8, u8> inputs [#kmodel.range<main, 16, 4, u8>, #kmodel.range<main, 20, 4, u8>]
// CHECK-NEXT:    kmodel.v3.k210_upload flags 0 input #kmodel.range<main, 24, 8, u8> output #kmodel.range<kpu, 640, 128, u8> width 2 height 2 channels 2
// CHECK-NEXT:  }
kmodel.program version 3 flags 1 arch 0 max_start_address 32768 main_mem 256 outputs [#kmodel.range<main, 240, 8, f32>] file_size 228 {
  kmodel.v3.fully_connected flags 0 input #kmodel.range<main, 0, 8, f32> output #kmodel.range<main, 240, 8, f32> in_channels 2 out_channels 2 act 1 weights dense<[[1.0, 0.0], [0.5, -2.0]]> : tensor<2x2xf32> bias dense<[0.0, 0.25]> : tensor<2xf32>
  kmodel.v3.quantized_max_pool2d flags 0 input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 4, u8> in_w 4 in_h 4 in_c 1 out_w 2 out_h 2 out_c 1 kernel_w 2 kernel_h 2 stride_w 2 stride_h 2 pad_w 0 pad_h 0 body_size 60
  kmodel.v3.quantized_tensorflow_flatten flags 0 input #kmodel.range<main, 16, 4, u8> output #kmodel.range<main, 20, 4, u8> width 2 height 2 channels 1
  kmodel.v3.quantized_concat flags 0 output #kmodel.range<main, 24, 8, u8> inputs [#kmodel.range<main, 16, 4, u8>, #kmodel.range<main, 20, 4, u8>]
  kmodel.v3.k210_upload flags 0 input #kmodel.range<main, 24, 8, u8> output #kmodel.range<kpu, 640, 128, u8> width 2 height 2 channels 2
}

// -----

// A v4 program: quantize, dequantize, binary add with a constant.

// CHECK-LABEL: kmodel.program version 4 flags 0 target 1 reserved0 3435973836 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 48, 16, f32>] constants dense<[0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64]> : tensor<16xui8> {
// CHECK-NEXT:    kmodel.v4.quantize input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 4, u8> zero_point 10 scale 4.0
// CHECK-NEXT:    kmodel.v4.dequantize input #kmodel.range<main, 16, 4, u8> output #kmodel.range<main, 32, 16, f32> zero_point 10 scale 4.0
// CHECK-NEXT:    kmodel.v4.binary in_a #kmodel.range<main, 32, 16, f32> in_b #kmodel.range<const, 0, 16, f32> out #kmodel.range<main, 48, 16, f32> binary_op 0 a_shape [1, 1, 1, 4] b_shape [1, 1, 1, 4] out_shape [1, 1, 1, 4] fused_activation [-3.4028234663852886e+38, 3.4028234663852886e+38]
// CHECK-NEXT:  }
kmodel.program version 4 flags 0 target 1 reserved0 3435973836 main_mem 64 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 48, 16, f32>] constants dense<[0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64]> : tensor<16xui8> {
  kmodel.v4.quantize input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 4, u8> zero_point 10 scale 4.0
  kmodel.v4.dequantize input #kmodel.range<main, 16, 4, u8> output #kmodel.range<main, 32, 16, f32> zero_point 10 scale 4.0
  kmodel.v4.binary in_a #kmodel.range<main, 32, 16, f32> in_b #kmodel.range<const, 0, 16, f32> out #kmodel.range<main, 48, 16, f32> binary_op 0 a_shape [1, 1, 1, 4] b_shape [1, 1, 1, 4] out_shape [1, 1, 1, 4] fused_activation [-3.4028234663852886e+38, 3.4028234663852886e+38]
}

// -----

// v4 data movement: pad (scalar pad value), resize (bool), concat (ranges + dims), transpose, kpu_upload.

// CHECK-LABEL: kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 4096 inputs [#kmodel.range<main, 0, 16, u8>] input_shapes [[1, 1, 4, 4]] outputs [#kmodel.range<main, 1024, 72, u8>] {
// CHECK-NEXT:    kmodel.v4.pad input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 36, u8> in_shape [1, 1, 4, 4] paddings [0, 0, 0, 0, 1, 1, 1, 1] pad_type 1 pad_value dense<[7, 0, 0, 0]> : tensor<4xui8>
// CHECK-NEXT:    kmodel.v4.resize_image input #kmodel.range<main, 16, 36, u8> output #kmodel.range<main, 64, 144, u8> in_shape [1, 1, 6, 6] out_h 12 out_w 12 mode 1 align_corners true
// CHECK-NEXT:    kmodel.v4.concat out #kmodel.range<main, 1024, 72, u8> inner_size 36 outer_size 1 inputs [#kmodel.range<main, 16, 36, u8>, #kmodel.range<main, 16, 36, u8>] dims [1, 1]
// CHECK-NEXT:    kmodel.v4.transpose input #kmodel.range<main, 16, 36, u8> output #kmodel.range<main, 256, 36, u8> in_shape [1, 1, 6, 6] perm [0, 1, 3, 2]
// CHECK-NEXT:    kmodel.v4.kpu_upload input #kmodel.range<main, 256, 36, u8> output #kmodel.range<kpu, 0, 384, u8> in_shape [1, 1, 6, 6]
// CHECK-NEXT:  }
kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 4096 inputs [#kmodel.range<main, 0, 16, u8>] input_shapes [[1, 1, 4, 4]] outputs [#kmodel.range<main, 1024, 72, u8>] {
  kmodel.v4.pad input #kmodel.range<main, 0, 16, u8> output #kmodel.range<main, 16, 36, u8> in_shape [1, 1, 4, 4] paddings [0, 0, 0, 0, 1, 1, 1, 1] pad_type 1 pad_value dense<[7, 0, 0, 0]> : tensor<4xui8>
  kmodel.v4.resize_image input #kmodel.range<main, 16, 36, u8> output #kmodel.range<main, 64, 144, u8> in_shape [1, 1, 6, 6] out_h 12 out_w 12 mode 1 align_corners true
  kmodel.v4.concat out #kmodel.range<main, 1024, 72, u8> inner_size 36 outer_size 1 inputs [#kmodel.range<main, 16, 36, u8>, #kmodel.range<main, 16, 36, u8>] dims [1, 1]
  kmodel.v4.transpose input #kmodel.range<main, 16, 36, u8> output #kmodel.range<main, 256, 36, u8> in_shape [1, 1, 6, 6] perm [0, 1, 3, 2]
  kmodel.v4.kpu_upload input #kmodel.range<main, 256, 36, u8> output #kmodel.range<kpu, 0, 384, u8> in_shape [1, 1, 6, 6]
}
