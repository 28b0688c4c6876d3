// Real kmodel files (../shared/fixtures/kmodel) read into the kmodel dialect by `kcc inspect --mlir`,
// parsed back by kcc-opt (and through the generic form) and checked field by field.

// RUN: kcc inspect %S/../../../../shared/fixtures/kmodel/nncase01_iris_v3.kmodel --mlir | kcc-opt | filecheck %s --check-prefix=IRIS3
// RUN: kcc inspect %S/../../../../shared/fixtures/kmodel/nncase02_iris_v4.kmodel --mlir | kcc-opt --print-op-generic | kcc-opt | filecheck %s --check-prefix=IRIS4
// RUN: kcc inspect %S/../../../../shared/fixtures/kmodel/maixemc_cifar10_v3.kmodel --mlir | kcc-opt | filecheck %s --check-prefix=CIFAR
// RUN: kcc inspect %S/../../../../shared/fixtures/kmodel/nncase02_yolo20_v4.kmodel --mlir | kcc-opt | filecheck %s --check-prefix=YOLO4

// nncase v0.1 pads every body to 8 bytes but never writes the padding after the last one: file_size.
// IRIS3:      kmodel.program version 3 flags 1 arch 0 max_start_address 32768 main_mem 56 outputs [#kmodel.range<main, 0, 12, f32>] file_size 436 {
// IRIS3-NEXT:   kmodel.v3.fully_connected flags 0 input #kmodel.range<main, 0, 16, f32> output #kmodel.range<main, 16, 40, f32> in_channels 4 out_channels 10 act 1 weights dense<{{.*}}> : tensor<10x4xf32> bias dense<{{.*}}> : tensor<10xf32>
// IRIS3-NEXT:   kmodel.v3.fully_connected flags 0 input #kmodel.range<main, 16, 40, f32> output #kmodel.range<main, 0, 12, f32> in_channels 10 out_channels 3 act 0 weights dense<{{.*}}> : tensor<3x10xf32> bias dense<{{.*}}> : tensor<3xf32>
// IRIS3-NEXT: }

// IRIS4:      kmodel.program version 4 flags 0 target 1 reserved0 374 main_mem 216 inputs [#kmodel.range<main, 0, 16, f32>] input_shapes [[1, 1, 1, 4]] outputs [#kmodel.range<main, 40, 12, f32>] constants dense<"0x{{[0-9A-F]+}}"> : tensor<280xui8> {
// IRIS4-NEXT:   kmodel.v4.transpose input #kmodel.range<const, 0, 160, f32> output #kmodel.range<main, 16, 160, f32> in_shape [1, 1, 10, 4] perm [0, 1, 3, 2]
// IRIS4-NEXT:   kmodel.v4.matmul in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<main, 16, 160, f32> out #kmodel.range<main, 176, 40, f32> a_rows 1 a_cols 4 b_cols 10 fused_activation [0.0, 3.4028234663852886e+38] bias dense<{{.*}}> : tensor<10xf32>
// IRIS4-NEXT:   kmodel.v4.transpose input #kmodel.range<const, 160, 120, f32> output #kmodel.range<main, 56, 120, f32> in_shape [1, 1, 3, 10] perm [0, 1, 3, 2]
// IRIS4-NEXT:   kmodel.v4.matmul in_a #kmodel.range<main, 176, 40, f32> in_b #kmodel.range<main, 56, 120, f32> out #kmodel.range<main, 40, 12, f32> a_rows 1 a_cols 10 b_cols 3 fused_activation [-3.4028234663852886e+38, 3.4028234663852886e+38] bias dense<{{.*}}> : tensor<3xf32>
// IRIS4-NEXT: }

// Maix-EMC does not pad bodies to 8 bytes: explicit body sizes. Its conv_value2 word keeps bits 40-63.
// (No regex on lines holding big blobs: filecheck's backtracking on megabyte lines is slow.)
// CIFAR:      kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 40960 outputs [#kmodel.range<main, 40920, 40, f32>] {
// CIFAR-NEXT:   kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 32768, u8> layer_argument dense<[0, 138538465099776, 8725857422016514, 136472585862175, 984065, 28311553, 0, 2684420128, 2162720, 55268429438910704, 0, 140733260431361]> : tensor<12xui64> weights dense<"0x
// CIFAR-SAME:   "> : tensor<864xui8> batch_norm dense<
// CIFAR-SAME:   > : tensor<32xui64> activation dense<
// CIFAR-SAME:   > : tensor<18xui64> input #kmodel.range<kpu, 0, 4096, u8> output #kmodel.range<kpu, 2064384, 32768, u8> file_offsets [136, 256, 1152, 1408]
// CIFAR-NEXT:   kmodel.v3.quantized_max_pool2d flags 0 input #kmodel.range<main, 0, 32768, u8> output #kmodel.range<main, 32768, 8192, u8> in_w 32 in_h 32 in_c 32 out_w 16 out_h 16 out_c 32 kernel_w 3 kernel_h 3 stride_w 2 stride_h 2 pad_w 0 pad_h 0 body_size 60
// CIFAR-NEXT:   kmodel.v3.k210_upload flags 0 input #kmodel.range<main, 32768, 8192, u8> output #kmodel.range<kpu, 0, 8192, u8> width 16 height 16 channels 32 body_size 24
// CIFAR-NEXT:   kmodel.v3.k210_conv flags 1
// CIFAR-NEXT:   kmodel.v3.quantized_max_pool2d
// CIFAR-NEXT:   kmodel.v3.quantized_tensorflow_flatten
// CIFAR-NEXT:   kmodel.v3.dequantize flags 0 input
// CIFAR-SAME:   count 4096 scale
// CIFAR-SAME:   body_size 24
// CIFAR-NEXT:   kmodel.v3.fully_connected flags 0 input
// CIFAR-SAME:   in_channels 4096 out_channels 16 act 1 weights dense<"0x
// CIFAR-SAME:   "> : tensor<16x4096xf32> bias dense<
// CIFAR-NEXT:   kmodel.v3.fully_connected flags 0 input
// CIFAR-SAME:   output #kmodel.range<main, 40920, 40, f32> in_channels 16 out_channels 10 act 0
// CIFAR-NEXT: }

// YOLO4:      kmodel.program version 4 flags 0 target 1 reserved0 3435973836 main_mem 43752 inputs [#kmodel.range<kpu, 0, 230400, u8>] input_shapes [[1, 3, 240, 320]] outputs [#kmodel.range<main, 8752, 35000, f32>] {
// YOLO4-NEXT:   kmodel.v4.kpu_conv2d main_mem_output #kmodel.range<const, 0, 0, f32> batches 1 reserved 0 layer_argument dense<[0, 15461882265600, 4222189075169282, 524050434866495, 721555489809, 481050492929, 0, 552172061872, 1245544, 72057018512310272, 0, 1319410916589568]> : tensor<12xui64> batch_norm dense<
// YOLO4-SAME:   > : tensor<16xui64> activation dense<
// YOLO4-SAME:   > : tensor<18xui64> weights dense<"0x
// YOLO4-SAME:   "> : tensor<432xui8> input #kmodel.range<kpu, 0, 230400, u8> output #kmodel.range<kpu, 
// YOLO4:        kmodel.v4.kpu_conv2d main_mem_output #kmodel.range<main, 0, 8750, u8> batches 1 reserved 0 layer_argument
// YOLO4-NEXT:   kmodel.v4.dequantize input #kmodel.range<main, 0, 8750, u8> output #kmodel.range<main, 8752, 35000, f32> zero_point 125 scale 7.727321147918701
// YOLO4-NEXT: }
