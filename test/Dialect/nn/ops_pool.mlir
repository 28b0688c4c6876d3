// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

// CHECK-LABEL: func.func @max_pool2d
// CHECK-NEXT:    %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %z = nn.max_pool2d %x kernel [2, 3] strides [1, 2] pads [0, 1, 2, 0] dilations [2, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x9x4xf32>
// CHECK-NEXT:    %q = nn.max_pool2d %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>>
func.func @max_pool2d(%x: tensor<1x4x9x9xf32>, %qx: tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>) {
  %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %z = nn.max_pool2d %x kernel [2, 3] strides [1, 2] pads [0, 1, 2, 0] dilations [2, 1] : tensor<1x4x9x9xf32> -> tensor<1x4x9x4xf32>
  %q = nn.max_pool2d %qx kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>>
  func.return
}

// -----

// CHECK-LABEL: func.func @avg_pool2d
// CHECK-NEXT:    %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %z = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] count_include_pad false : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %c = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
func.func @avg_pool2d(%x: tensor<1x4x9x9xf32>) {
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %z = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] count_include_pad false : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  %c = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1] count_include_pad true : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK-NEXT:    %mean = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:    %max = nn.reduce_max %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:    %min = nn.reduce_min %x axes [1] keepdims false : tensor<1x4x9x9xf32> -> tensor<1x9x9xf32>
// CHECK-NEXT:    %sum = nn.reduce_sum %x axes [-1, 0] keepdims false : tensor<1x4x9x9xf32> -> tensor<4x9xf32>
// CHECK-NEXT:    %q = nn.reduce_mean %qx axes [3] keepdims true : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x4x1x!nn.q<ui8, 0.25, 0>>
func.func @reductions(%x: tensor<1x4x9x9xf32>, %qx: tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>) {
  %mean = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  %max = nn.reduce_max %x axes [2, 3] keepdims true : tensor<1x4x9x9xf32> -> tensor<1x4x1x1xf32>
  %min = nn.reduce_min %x axes [1] keepdims false : tensor<1x4x9x9xf32> -> tensor<1x9x9xf32>
  %sum = nn.reduce_sum %x axes [-1, 0] keepdims false : tensor<1x4x9x9xf32> -> tensor<4x9xf32>
  %q = nn.reduce_mean %qx axes [3] keepdims true : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x4x1x!nn.q<ui8, 0.25, 0>>
  func.return
}
