// RUN: kcc-opt %s -p 'kpu-legalize{report=true}' -o /dev/null 2>&1 | filecheck %s
// RUN: kcc-opt %s --kpu-legalize=report=true -o /dev/null 2>&1 | filecheck %s
// RUN: kcc-opt %s --kpu-legalize --report -o /dev/null 2>&1 | filecheck %s
// RUN: not kcc-opt %s --fold-constants --report 2>&1 | filecheck %s --check-prefix=NOREPORT
// NOREPORT: kcc-opt: error: --report needs a pass that reports in the pipeline (e.g. --kpu-legalize --report)

// One line per op of the input (constants excluded), in program order, then the KPU MAC fraction.
// CHECK:      kpu-legalize placement: 7 ops, 4 on the KPU, 3 on the CPU
// CHECK-NEXT: #0 %c nn.conv2d: KPU, 27648 MACs: fake_conv2d 3x3 pool max_2_s2 act relu
// CHECK-NEXT: #1 %p nn.max_pool2d: KPU (fused into #0), 1024 MACs
// CHECK-NEXT: #2 %v nn.conv2d: CPU, 27648 MACs: weight and bias must be float constants (the KPU loads them from the model)
// CHECK-NEXT: #3 %tall nn.conv2d: CPU, 10800 MACs: input width 600 above the supported 512
// CHECK-NEXT: #4 %pr nn.prelu: CPU, 256 MACs: PReLU with per-channel slopes: the KPU has one activation table per layer, not per channel
// CHECK-NEXT: #5 %s nn.sigmoid: KPU, 256 MACs: fake_conv2d 1x1 depthwise act sigmoid
// CHECK-NEXT: #6 %t nn.tanh: KPU, 256 MACs: fake_conv2d 1x1 depthwise act tanh
// CHECK-NEXT: KPU MAC fraction: 0.4299 (29184 of 67888 MACs)
func.func @main(%x: tensor<1x3x16x16xf32>, %h: tensor<1x1x2x600xf32>, %wv: tensor<4x3x3x3xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x16x16xf32>, tensor<1x1x2x600xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %w = nn.const dense<0.5> : tensor<4x3x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 act #nn.act<relu> : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  %p = nn.max_pool2d %c kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x16x16xf32> -> tensor<1x4x8x8xf32>
  %v = nn.conv2d %x, %wv, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  %w1 = nn.const dense<0.5> : tensor<1x1x3x3xf32>
  %b1 = nn.const dense<0.25> : tensor<1xf32>
  %tall = nn.conv2d %h, %w1, %b1 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x1x2x600xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x2x600xf32>
  %slope = nn.const dense<[[[0.1]], [[0.2]], [[0.3]], [[0.4]]]> : tensor<4x1x1xf32>
  %pr = nn.prelu %p, %slope : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %s = nn.sigmoid %p : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %t = nn.tanh %s : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  func.return %pr, %v, %tall, %s, %t : tensor<1x4x8x8xf32>, tensor<1x4x16x16xf32>, tensor<1x1x2x600xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}
