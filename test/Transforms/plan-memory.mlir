// RUN: kcc-opt %s --split-input-file -p 'plan-memory{main-align=16}' | filecheck %s
// RUN: kcc-opt %s --split-input-file -p 'plan-memory{main-align=16 max-solve-secs=0}' | filecheck %s

// A float program: reshape and a contiguous slice are views of their input, the concat writes its inputs in
// place (kcc.in_place), a strided slice is a copy; constants in their own pool, arguments in kcc.arg_offsets.
// CHECK:      builtin.module attributes {kcc.memory = {const = 592 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 4096 : i64, main_peak = 4096 : i64}} {
// CHECK:      func.func @float_views(%x: tensor<1x4x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x4x4x8xf32>) attributes {kcc.arg_offsets = array<i64: 0>, kcc.memory = {const = 592 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 4096 : i64, main_peak = 4096 : i64}} {
// CHECK-NEXT: %w = nn.const dense<5.000000e-01> : tensor<4x4x3x3xf32> {kcc.const_offset = array<i64: 0>}
// CHECK-NEXT: %b = nn.const dense<2.500000e-01> : tensor<4xf32> {kcc.const_offset = array<i64: 576>}
// CHECK-NEXT: %a = nn.relu %x {kcc.offset = array<i64: 1024>} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %c = nn.conv2d %a, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 {kcc.offset = array<i64: 2048>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %v = nn.slice %c starts [0, 1, 0, 0] ends [1, 3, 8, 8] steps [1, 1, 1, 1] {kcc.offset = array<i64: 2304>} : tensor<1x4x8x8xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT: %e = nn.slice %c starts [0, 0, 0, 0] ends [1, 4, 8, 8] steps [1, 1, 2, 1] {kcc.offset = array<i64: 3072>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x8xf32>
// CHECK-NEXT: %s = nn.sigmoid %c {kcc.offset = array<i64: 0>} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %t = nn.tanh %c {kcc.offset = array<i64: 1024>} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %cat = nn.concat %s, %t axis 1 {kcc.in_place, kcc.offset = array<i64: 0>} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT: %r = nn.reshape %cat {kcc.offset = array<i64: 0>} : tensor<1x8x8x8xf32> -> tensor<8x64xf32>
// CHECK-NEXT: %r2 = nn.reshape %r {kcc.offset = array<i64: 0>} : tensor<8x64xf32> -> tensor<1x8x8x8xf32>
// CHECK-NEXT: %n = nn.neg %v {kcc.offset = array<i64: 3584>} : tensor<1x2x8x8xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT: func.return %r2, %n, %e : tensor<1x8x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x4x4x8xf32>
func.func @float_views(%x: tensor<1x4x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x4x4x8xf32>) {
  %w = nn.const dense<0.5> : tensor<4x4x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %a = nn.relu %x : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %c = nn.conv2d %a, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %v = nn.slice %c starts [0, 1, 0, 0] ends [1, 3, 8, 8] steps [1, 1, 1, 1] : tensor<1x4x8x8xf32> -> tensor<1x2x8x8xf32>
  %e = nn.slice %c starts [0, 0, 0, 0] ends [1, 4, 8, 8] steps [1, 1, 2, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x8xf32>
  %s = nn.sigmoid %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %t = nn.tanh %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %cat = nn.concat %s, %t axis 1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
  %r = nn.reshape %cat : tensor<1x8x8x8xf32> -> tensor<8x64xf32>
  %r2 = nn.reshape %r : tensor<8x64xf32> -> tensor<1x8x8x8xf32>
  %n = nn.neg %v : tensor<1x2x8x8xf32> -> tensor<1x2x8x8xf32>
  func.return %r2, %n, %e : tensor<1x8x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x4x4x8xf32>
}

// -----

// KPU maps: upload -> two depthwise 1x1 layers -> download. A layer's input and output are live together, so
// they never share lines, and each layer argument's image_src_addr / image_dst_addr follow the lines.
// CHECK:      builtin.module attributes {kcc.memory = {const = 16 : i64, kpu_lower_bound = 512 : i64, kpu_peak = 512 : i64, main_lower_bound = 64 : i64, main_peak = 64 : i64}} {
// CHECK:      func.func @kpu_chain(%x: tensor<1x4x4x4xui8>) -> tensor<1x4x4x4xui8> attributes {kcc.arg_offsets = array<i64: 0>, kcc.memory = {const = 16 : i64, kpu_lower_bound = 512 : i64, kpu_peak = 512 : i64, main_lower_bound = 64 : i64, main_peak = 64 : i64}} {
// CHECK-NEXT: %w = nn.const dense<1> : tensor<4x1x1x1xui16> {kcc.const_offset = array<i64: 0>}
// CHECK-NEXT: %r = kpu.upload %x : tensor<1x4x4x4xui8> -> !kpu.ram<1x4x4x4xui8, line 0>
// CHECK-NEXT: %y = kpu.conv2d %r, %w arg #kpu.layer_arg<depth_wise_layer = 1, image_dst_addr = 4, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1, send_data_out = 1, channel_byte_num = 15, dma_total_byte = 63> bn {{.*}} : (!kpu.ram<1x4x4x4xui8, line 0>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8, line 4>
// CHECK-NEXT: %z = kpu.conv2d %y, %w arg #kpu.layer_arg<depth_wise_layer = 1, image_src_addr = 4, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1, send_data_out = 1, channel_byte_num = 15, dma_total_byte = 63> bn {{.*}} : (!kpu.ram<1x4x4x4xui8, line 4>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8, line 0>
// CHECK-NEXT: %d = kpu.download %z {kcc.offset = array<i64: 0>} : !kpu.ram<1x4x4x4xui8, line 0> -> tensor<1x4x4x4xui8>
// CHECK-NEXT: func.return %d : tensor<1x4x4x4xui8>
func.func @kpu_chain(%x: tensor<1x4x4x4xui8>) -> tensor<1x4x4x4xui8> {
  %w = nn.const dense<1> : tensor<4x1x1x1xui16>
  %r = kpu.upload %x : tensor<1x4x4x4xui8> -> !kpu.ram<1x4x4x4xui8>
  %y = kpu.conv2d %r, %w arg #kpu.layer_arg<dma_total_byte = 63, channel_byte_num = 15, send_data_out = 1, depth_wise_layer = 1, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [-34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]> : (!kpu.ram<1x4x4x4xui8>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8>
  %z = kpu.conv2d %y, %w arg #kpu.layer_arg<dma_total_byte = 63, channel_byte_num = 15, send_data_out = 1, depth_wise_layer = 1, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [-34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]> : (!kpu.ram<1x4x4x4xui8>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8>
  %d = kpu.download %z : !kpu.ram<1x4x4x4xui8> -> tensor<1x4x4x4xui8>
  func.return %d : tensor<1x4x4x4xui8>
}

// -----

// A quantized concat that rescales is not in place; main-align=16 rounds every main-RAM size up to 16 bytes.
// CHECK:      builtin.module attributes {kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 48 : i64, main_peak = 48 : i64}} {
// CHECK:      func.func @rescaling_concat(%x: tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>, %y: tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>) -> tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>> attributes {kcc.arg_offsets = array<i64: 0, 16>, kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 48 : i64, main_peak = 48 : i64}} {
// CHECK-NEXT: %a = nn.relu %x {kcc.offset = array<i64: 32>} : tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>> -> tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT: %b = nn.relu %y {kcc.offset = array<i64: 0>} : tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>> -> tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT: %c = nn.concat %a, %b axis 1 {kcc.offset = array<i64: 16>} : (tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>, tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>) -> tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>>
// CHECK-NEXT: func.return %c : tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>>
func.func @rescaling_concat(%x: tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>, %y: tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>) -> tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>> {
  %a = nn.relu %x : tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>> -> tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>
  %b = nn.relu %y : tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>> -> tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>
  %c = nn.concat %a, %b axis 1 : (tensor<1x3x1x1x!nn.q<ui8, 0.5, 0>>, tensor<1x3x1x1x!nn.q<ui8, 0.25, 0>>) -> tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>>
  func.return %c : tensor<1x6x1x1x!nn.q<ui8, 0.5, 0>>
}
