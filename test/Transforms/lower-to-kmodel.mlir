// RUN: kcc-opt %s -p 'lower-to-kmodel{version=3}' | filecheck %s --check-prefix=V3
// RUN: kcc-opt %s -p 'lower-to-kmodel{version=4}' | filecheck %s --check-prefix=V4
// RUN: kcc-opt %s -p 'lower-to-kmodel' | filecheck %s --check-prefix=AUTO

// Allocated IR (the output of plan-memory): a KPU layer on the uploaded uint8 input, its download, a strided
// slice, a requantize and a dequantize. v3: the runtime uploads the input itself (no K210_UPLOAD), the
// download is the layer's main_out, the slice is a CONCAT of the 8 contiguous rows, the requantize a table.
// v4: kpu_upload, kpu_conv2d with main_mem_output, strided_slice, table_lookup1d (table in the constants),
// dequantize with scale = 1/0.5. Auto: v3, since every op is expressible there.

// V3:      kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 160 outputs [#kmodel.range<main, 0, 128, f32>] {
// V3-NEXT:   kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 0, 64, u8> layer_argument dense<[8, 17179869184, 844437815033859, 13207024438275, 984064, 131073, 0, 3221291012, 4259844, 0, 0, 270583922689]> : tensor<12xui64> weights dense<1> : tensor<4xui8> batch_norm dense<1> : tensor<4xui64> activation dense<{{.*}}> : tensor<18xui64> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
// V3-NEXT:   kmodel.v3.concat flags 1 output #kmodel.range<main, 64, 32, u8> inputs [#kmodel.range<main, 4, 4, u8>, #kmodel.range<main, 12, 4, u8>, #kmodel.range<main, 20, 4, u8>, #kmodel.range<main, 28, 4, u8>, #kmodel.range<main, 36, 4, u8>, #kmodel.range<main, 44, 4, u8>, #kmodel.range<main, 52, 4, u8>, #kmodel.range<main, 60, 4, u8>]
// V3-NEXT:   kmodel.v3.requantize flags 1 input #kmodel.range<main, 64, 32, u8> output #kmodel.range<main, 128, 32, u8> count 32 table dense<"0x000001010202030304040505{{[0-9A-F]*}}"> : tensor<256xui8>
// V3-NEXT:   kmodel.v3.dequantize flags 1 input #kmodel.range<main, 128, 32, u8> output #kmodel.range<main, 0, 128, f32> count 32 scale 0.5 bias -0.5
// V3-NEXT: }

// V4:      kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 160 inputs [#kmodel.range<main, 0, 64, u8>] input_shapes {{\[\[}}1, 4, 4, 4]] outputs [#kmodel.range<main, 0, 128, f32>] constants dense<"0x000001010202030304040505{{[0-9A-F]*}}"> : tensor<256xui8> {
// V4-NEXT:   kmodel.v4.kpu_upload input #kmodel.range<main, 0, 64, u8> output #kmodel.range<kpu, 0, 256, u8> in_shape [1, 4, 4, 4]
// V4-NEXT:   kmodel.v4.kpu_conv2d main_mem_output #kmodel.range<main, 0, 64, u8> batches 1 reserved 0 layer_argument dense<[8, 17179869184, 844437815033859, 13207024438275, 984064, 131073, 0, 3221291012, 4259844, 0, 0, 270583922689]> : tensor<12xui64> batch_norm dense<1> : tensor<4xui64> activation dense<{{.*}}> : tensor<18xui64> weights dense<1> : tensor<4xui8> input #kmodel.range<kpu, 0, 256, u8> output #kmodel.range<kpu, 256, 256, u8>
// V4-NEXT:   kmodel.v4.strided_slice input #kmodel.range<main, 0, 64, u8> output #kmodel.range<main, 64, 32, u8> in_shape [1, 4, 4, 4] begin [0, 0, 1, 0] end [1, 4, 4, 4] strides [1, 1, 2, 1] begin_mask 0 end_mask 0 ellipsis_mask 0 new_axis_mask 0 shrink_axis_mask 0
// V4-NEXT:   kmodel.v4.table_lookup1d input #kmodel.range<main, 64, 32, u8> table #kmodel.range<const, 0, 256, u8> output #kmodel.range<main, 128, 32, u8>
// V4-NEXT:   kmodel.v4.dequantize input #kmodel.range<main, 128, 32, u8> output #kmodel.range<main, 0, 128, f32> zero_point 1 scale 2.0
// V4-NEXT: }

// AUTO: builtin.module attributes {kcc.kmodel_version_reason = "kmodel v3: every op is expressible in v3 (MaixPy's native format)"} {
// AUTO-NEXT: kmodel.program version 3
builtin.module attributes {kcc.memory = {const = 8 : i64, kpu_lower_bound = 512 : i64, kpu_peak = 512 : i64, main_lower_bound = 160 : i64, main_peak = 160 : i64}} {
  func.func @kpu_then_cpu(%x: tensor<1x4x4x4x!nn.q<ui8, 0.5, 0>>) -> tensor<1x4x2x4xf32> attributes {kcc.arg_offsets = array<i64: 0>, kcc.memory = {const = 8 : i64, kpu_lower_bound = 512 : i64, kpu_peak = 512 : i64, main_lower_bound = 160 : i64, main_peak = 160 : i64}} {
    %w = nn.const dense<1> : tensor<4x1x1x1xui8> {kcc.const_offset = array<i64: 0>}
    %r = kpu.upload %x : tensor<1x4x4x4x!nn.q<ui8, 0.5, 0>> -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 0>, line 0>
    %y = kpu.conv2d %r, %w arg #kpu.layer_arg<depth_wise_layer = 1, image_dst_addr = 4, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 4, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, send_data_out = 1, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [-34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 0>, line 0>, tensor<4x1x1x1xui8>) -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 3>, line 4>
    %d = kpu.download %y {kcc.offset = array<i64: 0>} : !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 3>, line 4> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>
    %s = nn.slice %d starts [0, 0, 1, 0] ends [1, 4, 4, 4] steps [1, 1, 2, 1] {kcc.offset = array<i64: 64>} : tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>> -> tensor<1x4x2x4x!nn.q<ui8, 0.25, 3>>
    %q = nn.requantize %s {kcc.offset = array<i64: 128>} : tensor<1x4x2x4x!nn.q<ui8, 0.25, 3>> -> tensor<1x4x2x4x!nn.q<ui8, 0.5, 1>>
    %f = nn.dequantize %q {kcc.offset = array<i64: 0>} : tensor<1x4x2x4x!nn.q<ui8, 0.5, 1>> -> tensor<1x4x2x4xf32>
    func.return %f : tensor<1x4x2x4xf32>
  }
}

