// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

// kpu.fake_conv2d: normal 3x3 with a pool and an activation, depthwise 3x3, 1x1 without activation.
// CHECK-LABEL: func.func @fake_conv2d
// CHECK-NEXT:    %w = nn.const dense<5.000000e-01> : tensor<8x3x3x3xf32>
// CHECK-NEXT:    %b = nn.const dense<1.000000e+00> : tensor<8xf32>
// CHECK-NEXT:    %dw = nn.const dense<2.500000e-01> : tensor<3x1x3x3xf32>
// CHECK-NEXT:    %db = nn.const dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT:    %pw = nn.const dense<1.000000e+00> : tensor<8x3x1x1xf32>
// CHECK-NEXT:    %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 act #nn.act<relu> : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT:    %d = kpu.fake_conv2d %x, %dw, %db depthwise pool bypass act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x16x16xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
// CHECK-NEXT:    %p = kpu.fake_conv2d %x, %pw, %b pool bypass : (tensor<1x3x16x16xf32>, tensor<8x3x1x1xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
func.func @fake_conv2d(%x: tensor<1x3x16x16xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x3x16x16xf32>, tensor<1x8x16x16xf32>) {
  %w = nn.const dense<0.5> : tensor<8x3x3x3xf32>
  %b = nn.const dense<1.0> : tensor<8xf32>
  %dw = nn.const dense<0.25> : tensor<3x1x3x3xf32>
  %db = nn.const dense<0.0> : tensor<3xf32>
  %pw = nn.const dense<1.0> : tensor<8x3x1x1xf32>
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 act #nn.act<relu> : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  %d = kpu.fake_conv2d %x, %dw, %db depthwise pool bypass act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x16x16xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  %p = kpu.fake_conv2d %x, %pw, %b pool bypass : (tensor<1x3x16x16xf32>, tensor<8x3x1x1xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
  func.return %y, %d, %p : tensor<1x8x8x8xf32>, tensor<1x3x16x16xf32>, tensor<1x8x16x16xf32>
}

// -----

// Every pool code by name, and the other piecewise-linear activations.
// CHECK-LABEL: func.func @pools
// CHECK:         kpu.fake_conv2d %x, %w, %b pool mean_2_s2 act #nn.act<leaky_relu, 0.1> : {{.*}} -> tensor<1x2x8x8xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool max_4_s4 act #nn.act<hard_sigmoid, 0.2, 0.5> : {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool mean_4_s4 act #nn.act<none> : {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool left_top_2_s2 : {{.*}} -> tensor<1x2x8x8xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool right_top_2_s2 : {{.*}} -> tensor<1x2x8x8xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool left_top_4_s4 : {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool mean_2_s1 : {{.*}} -> tensor<1x2x16x16xf32>
// CHECK-NEXT:    kpu.fake_conv2d %x, %w, %b pool max_2_s1 : {{.*}} -> tensor<1x2x16x16xf32>
func.func @pools(%x: tensor<1x1x16x16xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) {
  %0 = kpu.fake_conv2d %x, %w, %b pool mean_2_s2 act #nn.act<leaky_relu, 0.1> : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  %1 = kpu.fake_conv2d %x, %w, %b pool max_4_s4 act #nn.act<hard_sigmoid, 0.2, 0.5> : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = kpu.fake_conv2d %x, %w, %b pool mean_4_s4 act #nn.act<none> : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %3 = kpu.fake_conv2d %x, %w, %b pool left_top_2_s2 : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  %4 = kpu.fake_conv2d %x, %w, %b pool right_top_2_s2 : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  %5 = kpu.fake_conv2d %x, %w, %b pool left_top_4_s4 : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %6 = kpu.fake_conv2d %x, %w, %b pool mean_2_s1 : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x16x16xf32>
  %7 = kpu.fake_conv2d %x, %w, %b pool max_2_s1 : (tensor<1x1x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x16x16xf32>
  func.return
}

// -----

// Upload / download, unplaced and placed maps, plain ui8 and quantized elements.
// CHECK-LABEL: func.func @moves
// CHECK-NEXT:    %r = kpu.upload %x : tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>> -> !kpu.ram<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>
// CHECK-NEXT:    %s = kpu.upload %y : tensor<1x5x4x100xui8> -> !kpu.ram<1x5x4x100xui8, line 32728>
// CHECK-NEXT:    %a = kpu.download %r : !kpu.ram<1x3x32x32x!nn.q<ui8, 0.0078125, 128>> -> tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>
// CHECK-NEXT:    %b = kpu.download %s : !kpu.ram<1x5x4x100xui8, line 32728> -> tensor<1x5x4x100xui8>
func.func @moves(%x: tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>, %y: tensor<1x5x4x100xui8>) -> (tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>, tensor<1x5x4x100xui8>) {
  %r = kpu.upload %x : tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>> -> !kpu.ram<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>
  %s = kpu.upload %y : tensor<1x5x4x100xui8> -> !kpu.ram<1x5x4x100xui8, line 32728>
  %a = kpu.download %r : !kpu.ram<1x3x32x32x!nn.q<ui8, 0.0078125, 128>> -> tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>
  %b = kpu.download %s : !kpu.ram<1x5x4x100xui8, line 32728> -> tensor<1x5x4x100xui8>
  func.return %a, %b : tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>, tensor<1x5x4x100xui8>
}

// -----

// kpu.conv2d before placement (addresses 0): 3x3, max_2_s2, nncase's linear activation table.
// CHECK-LABEL: func.func @conv2d_unplaced
// CHECK-NEXT:    %w = nn.const dense<1> : tensor<4x3x3x3xui8>
// CHECK-NEXT:    %r = kpu.upload %x : tensor<1x3x8x8x!nn.q<ui8, 0.5, 5>> -> !kpu.ram<1x3x8x8x!nn.q<ui8, 0.5, 5>>
// CHECK-NEXT:    %y = kpu.conv2d %r, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, pad_value = 5, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_x = 1, arg_x = -3, arg_add = 7, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 2, 3, 4], shift [0, 1, 2, 3], add [0, -5, 6, 7]> act #kpu.act_table<start [-34359738368, -2192771912, -1898601972, -1604432032, -1293919318, -999749378, -705579438, -411409498, -100896784, -2840137, 0, 34359738352, 34359738353, 34359738354, 34359738355, 34359738356], mul [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1024, 0, 0, 0, 0, 0], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8x!nn.q<ui8, 0.5, 5>>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 0>>
// CHECK-NEXT:    %z = kpu.download %y : !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 0>> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 0>>
func.func @conv2d_unplaced(%x: tensor<1x3x8x8x!nn.q<ui8, 0.5, 5>>) -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 0>> {
  %w = nn.const dense<1> : tensor<4x3x3x3xui8>
  %r = kpu.upload %x : tensor<1x3x8x8x!nn.q<ui8, 0.5, 5>> -> !kpu.ram<1x3x8x8x!nn.q<ui8, 0.5, 5>>
  %y = kpu.conv2d %r, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, pad_value = 5, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_x = 1, arg_x = -3, arg_add = 7, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 2, 3, 4], shift [0, 1, 2, 3], add [0, -5, 6, 7]> act #kpu.act_table<start [-34359738368, -2192771912, -1898601972, -1604432032, -1293919318, -999749378, -705579438, -411409498, -100896784, -2840137, 0, 34359738352, 34359738353, 34359738354, 34359738355, 34359738356], mul [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1024, 0, 0, 0, 0, 0], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8x!nn.q<ui8, 0.5, 5>>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 0>>
  %z = kpu.download %y : !kpu.ram<1x4x4x4x!nn.q<ui8, 0.25, 0>> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 0>>
  func.return %z : tensor<1x4x4x4x!nn.q<ui8, 0.25, 0>>
}

// -----

// Placed maps (lines in the types and the argument), a depthwise 1x1 layer with 16-bit weights, fields
// in any order on input (printed in register order, zero fields dropped), reserved bits kept.
// CHECK-LABEL: func.func @conv2d_placed
// CHECK-NEXT:    %y = kpu.conv2d %x, %w arg #kpu.layer_arg<depth_wise_layer = 1, interrupt_enabe_reserved = 5, image_src_addr = 8, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1, conv_value2_reserved = 16777215, send_data_out = 1, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0], reserved [0, 15, 0, 1]> act #kpu.act_table<start [-34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255], reserved [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]> : (!kpu.ram<1x4x4x4xui8, line 8>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8, line 0>
func.func @conv2d_placed(%x: !kpu.ram<1x4x4x4xui8, line 8>, %w: tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8, line 0> {
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<dma_total_byte = 63, channel_byte_num = 15, send_data_out = 1, depth_wise_layer = 1, image_src_addr = 8, image_dst_addr = 0, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 8, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, shr_w = 3, arg_w = -2, arg_add = -1, conv_value2_reserved = 16777215, interrupt_enabe_reserved = 5> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0], reserved [0, 15, 0, 1]> act #kpu.act_table<start [-34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368, -34359738368], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255], reserved [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]> : (!kpu.ram<1x4x4x4xui8, line 8>, tensor<4x1x1x1xui16>) -> !kpu.ram<1x4x4x4xui8, line 0>
  func.return %y : !kpu.ram<1x4x4x4xui8, line 0>
}
