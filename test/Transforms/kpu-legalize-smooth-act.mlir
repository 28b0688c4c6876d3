// RUN: kcc-opt %s --split-input-file -p kpu-legalize | filecheck %s

// sigmoid, tanh and hard_swish run in the KPU's activation table (16 segments fitted by kcc.k210.act_fit, about
// 1 output LSB once quantized): after a conv they fold into its fake conv (kpu-legalize lets the fuse-conv
// patterns run first, so no separate fuse-conv is needed), before a fused pool (the KPU's order).

// CHECK-LABEL: func.func @conv_sigmoid(
// CHECK:       %c = kpu.fake_conv2d %x, %w, %b pool bypass act #nn.act<sigmoid> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:  func.return %c : tensor<1x4x8x8xf32>
func.func @conv_sigmoid(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %y = nn.sigmoid %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv_tanh_pool(
// CHECK:       %p = kpu.fake_conv2d %x, %w, %b pool max_2_s2 act #nn.act<tanh> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:  func.return %p : tensor<1x4x4x4xf32>
func.func @conv_tanh_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %t = nn.tanh %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %p = nn.max_pool2d %t kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  func.return %p : tensor<1x4x4x4xf32>
}

// -----

// A depthwise conv + batch norm + hard_swish (the MobileNetV3 block): all three in one fake conv.
// CHECK-LABEL: func.func @depthwise_bn_hard_swish(
// CHECK:       %w = nn.const dense<1.000000e+00> : tensor<4x1x3x3xf32>
// CHECK-NEXT:  %b = nn.const dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:  %c = kpu.fake_conv2d %x, %w, %b depthwise pool bypass act #nn.act<hard_swish> : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:  func.return %c : tensor<1x4x8x8xf32>
func.func @depthwise_bn_hard_swish(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<4x1x3x3xf32>
  %b = nn.const dense<0.0> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 4 : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %g = nn.const dense<2.0> : tensor<4xf32>
  %be = nn.const dense<1.0> : tensor<4xf32>
  %m = nn.const dense<0.0> : tensor<4xf32>
  %v = nn.const dense<1.0> : tensor<4xf32>
  %n = nn.batch_norm %c, %g, %be, %m, %v epsilon 0.0 : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %y = nn.hard_swish %n : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// -----

// A standalone sigmoid (no conv before it to fold into): a depthwise 1x1 identity fake conv carrying it.
// CHECK-LABEL: func.func @standalone_sigmoid(
// CHECK:       %[[W:.*]] = nn.const dense<1.000000e+00> : tensor<4x1x1x1xf32>
// CHECK-NEXT:  %[[B:.*]] = nn.const dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT:  %y = kpu.fake_conv2d %x, %[[W]], %[[B]] depthwise pool bypass act #nn.act<sigmoid> : (tensor<1x4x8x8xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT:  func.return %y : tensor<1x4x8x8xf32>
func.func @standalone_sigmoid(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %y = nn.sigmoid %x : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}
