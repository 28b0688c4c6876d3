// RUN: kcc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Every verifier rule of the kpu dialect, one case each.

// !kpu.ram: 1xCxHxW only
func.func @ram_rank(%x: !kpu.ram<3x8x8xui8>) {
  // CHECK: !kpu.ram shape must be 1xCxHxW with positive sizes, got 3x8x8
  func.return
}

// -----

// !kpu.ram: batch 1
func.func @ram_batch(%x: !kpu.ram<2x3x8x8xui8>) {
  // CHECK: !kpu.ram shape must be 1xCxHxW with positive sizes, got 2x3x8x8
  func.return
}

// -----

// !kpu.ram: uint8 elements
func.func @ram_element(%x: !kpu.ram<1x3x8x8xi8>) {
  // CHECK: !kpu.ram holds uint8 maps (ui8 or !nn.q<ui8, ...>), got i8
  func.return
}

// -----

// !kpu.ram: uint8 elements, not float
func.func @ram_float(%x: !kpu.ram<1x3x8x8xf32>) {
  // CHECK: !kpu.ram holds uint8 maps (ui8 or !nn.q<ui8, ...>), got f32
  func.return
}

// -----

// #kpu.pool: one of the 10 names
func.func @pool_unknown(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) {
  // CHECK: Expected `bypass`, `max_2_s2`, `mean_2_s2`, `max_4_s4`, `mean_4_s4`, `left_top_2_s2`, `right_top_2_s2`, `left_top_4_s4`, `mean_2_s1`, or `max_2_s1`.
  %y = kpu.fake_conv2d %x, %w, %b pool max_3_s3 : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return
}

// -----

// #kpu.layer_arg: known field names
func.func @arg_unknown_field() {
  // CHECK: unknown layer-argument field 'i_channels'
  "test.op"() {a = #kpu.layer_arg<i_channels = 2>} : () -> ()
  func.return
}

// -----

// #kpu.layer_arg: a field once
func.func @arg_twice() {
  // CHECK: layer-argument field 'i_ch_num' given twice
  "test.op"() {a = #kpu.layer_arg<i_ch_num = 2, i_ch_num = 3>} : () -> ()
  func.return
}

// -----

// #kpu.layer_arg: values fit their bitfield
func.func @arg_range() {
  // CHECK: layer argument field i_ch_num = 1024 does not fit 10 bits (0…1023)
  "test.op"() {a = #kpu.layer_arg<i_ch_num = 1024>} : () -> ()
  func.return
}

// -----

// #kpu.layer_arg: signed fields too
func.func @arg_signed_range() {
  // CHECK: layer argument field arg_x = -8388609 does not fit 24 bits (-8388608…8388607)
  "test.op"() {a = #kpu.layer_arg<arg_x = -8388609>} : () -> ()
  func.return
}

// -----

// #kpu.bn: one value per channel in each list
func.func @bn_lengths() {
  // CHECK: #kpu.bn needs one mul, shift, add (and reserved) per channel, got [2, 1, 2, 2] values
  "test.op"() {a = #kpu.bn<mul [1, 2], shift [0], add [0, 0]>} : () -> ()
  func.return
}

// -----

// #kpu.bn: norm_shift is 4 bits
func.func @bn_range() {
  // CHECK: #kpu.bn: norm_shift out of range 0…15: min 16, max 16
  "test.op"() {a = #kpu.bn<mul [1], shift [16], add [0]>} : () -> ()
  func.return
}

// -----

// #kpu.bn: norm_mul is 24 bits signed
func.func @bn_mul_range() {
  // CHECK: #kpu.bn: norm_mul out of range -8388608…8388607: min 8388608, max 8388608
  "test.op"() {a = #kpu.bn<mul [8388608], shift [0], add [0]>} : () -> ()
  func.return
}

// -----

// #kpu.act_table: 16 segments
func.func @act_segments() {
  // CHECK: #kpu.act_table needs 16 values per list (start, mul, shift, add, reserved), got [1, 1, 1, 1, 16]
  "test.op"() {a = #kpu.act_table<start [0], mul [1], shift [0], add [0]>} : () -> ()
  func.return
}

// -----

// #kpu.act_table: add is a uint8
func.func @act_range() {
  // CHECK: #kpu.act_table: add out of range 0…255: min 0, max 256
  "test.op"() {a = #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [256, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]>} : () -> ()
  func.return
}

// -----

// fake_conv2d is float
func.func @fake_not_f32(%x: tensor<1x3x16x16xf16>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: input must be an f32 tensor, got tensor<1x3x16x16xf16>
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf16>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d input NCHW
func.func @fake_rank(%x: tensor<3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: input must have rank 4, got 3x16x16
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d batch 1
func.func @fake_batch(%x: tensor<2x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: input batch must be 1 (the KPU runs one image), got 2
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<2x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<2x8x8x8xf32>
  func.return %y : tensor<2x8x8x8xf32>
}

// -----

// fake_conv2d weight OIHW
func.func @fake_weight_rank(%x: tensor<1x3x16x16xf32>, %w: tensor<8x27xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: weight must have rank 4, got 8x27
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x27xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d square kernel
func.func @fake_square(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x1xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: weight kernel 3x1 is not square (KPU kernels are 1x1 or 3x3)
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x3x3x1xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d weight input channels
func.func @fake_in_channels(%x: tensor<1x3x16x16xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: weight has 2 input channels but the input has 3
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d depthwise weight [C, 1, k, k]
func.func @fake_dw_weight(%x: tensor<1x3x16x16xf32>, %w: tensor<3x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x16x16xf32> {
  // CHECK: kpu.fake_conv2d: depthwise weight must be [C, 1, k, k], got 3x3x3x3
  %y = kpu.fake_conv2d %x, %w, %b depthwise pool bypass : (tensor<1x3x16x16xf32>, tensor<3x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  func.return %y : tensor<1x3x16x16xf32>
}

// -----

// fake_conv2d depthwise keeps the channel count
func.func @fake_dw_channels(%x: tensor<1x3x16x16xf32>, %w: tensor<6x1x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x16x16xf32> {
  // CHECK: kpu.fake_conv2d: depthwise needs equal in/out channels, got 3 and 6
  %y = kpu.fake_conv2d %x, %w, %b depthwise pool bypass : (tensor<1x3x16x16xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<1x6x16x16xf32>
  func.return %y : tensor<1x6x16x16xf32>
}

// -----

// fake_conv2d depthwise cannot pool
func.func @fake_dw_pool(%x: tensor<1x3x16x16xf32>, %w: tensor<3x1x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x8x8xf32> {
  // CHECK: kpu.fake_conv2d: depthwise layers cannot pool or down-sample (pool type 1; must be 0)
  %y = kpu.fake_conv2d %x, %w, %b depthwise pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  func.return %y : tensor<1x3x8x8xf32>
}

// -----

// fake_conv2d bias per output channel
func.func @fake_bias(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: bias shape 4 must be 8 (one per output channel)
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d 1x1 or 3x3
func.func @fake_kernel(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x5x5xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: kpu.fake_conv2d: kernel 5x5 not supported (KPU kernels are 1x1 or 3x3)
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x3x5x5xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// fake_conv2d at most 1024 channels
func.func @fake_channels(%x: tensor<1x3x16x16xf32>, %w: tensor<1025x3x3x3xf32>, %b: tensor<1025xf32>) -> tensor<1x1025x8x8xf32> {
  // CHECK: kpu.fake_conv2d: output channels 1025 outside 1…1024
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<1025x3x3x3xf32>, tensor<1025xf32>) -> tensor<1x1025x8x8xf32>
  func.return %y : tensor<1x1025x8x8xf32>
}

// -----

// fake_conv2d input width at most 512
func.func @fake_width(%x: tensor<1x3x16x520xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x260xf32> {
  // CHECK: kpu.fake_conv2d: input width 520 above the supported 512
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x520xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x260xf32>
  func.return %y : tensor<1x8x8x260xf32>
}

// -----

// fake_conv2d input height at most 256
func.func @fake_height(%x: tensor<1x3x300x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x150x8xf32> {
  // CHECK: kpu.fake_conv2d: input height 300 above the supported 256
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x300x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x150x8xf32>
  func.return %y : tensor<1x8x150x8xf32>
}

// -----

// fake_conv2d input at least 4x4
func.func @fake_small_input(%x: tensor<1x3x3x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x3x16xf32> {
  // CHECK: kpu.fake_conv2d: input 3x16 smaller than 4x4; output 3x16 smaller than 4x4
  %y = kpu.fake_conv2d %x, %w, %b pool bypass : (tensor<1x3x3x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x3x16xf32>
  func.return %y : tensor<1x8x3x16xf32>
}

// -----

// fake_conv2d output at least 4x4
func.func @fake_small_output(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x2x2xf32> {
  // CHECK: kpu.fake_conv2d: output 2x2 smaller than 4x4
  %y = kpu.fake_conv2d %x, %w, %b pool max_4_s4 : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  func.return %y : tensor<1x8x2x2xf32>
}

// -----

// fake_conv2d input + output within 2 MiB
func.func @fake_kpu_ram(%x: tensor<1x1024x32x256xf32>, %w: tensor<1024x1024x1x1xf32>, %b: tensor<1024xf32>) -> tensor<1x1024x32x256xf32> {
  // CHECK: kpu.fake_conv2d: input (8388608 bytes) + output (8388608 bytes) exceed the 2097152-byte KPU RAM
  %y = kpu.fake_conv2d %x, %w, %b pool bypass : (tensor<1x1024x32x256xf32>, tensor<1024x1024x1x1xf32>, tensor<1024xf32>) -> tensor<1x1024x32x256xf32>
  func.return %y : tensor<1x1024x32x256xf32>
}

// -----

// fake_conv2d result shape = conv same size, then pool
func.func @fake_result(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: kpu.fake_conv2d: result has shape 1x8x16x16 but the op computes 1x8x8x8
  %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
  func.return %y : tensor<1x8x16x16xf32>
}

// -----

// conv2d weights ui8 or ui16
func.func @conv_weight_type(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xi8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: weight must be a ui8 (8-bit mode) or ui16 (16-bit mode) tensor, got tensor<4x3x3x3xi8>
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xi8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d weights OIHW
func.func @conv_weight_rank(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<108xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: weight must have rank 4, got 108
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<108xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d square kernel
func.func @conv_weight_square(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x1xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: weight kernel 3x1 is not square (KPU kernels are 1x1 or 3x3)
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x1xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d argument vs input channels
func.func @conv_in_channels(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument input channels (i_ch_num + 1) is 2 but the maps say 3
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 1, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 72, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d argument vs input height
func.func @conv_in_height(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument input height (i_col_high + 1) is 12 but the maps say 8
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 11, o_row_wid = 3, o_col_high = 5, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 12, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 6, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 23, dma_total_byte = 95> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d argument vs output channels
func.func @conv_out_channels(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument output channels (o_ch_num + 1) is 5 but the maps say 4
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 4, o_ch_num_coef = 4, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 135, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 79> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d argument vs output width
func.func @conv_out_width(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument output width (o_row_wid + 1) is 5 but the maps say 4
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 4, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d kernel_type vs weight
func.func @conv_kernel_type(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument kernel_type 0 (1x1) does not match the 3x3 weight
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 12, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d kernel_type 0 or 1
func.func @conv_kernel_code(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument kernel_type 2 is not a KPU kernel (0 = 1x1, 1 = 3x3)
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 2, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d depthwise weight [C, 1, k, k]
func.func @conv_dw_weight(%x: !kpu.ram<1x4x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x8x8xui8> {
  // CHECK: kpu.conv2d: weight shape 4x3x3x3 must be 4x1x3x3 for a depthwise layer
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<depth_wise_layer = 1, i_ch_num = 3, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 7, o_col_high = 7, kernel_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 36, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 8, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 63, dma_total_byte = 255> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x4x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x8x8xui8>
  func.return %y : !kpu.ram<1x4x8x8xui8>
}

// -----

// conv2d input layout = the !kpu.ram layout
func.func @conv_in_layout(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument input layout (groups 1, row_len 1, channel_switch 8) differs from the !kpu.ram layout of a 8x8 map (groups 4, row_len 1, channel_switch 8)
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 1, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d output layout = the !kpu.ram layout
func.func @conv_out_layout(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument output layout (groups 4, row_len 1, channel_switch 5) differs from the !kpu.ram layout of a 4x4 map (groups 4, row_len 1, channel_switch 4)
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 5, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d image_src_addr 0 while the input is not placed
func.func @conv_src_unplaced(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: layer argument image_src_addr 100 does not match an unplaced map (0)
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<image_src_addr = 100, i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d image_dst_addr = the result's line
func.func @conv_dst_placed(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8, line 9> {
  // CHECK: kpu.conv2d: layer argument image_dst_addr 8 does not match line 9
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<image_dst_addr = 8, i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8, line 9>
  func.return %y : !kpu.ram<1x4x4x4xui8, line 9>
}

// -----

// conv2d placed input and output must not overlap
func.func @conv_overlap(%x: !kpu.ram<1x3x8x8xui8, line 0>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8, line 4> {
  // CHECK: kpu.conv2d: input lines 0…7 and output lines 4…7 overlap
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<image_dst_addr = 4, i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8, line 0>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8, line 4>
  func.return %y : !kpu.ram<1x4x4x4xui8, line 4>
}

// -----

// conv2d output size = input size / pool stride
func.func @conv_pool_size(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: output size 4x4 should be 8x8 for pool type 9
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 9, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d undefined register bits
func.func @conv_bypass(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: bypass_conv = 1 has no defined semantics
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, bypass_conv = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d DMA byte counts
func.func @conv_dma(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: dma_total_byte 10 should be OW·OH·OC-1 = 63
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 10> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d practical limits: output at least 4x4
func.func @conv_small(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x2x2xui8> {
  // CHECK: kpu.conv2d: output 2x2 smaller than 4x4
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 1, o_col_high = 1, kernel_type = 1, pool_type = 3, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 2, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 3, dma_total_byte = 15> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x2x2xui8>
  func.return %y : !kpu.ram<1x4x2x2xui8>
}

// -----

// conv2d para_size = channels per load x bytes per channel
func.func @conv_para_size(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: para_size 100 should be 4 channels x 27 bytes = 108
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 100, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d load_time covers the output channels
func.func @conv_loads(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: load_time + 1 = 1 loads of 2 output channels, but 4 channels need 2; para_size 108 should be 2 channels x 27 bytes = 54
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 1, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d para_size counts 2-byte weights in 16-bit mode
func.func @conv_16bit_loads(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui16>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: para_size 108 should be 4 channels x 54 bytes = 216
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui16>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d weights per load fit the 36 KiB weight buffer
func.func @conv_load_bytes(%x: !kpu.ram<1x512x4x4xui8>, %w: tensor<16x512x3x3xui8>) -> !kpu.ram<1x16x4x4xui8> {
  // CHECK: kpu.conv2d: 41472 weight bytes per load exceed the 36864-byte weight buffer
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 511, o_ch_num = 15, o_ch_num_coef = 8, i_row_wid = 3, i_col_high = 3, o_row_wid = 3, o_col_high = 3, kernel_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, load_time = 1, para_size = 41472, channel_switch_addr = 4, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 255> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x512x4x4xui8>, tensor<16x512x3x3xui8>) -> !kpu.ram<1x16x4x4xui8>
  func.return %y : !kpu.ram<1x16x4x4xui8>
}

// -----

// conv2d one BN entry per output channel
func.func @conv_bn_channels(%x: !kpu.ram<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8> {
  // CHECK: kpu.conv2d: BN table has 3 entries for 4 output channels
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1], shift [0, 0, 0], add [0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (!kpu.ram<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return %y : !kpu.ram<1x4x4x4xui8>
}

// -----

// conv2d reads a !kpu.ram map
func.func @conv_input_not_ram(%x: tensor<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) {
  // CHECK: tensor<1x3x8x8xui8> should be of base attribute kpu.ram
  %y = kpu.conv2d %x, %w arg #kpu.layer_arg<i_ch_num = 2, o_ch_num = 3, o_ch_num_coef = 3, i_row_wid = 7, i_col_high = 7, o_row_wid = 3, o_col_high = 3, kernel_type = 1, pool_type = 1, load_para = 1, dma_burst_size = 15, load_coor = 1, para_size = 108, channel_switch_addr = 8, row_switch_addr = 1, coef_group = 4, load_act = 1, wb_channel_switch_addr = 4, wb_row_switch_addr = 1, wb_group = 4, channel_byte_num = 15, dma_total_byte = 63> bn #kpu.bn<mul [1, 1, 1, 1], shift [0, 0, 0, 0], add [0, 0, 0, 0]> act #kpu.act_table<start [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mul [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], shift [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], add [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> !kpu.ram<1x4x4x4xui8>
  func.return
}

// -----

// upload: the map fits at its line
func.func @upload_fit(%x: tensor<1x5x4x100xui8>) -> !kpu.ram<1x5x4x100xui8, line 32729> {
  // CHECK: kpu.upload: result 5x4x100 map (2560 bytes) does not fit at line 32729: it would end at line 32769, the KPU RAM has 32768 lines (2 MiB)
  %y = kpu.upload %x : tensor<1x5x4x100xui8> -> !kpu.ram<1x5x4x100xui8, line 32729>
  func.return %y : !kpu.ram<1x5x4x100xui8, line 32729>
}

// -----

// upload keeps the shape
func.func @upload_shape(%x: tensor<1x3x8x8xui8>) -> !kpu.ram<1x3x8x4xui8> {
  // CHECK: kpu.upload: input shape 1x3x8x8 differs from the map's 1x3x8x4
  %y = kpu.upload %x : tensor<1x3x8x8xui8> -> !kpu.ram<1x3x8x4xui8>
  func.return %y : !kpu.ram<1x3x8x4xui8>
}

// -----

// upload keeps the element type
func.func @upload_element(%x: tensor<1x3x8x8x!nn.q<ui8, 0.5, 0>>) -> !kpu.ram<1x3x8x8x!nn.q<ui8, 0.25, 0>> {
  // CHECK: kpu.upload: input element type !nn.q<ui8, 0.5, 0> must be the map's !nn.q<ui8, 0.25, 0>
  %y = kpu.upload %x : tensor<1x3x8x8x!nn.q<ui8, 0.5, 0>> -> !kpu.ram<1x3x8x8x!nn.q<ui8, 0.25, 0>>
  func.return %y : !kpu.ram<1x3x8x8x!nn.q<ui8, 0.25, 0>>
}

// -----

// upload moves uint8 data only
func.func @upload_float(%x: tensor<1x3x8x8xf32>) -> !kpu.ram<1x3x8x8xui8> {
  // CHECK: kpu.upload: input element type f32 must be the map's ui8
  %y = kpu.upload %x : tensor<1x3x8x8xf32> -> !kpu.ram<1x3x8x8xui8>
  func.return %y : !kpu.ram<1x3x8x8xui8>
}

// -----

// download keeps the shape
func.func @download_shape(%x: !kpu.ram<1x3x8x8xui8>) -> tensor<1x3x4x8xui8> {
  // CHECK: kpu.download: result shape 1x3x4x8 differs from the map's 1x3x8x8
  %y = kpu.download %x : !kpu.ram<1x3x8x8xui8> -> tensor<1x3x4x8xui8>
  func.return %y : tensor<1x3x4x8xui8>
}

// -----

// download keeps the element type
func.func @download_element(%x: !kpu.ram<1x3x8x8xui8>) -> tensor<1x3x8x8x!nn.q<ui8, 0.5, 0>> {
  // CHECK: kpu.download: result element type !nn.q<ui8, 0.5, 0> must be the map's ui8
  %y = kpu.download %x : !kpu.ram<1x3x8x8xui8> -> tensor<1x3x8x8x!nn.q<ui8, 0.5, 0>>
  func.return %y : tensor<1x3x8x8x!nn.q<ui8, 0.5, 0>>
}
