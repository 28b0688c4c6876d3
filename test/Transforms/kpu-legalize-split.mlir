// RUN: kcc-opt %s --split-input-file -p kpu-legalize | filecheck %s

// kpu-legalize beyond one fake conv per op: channel groups, KPU pool chains for global pools, padded pools,
// channel-padded residuals, row bands over the KPU RAM (see also kpu-legalize.mlir @size_limits).

// A standalone op over 1024 channels (relu on 1040) runs in two channel groups of 520, concatenated.
// CHECK-LABEL: func.func @relu_groups(
// CHECK:       %[[V0:.*]] = nn.slice %x starts [0, 0, 0, 0] ends [1, 520, 4, 4] steps [1, 1, 1, 1] : tensor<1x1040x4x4xf32> -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %[[V1:.*]] = nn.const dense<1.000000e+00> : tensor<520x1x1x1xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.const dense<0.000000e+00> : tensor<520xf32>
// CHECK-NEXT:  %[[V3:.*]] = kpu.fake_conv2d %[[V0]], %[[V1]], %[[V2]] depthwise pool bypass act #nn.act<relu> : (tensor<1x520x4x4xf32>, tensor<520x1x1x1xf32>, tensor<520xf32>) -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %[[V4:.*]] = nn.slice %x starts [0, 520, 0, 0] ends [1, 1040, 4, 4] steps [1, 1, 1, 1] : tensor<1x1040x4x4xf32> -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %[[V5:.*]] = nn.const dense<1.000000e+00> : tensor<520x1x1x1xf32>
// CHECK-NEXT:  %[[V6:.*]] = nn.const dense<0.000000e+00> : tensor<520xf32>
// CHECK-NEXT:  %[[V7:.*]] = kpu.fake_conv2d %[[V4]], %[[V5]], %[[V6]] depthwise pool bypass act #nn.act<relu> : (tensor<1x520x4x4xf32>, tensor<520x1x1x1xf32>, tensor<520xf32>) -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %r = nn.concat %[[V3]], %[[V7]] axis 1 : (tensor<1x520x4x4xf32>, tensor<1x520x4x4xf32>) -> tensor<1x1040x4x4xf32>
// CHECK-NEXT:  func.return %r : tensor<1x1040x4x4xf32>
func.func @relu_groups(%x: tensor<1x1040x4x4xf32>) -> tensor<1x1040x4x4xf32> {
  %r = nn.relu %x : tensor<1x1040x4x4xf32> -> tensor<1x1040x4x4xf32>
  func.return %r : tensor<1x1040x4x4xf32>
}

// -----

// Global mean over 7x7 (not a KPU pool size): zeros to 16x16 (extra zeros add nothing to the sums), mean_4_s4 with
// the weight 64/49 (the chain divides by 8x8 = 64, the mean by 49), crop to 2x2, then mean_2_s2: one value per channel.
// CHECK-LABEL: func.func @global_mean_7x7(
// CHECK:       %[[V0:.*]] = nn.pad %x pads [0, 0, 0, 0, 0, 0, 9, 9] mode "constant" : tensor<1x2x7x7xf32> -> tensor<1x2x16x16xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.30612242]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.30612242]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %[[V3:.*]] = kpu.fake_conv2d %[[V0]], %{{[0-9]+}}, %[[V2]] pool mean_4_s4 : (tensor<1x2x16x16xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %[[V4:.*]] = nn.slice %[[V3]] starts [0, 0, 0, 0] ends [1, 2, 2, 2] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %[[V5:.*]] = nn.pad %[[V4]] pads [0, 0, 0, 0, 0, 0, 6, 6] mode "constant" : tensor<1x2x2x2xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.000000e+00]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %[[V7:.*]] = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %[[V8:.*]] = kpu.fake_conv2d %[[V5]], %{{[0-9]+}}, %[[V7]] pool mean_2_s2 : (tensor<1x2x8x8xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %[[V9:.*]] = nn.slice %[[V8]] starts [0, 0, 0, 0] ends [1, 2, 1, 1] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  %m = nn.reshape %[[V9]] : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
// CHECK-NEXT:  func.return %m : tensor<1x2xf32>
func.func @global_mean_7x7(%x: tensor<1x2x7x7xf32>) -> tensor<1x2xf32> {
  %m = nn.reduce_mean %x axes [2, 3] keepdims false : tensor<1x2x7x7xf32> -> tensor<1x2xf32>
  func.return %m : tensor<1x2xf32>
}

// -----

// Global max over 5x3: edge values to 8x8 first (a replicated value never changes a maximum; zeros could), then
// max_4_s4 and max_2_s2; the zeros the plans add only reach outputs that are cropped away.
// CHECK-LABEL: func.func @global_max_5x3(
// CHECK:       %[[V0:.*]] = nn.pad %x pads [0, 0, 0, 0, 0, 0, 3, 5] mode "edge" : tensor<1x2x5x3xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT:  %[[V1:.*]] = nn.pad %[[V0]] pads [0, 0, 0, 0, 0, 0, 8, 8] mode "constant" : tensor<1x2x8x8xf32> -> tensor<1x2x16x16xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.000000e+00]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %[[V3:.*]] = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %[[V4:.*]] = kpu.fake_conv2d %[[V1]], %{{[0-9]+}}, %[[V3]] pool max_4_s4 : (tensor<1x2x16x16xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %[[V5:.*]] = nn.slice %[[V4]] starts [0, 0, 0, 0] ends [1, 2, 2, 2] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  %[[V6:.*]] = nn.pad %[[V5]] pads [0, 0, 0, 0, 0, 0, 6, 6] mode "constant" : tensor<1x2x2x2xf32> -> tensor<1x2x8x8xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.000000e+00]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %[[V8:.*]] = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %[[V9:.*]] = kpu.fake_conv2d %[[V6]], %{{[0-9]+}}, %[[V8]] pool max_2_s2 : (tensor<1x2x8x8xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %m = nn.slice %[[V9]] starts [0, 0, 0, 0] ends [1, 2, 1, 1] steps [1, 1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
// CHECK-NEXT:  func.return %m : tensor<1x2x1x1xf32>
func.func @global_max_5x3(%x: tensor<1x2x5x3xf32>) -> tensor<1x2x1x1xf32> {
  %m = nn.max_pool2d %x kernel [5, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x5x3xf32> -> tensor<1x2x1x1xf32>
  func.return %m : tensor<1x2x1x1xf32>
}

// -----

// YOLOv2-tiny's 2x2/2 max pool with one padded row at the bottom (15 rows -> 8): edge pad + max_2_s2.
// CHECK-LABEL: func.func @padded_max_pool(
// CHECK:       %[[V0:.*]] = nn.pad %x pads [0, 0, 0, 0, 0, 0, 1, 0] mode "edge" : tensor<1x2x15x20xf32> -> tensor<1x2x16x20xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.000000e+00]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.const dense<0.000000e+00> : tensor<2xf32>
// CHECK-NEXT:  %m = kpu.fake_conv2d %[[V0]], %{{[0-9]+}}, %[[V2]] pool max_2_s2 : (tensor<1x2x16x20xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x8x10xf32>
// CHECK-NEXT:  func.return %m : tensor<1x2x8x10xf32>
func.func @padded_max_pool(%x: tensor<1x2x15x20xf32>) -> tensor<1x2x8x10xf32> {
  %m = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 0] dilations [1, 1] : tensor<1x2x15x20xf32> -> tensor<1x2x8x10xf32>
  func.return %m : tensor<1x2x8x10xf32>
}

// -----

// BlazeFace's channel-padded residual: y + pad_channels(x) = [I E] 1x1 conv on concat(y, x) (the nn.pad goes).
// CHECK-LABEL: func.func @channel_pad_add(
// CHECK:       %[[V0:.*]] = nn.concat %y, %x axis 1 : (tensor<1x3x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x5x8x8xf32>
// CHECK-NEXT{LITERAL}:  = nn.const dense<[[[[1.000000e+00]], [[0.000000e+00]], [[0.000000e+00]], [[1.000000e+00]], [[0.000000e+00]]], [[[0.000000e+00]], [[1.000000e+00]], [[0.000000e+00]], [[0.000000e+00]], [[1.000000e+00]]], [[[0.000000e+00]], [[0.000000e+00]], [[1.000000e+00]], [[0.000000e+00]], [[0.000000e+00]]]]> : tensor<3x5x1x1xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.const dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT:  %s = kpu.fake_conv2d %[[V0]], %{{[0-9]+}}, %[[V2]] pool bypass : (tensor<1x5x8x8xf32>, tensor<3x5x1x1xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
// CHECK-NEXT:  func.return %s : tensor<1x3x8x8xf32>
func.func @channel_pad_add(%y: tensor<1x3x8x8xf32>, %x: tensor<1x2x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %p = nn.pad %x pads [0, 0, 0, 0, 0, 1, 0, 0] mode "constant" : tensor<1x2x8x8xf32> -> tensor<1x3x8x8xf32>
  %s = nn.add %y, %p : (tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  func.return %s : tensor<1x3x8x8xf32>
}

// -----

// A residual add of 520 channels needs 1040 input channels as one [I I] conv: two groups of 260.
// CHECK-LABEL: func.func @residual_add_groups(
// CHECK:       %[[V0:.*]] = nn.slice %a starts [0, 0, 0, 0] ends [1, 260, 4, 4] steps [1, 1, 1, 1] : tensor<1x520x4x4xf32> -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %[[V1:.*]] = nn.slice %b starts [0, 0, 0, 0] ends [1, 260, 4, 4] steps [1, 1, 1, 1] : tensor<1x520x4x4xf32> -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.concat %[[V0]], %[[V1]] axis 1 : (tensor<1x260x4x4xf32>, tensor<1x260x4x4xf32>) -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %[[V3:.*]] = nn.const dense<{{.*}}> : tensor<260x520x1x1xf32>
// CHECK-NEXT:  %[[V4:.*]] = nn.const dense<0.000000e+00> : tensor<260xf32>
// CHECK-NEXT:  %[[V5:.*]] = kpu.fake_conv2d %[[V2]], %[[V3]], %[[V4]] pool bypass : (tensor<1x520x4x4xf32>, tensor<260x520x1x1xf32>, tensor<260xf32>) -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %[[V6:.*]] = nn.slice %a starts [0, 260, 0, 0] ends [1, 520, 4, 4] steps [1, 1, 1, 1] : tensor<1x520x4x4xf32> -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %[[V7:.*]] = nn.slice %b starts [0, 260, 0, 0] ends [1, 520, 4, 4] steps [1, 1, 1, 1] : tensor<1x520x4x4xf32> -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %[[V8:.*]] = nn.concat %[[V6]], %[[V7]] axis 1 : (tensor<1x260x4x4xf32>, tensor<1x260x4x4xf32>) -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  %[[V9:.*]] = nn.const dense<{{.*}}> : tensor<260x520x1x1xf32>
// CHECK-NEXT:  %[[V10:.*]] = nn.const dense<0.000000e+00> : tensor<260xf32>
// CHECK-NEXT:  %[[V11:.*]] = kpu.fake_conv2d %[[V8]], %[[V9]], %[[V10]] pool bypass : (tensor<1x520x4x4xf32>, tensor<260x520x1x1xf32>, tensor<260xf32>) -> tensor<1x260x4x4xf32>
// CHECK-NEXT:  %s = nn.concat %[[V5]], %[[V11]] axis 1 : (tensor<1x260x4x4xf32>, tensor<1x260x4x4xf32>) -> tensor<1x520x4x4xf32>
// CHECK-NEXT:  func.return %s : tensor<1x520x4x4xf32>
func.func @residual_add_groups(%a: tensor<1x520x4x4xf32>, %b: tensor<1x520x4x4xf32>) -> tensor<1x520x4x4xf32> {
  %s = nn.add %a, %b : (tensor<1x520x4x4xf32>, tensor<1x520x4x4xf32>) -> tensor<1x520x4x4xf32>
  func.return %s : tensor<1x520x4x4xf32>
}

// -----

// KPU RAM: a depthwise 3x3 on 64x64 fits with 256 channels (1 MiB in + 1 MiB out); 257 channels run in two
// row bands of 32 output rows (33 input rows each: one halo row).
// CHECK-LABEL: func.func @ram_limit(
// CHECK:       %w = nn.const dense<5.000000e-01> : tensor<256x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<2.500000e-01> : tensor<256xf32>
// CHECK-NEXT:  %y = kpu.fake_conv2d %a, %w, %b depthwise pool bypass : (tensor<1x256x64x64xf32>, tensor<256x1x3x3xf32>, tensor<256xf32>) -> tensor<1x256x64x64xf32>
// CHECK-NEXT:  %w2 = nn.const dense<5.000000e-01> : tensor<257x1x3x3xf32>
// CHECK-NEXT:  %b2 = nn.const dense<2.500000e-01> : tensor<257xf32>
// CHECK-NEXT:  %[[V0:.*]] = nn.slice %c starts [0, 0, 0, 0] ends [1, 257, 33, 64] steps [1, 1, 1, 1] : tensor<1x257x64x64xf32> -> tensor<1x257x33x64xf32>
// CHECK-NEXT:  %[[V1:.*]] = kpu.fake_conv2d %[[V0]], %w2, %b2 depthwise pool bypass : (tensor<1x257x33x64xf32>, tensor<257x1x3x3xf32>, tensor<257xf32>) -> tensor<1x257x33x64xf32>
// CHECK-NEXT:  %[[V2:.*]] = nn.slice %[[V1]] starts [0, 0, 0, 0] ends [1, 257, 32, 64] steps [1, 1, 1, 1] : tensor<1x257x33x64xf32> -> tensor<1x257x32x64xf32>
// CHECK-NEXT:  %[[V3:.*]] = nn.slice %c starts [0, 0, 31, 0] ends [1, 257, 64, 64] steps [1, 1, 1, 1] : tensor<1x257x64x64xf32> -> tensor<1x257x33x64xf32>
// CHECK-NEXT:  %[[V4:.*]] = kpu.fake_conv2d %[[V3]], %w2, %b2 depthwise pool bypass : (tensor<1x257x33x64xf32>, tensor<257x1x3x3xf32>, tensor<257xf32>) -> tensor<1x257x33x64xf32>
// CHECK-NEXT:  %[[V5:.*]] = nn.slice %[[V4]] starts [0, 0, 1, 0] ends [1, 257, 33, 64] steps [1, 1, 1, 1] : tensor<1x257x33x64xf32> -> tensor<1x257x32x64xf32>
// CHECK-NEXT:  %z = nn.concat %[[V2]], %[[V5]] axis 2 : (tensor<1x257x32x64xf32>, tensor<1x257x32x64xf32>) -> tensor<1x257x64x64xf32>
// CHECK-NEXT:  func.return %y, %z : tensor<1x256x64x64xf32>, tensor<1x257x64x64xf32>
func.func @ram_limit(%a: tensor<1x256x64x64xf32>, %c: tensor<1x257x64x64xf32>) -> (tensor<1x256x64x64xf32>, tensor<1x257x64x64xf32>) {
  %w = nn.const dense<0.5> : tensor<256x1x3x3xf32>
  %b = nn.const dense<0.25> : tensor<256xf32>
  %y = nn.conv2d %a, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 256 : (tensor<1x256x64x64xf32>, tensor<256x1x3x3xf32>, tensor<256xf32>) -> tensor<1x256x64x64xf32>
  %w2 = nn.const dense<0.5> : tensor<257x1x3x3xf32>
  %b2 = nn.const dense<0.25> : tensor<257xf32>
  %z = nn.conv2d %c, %w2, %b2 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 257 : (tensor<1x257x64x64xf32>, tensor<257x1x3x3xf32>, tensor<257xf32>) -> tensor<1x257x64x64xf32>
  func.return %y, %z : tensor<1x256x64x64xf32>, tensor<1x257x64x64xf32>
}
