// RUN: kcc-opt %s --split-input-file -p kpu-legalize | filecheck %s

// A KPU layer loads its weights in at most 64 loads (load_time is 6 bits) of at most 30 KiB of whole output
// channels. A 3x3 conv over 256 input channels has 2304 weight bytes per output channel: 13 per load, so at most
// 64 x 13 = 832 output channels per layer (kcc.k210.limits.max_out_channels_per_layer).

// 832 output channels: exactly 64 loads, one fake conv.
// CHECK-LABEL: func.func @at_the_load_limit(
// CHECK:       %y = kpu.fake_conv2d %x, %w, %b pool bypass : (tensor<1x256x4x4xf32>, tensor<832x256x3x3xf32>, tensor<832xf32>) -> tensor<1x832x4x4xf32>
// CHECK-NEXT:  func.return %y : tensor<1x832x4x4xf32>
func.func @at_the_load_limit(%x: tensor<1x256x4x4xf32>) -> tensor<1x832x4x4xf32> {
  %w = nn.const dense<0.01> : tensor<832x256x3x3xf32>
  %b = nn.const dense<0.5> : tensor<832xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x256x4x4xf32>, tensor<832x256x3x3xf32>, tensor<832xf32>) -> tensor<1x832x4x4xf32>
  func.return %y : tensor<1x832x4x4xf32>
}

// -----

// 833 output channels would need 65 loads: two layers of 417 and 416 output channels on the same input,
// concatenated on channels (each keeps the fused activation).
// CHECK-LABEL: func.func @over_the_load_limit(
// CHECK:       %[[W0:.*]] = nn.const dense<1.000000e-02> : tensor<417x256x3x3xf32>
// CHECK-NEXT:  %[[B0:.*]] = nn.const dense<5.000000e-01> : tensor<417xf32>
// CHECK-NEXT:  %[[Y0:.*]] = kpu.fake_conv2d %x, %[[W0]], %[[B0]] pool bypass act #nn.act<relu> : (tensor<1x256x4x4xf32>, tensor<417x256x3x3xf32>, tensor<417xf32>) -> tensor<1x417x4x4xf32>
// CHECK-NEXT:  %[[W1:.*]] = nn.const dense<1.000000e-02> : tensor<416x256x3x3xf32>
// CHECK-NEXT:  %[[B1:.*]] = nn.const dense<5.000000e-01> : tensor<416xf32>
// CHECK-NEXT:  %[[Y1:.*]] = kpu.fake_conv2d %x, %[[W1]], %[[B1]] pool bypass act #nn.act<relu> : (tensor<1x256x4x4xf32>, tensor<416x256x3x3xf32>, tensor<416xf32>) -> tensor<1x416x4x4xf32>
// CHECK-NEXT:  %y = nn.concat %[[Y0]], %[[Y1]] axis 1 : (tensor<1x417x4x4xf32>, tensor<1x416x4x4xf32>) -> tensor<1x833x4x4xf32>
// CHECK-NEXT:  func.return %y : tensor<1x833x4x4xf32>
func.func @over_the_load_limit(%x: tensor<1x256x4x4xf32>) -> tensor<1x833x4x4xf32> {
  %w = nn.const dense<0.01> : tensor<833x256x3x3xf32>
  %b = nn.const dense<0.5> : tensor<833xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x256x4x4xf32>, tensor<833x256x3x3xf32>, tensor<833xf32>) -> tensor<1x833x4x4xf32>
  func.return %y : tensor<1x833x4x4xf32>
}

// -----

// YOLOv2-tiny's 3x3 conv 512 -> 1024 (4608 bytes per output channel, 6 per load, at most 384 per layer): three
// layers of 342, 342 and 340 output channels.
// CHECK-LABEL: func.func @yolo_512_to_1024(
// CHECK:       kpu.fake_conv2d %x, %{{.*}}, %{{.*}} pool bypass act #nn.act<leaky_relu, 0.1> : (tensor<1x512x4x4xf32>, tensor<342x512x3x3xf32>, tensor<342xf32>) -> tensor<1x342x4x4xf32>
// CHECK:       kpu.fake_conv2d %x, %{{.*}}, %{{.*}} pool bypass act #nn.act<leaky_relu, 0.1> : (tensor<1x512x4x4xf32>, tensor<342x512x3x3xf32>, tensor<342xf32>) -> tensor<1x342x4x4xf32>
// CHECK:       kpu.fake_conv2d %x, %{{.*}}, %{{.*}} pool bypass act #nn.act<leaky_relu, 0.1> : (tensor<1x512x4x4xf32>, tensor<340x512x3x3xf32>, tensor<340xf32>) -> tensor<1x340x4x4xf32>
// CHECK-NEXT:  %y = nn.concat %{{.*}}, %{{.*}}, %{{.*}} axis 1 : (tensor<1x342x4x4xf32>, tensor<1x342x4x4xf32>, tensor<1x340x4x4xf32>) -> tensor<1x1024x4x4xf32>
func.func @yolo_512_to_1024(%x: tensor<1x512x4x4xf32>) -> tensor<1x1024x4x4xf32> {
  %w = nn.const dense<0.01> : tensor<1024x512x3x3xf32>
  %b = nn.const dense<0.5> : tensor<1024xf32>
  %y = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<leaky_relu, 0.1> : (tensor<1x512x4x4xf32>, tensor<1024x512x3x3xf32>, tensor<1024xf32>) -> tensor<1x1024x4x4xf32>
  func.return %y : tensor<1x1024x4x4xf32>
}
