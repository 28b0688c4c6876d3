// RUN: kcc-opt %s --split-input-file --kpu-legalize | filecheck %s
// RUN: kcc-opt %s --split-input-file -p 'kpu-legalize{kpu-add=false}' | filecheck %s --check-prefix=NOADD

// Symmetric same padding is native: the conv becomes one fake conv on the same weights.
// CHECK-LABEL: func.func @same_3x3(
// CHECK-NEXT:    %w = nn.const dense<5.000000e-01> : tensor<4x3x3x3xf32>
// CHECK-NEXT:    %b = nn.const dense<2.500000e-01> : tensor<4xf32>
// CHECK-NEXT:    %y = kpu.fake_conv2d %x, %w, %b pool bypass act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    func.return %y : tensor<1x4x8x8xf32>
func.func @same_3x3(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// Stride 2 with pad 1 all round: stride-1 conv + left_top_2_s2, nothing else.
// CHECK-LABEL: func.func @stride2_pad1(
// CHECK-NEXT:    %w = nn.const
// CHECK-NEXT:    %b = nn.const
// CHECK-NEXT:    %y = kpu.fake_conv2d %x, %w, %b pool left_top_2_s2 act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT:    func.return %y
func.func @stride2_pad1(%x: tensor<1x3x16x16xf32>) -> tensor<1x8x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<8x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<8xf32>
  %y = nn.conv2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<clamp, 0.0, 6.0> : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// TF SAME stride 2 on an even map pads 0 before and 1 after: it needs rows 1, 3, 5, ... of the same-padded
// stride-1 conv. One more zero row/column before makes them even (left_top picks them), then drop output 0.
// CHECK-LABEL: func.func @tf_same_stride2(
// CHECK:         %[[P:.*]] = nn.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" : tensor<1x3x16x16xf32> -> tensor<1x3x18x18xf32>
// CHECK-NEXT:    %[[C:.*]] = kpu.fake_conv2d %[[P]], %w, %b pool left_top_2_s2 : (tensor<1x3x18x18xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
// CHECK-NEXT:    %y = nn.slice %[[C]] starts [0, 0, 1, 1] ends [1, 8, 9, 9] steps [1, 1, 1, 1] : tensor<1x8x9x9xf32> -> tensor<1x8x8x8xf32>
// CHECK-NEXT:    func.return %y
func.func @tf_same_stride2(%x: tensor<1x3x16x16xf32>) -> tensor<1x8x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<8x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<8xf32>
  %y = nn.conv2d %x, %w, %b strides [2, 2] pads [0, 0, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// Valid padding: same conv, crop one row/column on every side.
// CHECK-LABEL: func.func @valid_3x3(
// CHECK:         %[[C:.*]] = kpu.fake_conv2d %x, %w, %b pool bypass : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %y = nn.slice %[[C]] starts [0, 0, 1, 1] ends [1, 4, 7, 7] steps [1, 1, 1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
func.func @valid_3x3(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}

// -----

// Stride 3 has no pool code: stride-1 fake conv + strided slice.
// CHECK-LABEL: func.func @stride3(
// CHECK:         %[[C:.*]] = kpu.fake_conv2d %x, %w, %b pool bypass : (tensor<1x3x12x12xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x12x12xf32>
// CHECK-NEXT:    %y = nn.slice %[[C]] starts [0, 0, 0, 0] ends [1, 4, 10, 10] steps [1, 1, 3, 3] : tensor<1x4x12x12xf32> -> tensor<1x4x4x4xf32>
func.func @stride3(%x: tensor<1x3x12x12xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [3, 3] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x12x12xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %y : tensor<1x4x4x4xf32>
}

// -----

// A depthwise conv cannot pool: it runs at stride 1 and the 1x1 conv after it samples with left_top.
// CHECK-LABEL: func.func @depthwise_stride2_then_pointwise(
// CHECK:         %[[D:.*]] = kpu.fake_conv2d %x, %wd, %bd depthwise pool bypass act #nn.act<relu> : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK:         %y = kpu.fake_conv2d %[[D]], %wp, %bp pool left_top_2_s2 : (tensor<1x4x16x16xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT:    func.return %y
func.func @depthwise_stride2_then_pointwise(%x: tensor<1x4x16x16xf32>) -> tensor<1x8x8x8xf32> {
  %wd = nn.const dense<0.5> : tensor<4x1x3x3xf32>
  %bd = nn.const dense<0.25> : tensor<4xf32>
  %d = nn.conv2d %x, %wd, %bd strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 4 act #nn.act<relu> : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %wp = nn.const dense<0.5> : tensor<8x4x1x1xf32>
  %bp = nn.const dense<0.25> : tensor<8xf32>
  %y = nn.conv2d %d, %wp, %bp strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  func.return %y : tensor<1x8x8x8xf32>
}

// -----

// A following 2x2/s2 max pool is the KPU's max_2_s2, fused.
// CHECK-LABEL: func.func @conv_maxpool(
// CHECK:         %p = kpu.fake_conv2d %x, %w, %b pool max_2_s2 act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    func.return %p
func.func @conv_maxpool(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %p = nn.max_pool2d %y kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  func.return %p : tensor<1x4x4x4xf32>
}

// -----

// Below the 4x4 minimum (a 2x2 map): zeros after, then crop back.
// CHECK-LABEL: func.func @small_map(
// CHECK:         %[[P:.*]] = nn.pad %x pads [0, 0, 0, 0, 0, 0, 2, 2] mode "constant" : tensor<1x8x2x2xf32> -> tensor<1x8x4x4xf32>
// CHECK-NEXT:    %[[C:.*]] = kpu.fake_conv2d %[[P]], %w, %b pool bypass : (tensor<1x8x4x4xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %y = nn.slice %[[C]] starts [0, 0, 0, 0] ends [1, 4, 2, 2] steps [1, 1, 1, 1] : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
func.func @small_map(%x: tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = nn.const dense<0.5> : tensor<4x8x1x1xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x8x2x2xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  func.return %y : tensor<1x4x2x2xf32>
}

// -----

// Edges of the size limits: 4x4 and 256x512 are native; 257 rows run in two row bands (halo: one row each).
// CHECK-LABEL: func.func @size_limits(
// CHECK:         kpu.fake_conv2d %a, {{.*}} -> tensor<1x2x4x4xf32>
// CHECK:         kpu.fake_conv2d %c, {{.*}} -> tensor<1x2x256x512xf32>
// CHECK:         %[[B0:.*]] = nn.slice %e starts [0, 0, 0, 0] ends [1, 1, 130, 16] steps [1, 1, 1, 1] : tensor<1x1x257x16xf32> -> tensor<1x1x130x16xf32>
// CHECK-NEXT:    %[[C0:.*]] = kpu.fake_conv2d %[[B0]], %w, %b pool bypass : (tensor<1x1x130x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x130x16xf32>
// CHECK-NEXT:    %[[K0:.*]] = nn.slice %[[C0]] starts [0, 0, 0, 0] ends [1, 2, 129, 16] steps [1, 1, 1, 1] : tensor<1x2x130x16xf32> -> tensor<1x2x129x16xf32>
// CHECK-NEXT:    %[[B1:.*]] = nn.slice %e starts [0, 0, 128, 0] ends [1, 1, 257, 16] steps [1, 1, 1, 1] : tensor<1x1x257x16xf32> -> tensor<1x1x129x16xf32>
// CHECK-NEXT:    %[[C1:.*]] = kpu.fake_conv2d %[[B1]], %w, %b pool bypass : (tensor<1x1x129x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x129x16xf32>
// CHECK-NEXT:    %[[K1:.*]] = nn.slice %[[C1]] starts [0, 0, 1, 0] ends [1, 2, 129, 16] steps [1, 1, 1, 1] : tensor<1x2x129x16xf32> -> tensor<1x2x128x16xf32>
// CHECK-NEXT:    %y3 = nn.concat %[[K0]], %[[K1]] axis 2 : (tensor<1x2x129x16xf32>, tensor<1x2x128x16xf32>) -> tensor<1x2x257x16xf32>
func.func @size_limits(%a: tensor<1x1x4x4xf32>, %c: tensor<1x1x256x512xf32>, %e: tensor<1x1x257x16xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x256x512xf32>, tensor<1x2x257x16xf32>) {
  %w = nn.const dense<0.5> : tensor<2x1x3x3xf32>
  %b = nn.const dense<0.25> : tensor<2xf32>
  %y1 = nn.conv2d %a, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y2 = nn.conv2d %c, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x256x512xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x256x512xf32>
  %y3 = nn.conv2d %e, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x257x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x257x16xf32>
  func.return %y1, %y2, %y3 : tensor<1x2x4x4xf32>, tensor<1x2x256x512xf32>, tensor<1x2x257x16xf32>
}

// -----

// Quantized ops are never touched (legalization runs in float, before quantize).
// CHECK-LABEL: func.func @quantized_conv_stays(
// CHECK-NOT:     kpu.
// CHECK:         nn.conv2d
func.func @quantized_conv_stays(%x: tensor<1x1x8x8x!nn.q<ui8, 0.5, 128>>) -> tensor<1x1x8x8x!nn.q<ui8, 0.25, 100>> {
  %w = nn.const dense<3> : tensor<1x1x3x3xui8> -> tensor<1x1x3x3x!nn.q<ui8, 0.1, 0>>
  %b = nn.const dense<0> : tensor<1xi32> -> tensor<1x!nn.q<i32, 0.05, 0>>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x8x8x!nn.q<ui8, 0.5, 128>>, tensor<1x1x3x3x!nn.q<ui8, 0.1, 0>>, tensor<1x!nn.q<i32, 0.05, 0>>) -> tensor<1x1x8x8x!nn.q<ui8, 0.25, 100>>
  func.return %y : tensor<1x1x8x8x!nn.q<ui8, 0.25, 100>>
}

// -----

// Standalone ops: relu as a depthwise identity conv; a residual add as concat + [I I] 1x1 conv
// (kpu-add=false keeps it on the CPU); softmax stays.
// CHECK-LABEL: func.func @standalone(
// CHECK:         %r = kpu.fake_conv2d %x, {{.*}} depthwise pool bypass act #nn.act<relu> : (tensor<1x4x8x8xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK:         %[[CAT:.*]] = nn.concat %r, %z axis 1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK:         %s = kpu.fake_conv2d %[[CAT]], {{.*}} pool bypass : (tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:    %m = nn.softmax %s axis 1
// NOADD-LABEL:   func.func @standalone(
// NOADD:         %s = nn.add %r, %z
func.func @standalone(%x: tensor<1x4x8x8xf32>, %z: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %r = nn.relu %x : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %s = nn.add %r, %z : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %m = nn.softmax %s axis 1 : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  func.return %m : tensor<1x4x8x8xf32>
}
