// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @max_pool_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: pads [2, 0, 0, 0] must be smaller than the kernel extent 2x2 (a window would see only padding)
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [2, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x7x5xf32>
  func.return
}

// -----

func.func @max_pool_dilations(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: dilations must be positive, got [0, 1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [0, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_dilations_len(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: dilations must have 2 values, got 1: [1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_kernel(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: kernel must be positive, got [0, 2]
  %y = nn.max_pool2d %x kernel [0, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_strides(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: strides must have 2 values, got 3: [1, 1, 1]
  %y = nn.max_pool2d %x kernel [2, 2] strides [1, 1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_empty(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: output spatial size -3x3 is empty: kernel extent 10x4 is larger than the padded input 6x6
  %y = nn.max_pool2d %x kernel [4, 4] strides [1, 1] pads [0, 0, 0, 0] dilations [3, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x1x3xf32>
  func.return
}

// -----

func.func @max_pool_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: result #0 has shape 1x2x4x4 but the op computes 1x2x3x3
  %y = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  func.return
}

// -----

func.func @max_pool_rank(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: input must have rank 4, got rank 3 (2x6x6)
  %y = nn.max_pool2d %v kernel [2, 2] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<2x6x6xf32> -> tensor<2x5x5xf32>
  func.return
}

// -----

func.func @max_pool_mixed(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.max_pool2d: operands must be all float or all quantized: input is float (f32), result is quantized (!nn.q<ui8, 0.5, 0>)
  %y = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x2x6x6xf32> -> tensor<1x2x3x3x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @avg_pool_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: pads [0, 0, 0, 3] must be smaller than the kernel extent 3x3 (a window would see only padding)
  %y = nn.avg_pool2d %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 3] count_include_pad false : tensor<1x2x6x6xf32> -> tensor<1x2x4x7xf32>
  func.return
}

// -----

func.func @avg_pool_ceil_pads(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: ceil_pads [2, 0] must be part of the bottom/right pads [1, 1]
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [2, 0] count_include_pad true : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  func.return
}

// -----

func.func @avg_pool_ceil_pads_len(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: ceil_pads must have 2 values, got 4: [1, 1, 0, 0]
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [0, 0, 1, 1] ceil_pads [1, 1, 0, 0] count_include_pad true : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  func.return
}

// -----

func.func @avg_pool_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.avg_pool2d: result #0 has shape 1x2x2x2 but the op computes 1x2x3x3
  %y = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] count_include_pad false : tensor<1x2x6x6xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @reduce_no_axes(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_mean: axes must name at least one axis
  %y = nn.reduce_mean %x axes [] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  func.return
}

// -----

func.func @reduce_twice(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_sum: axes [3, -1] name the same axis twice
  %y = nn.reduce_sum %x axes [3, -1] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x1xf32>
  func.return
}

// -----

func.func @reduce_range(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_max: axis 4 is out of range for rank 4
  %y = nn.reduce_max %x axes [4] keepdims true : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  func.return
}

// -----

func.func @reduce_result(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_min: result #0 has shape 1x2x1x1 but the op computes 1x2
  %y = nn.reduce_min %x axes [2, 3] keepdims false : tensor<1x2x6x6xf32> -> tensor<1x2x1x1xf32>
  func.return
}

// -----

func.func @reduce_mixed(%x: tensor<1x2x6x6xf32>, %v: tensor<2x6x6xf32>, %q: tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.reduce_mean: operands must be all float or all quantized: input is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.reduce_mean %q axes [2, 3] keepdims true : tensor<1x2x6x6x!nn.q<ui8, 0.5, 0>> -> tensor<1x2x1x1xf32>
  func.return
}
