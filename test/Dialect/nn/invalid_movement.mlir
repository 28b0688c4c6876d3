// RUN: kcc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @pad_bad_len(%x: tensor<1x3x4x5xf32>) {
  // CHECK: nn.pad: pads (begins then ends of 4 dims) must have 8 values, got 4: [1, 1, 1, 1]
  %y = nn.pad %x pads [1, 1, 1, 1] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x6x7xf32>
  func.return
}

// -----

func.func @pad_negative(%x: tensor<1x3x4x5xf32>) {
  // CHECK: nn.pad: pads must be non-negative, got [0, 0, -1, 0, 0, 0, 0, 0]
  %y = nn.pad %x pads [0, 0, -1, 0, 0, 0, 0, 0] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x3x5xf32>
  func.return
}

// -----

func.func @pad_bad_mode(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: mode must be one of 'constant', 'reflect', 'edge', 'symmetric', got 'wrap'
  %y = nn.pad %x pads [1, 1, 1, 1] mode "wrap" : tensor<4x5xf32> -> tensor<6x7xf32>
  func.return
}

// -----

func.func @pad_value_not_constant(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: a pad value is only allowed in 'constant' mode, got mode 'edge'
  %y = nn.pad %x pads [1, 1, 1, 1] mode "edge" value 1.0 : tensor<4x5xf32> -> tensor<6x7xf32>
  func.return
}

// -----

func.func @pad_reflect_too_far(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: reflect padding of dimension 1 (size 5) allows at most 4 per side, got 5 and 0
  %y = nn.pad %x pads [0, 5, 0, 0] mode "reflect" : tensor<4x5xf32> -> tensor<4x10xf32>
  func.return
}

// -----

func.func @pad_symmetric_too_far(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: symmetric padding of dimension 0 (size 4) allows at most 4 per side, got 5 and 0
  %y = nn.pad %x pads [5, 0, 0, 0] mode "symmetric" : tensor<4x5xf32> -> tensor<9x5xf32>
  func.return
}

// -----

func.func @pad_edge_empty(%x: tensor<0x5xf32>) {
  // CHECK: nn.pad: edge padding of dimension 0 needs a non-empty dimension, got size 0
  %y = nn.pad %x pads [1, 0, 0, 0] mode "edge" : tensor<0x5xf32> -> tensor<1x5xf32>
  func.return
}

// -----

func.func @pad_bad_result(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: result #0 has shape 6x6 but the op computes 6x7
  %y = nn.pad %x pads [1, 1, 1, 1] mode "constant" : tensor<4x5xf32> -> tensor<6x6xf32>
  func.return
}

// -----

func.func @pad_mixed(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: operands must be all float or all quantized: input is float (f32), result is quantized (!nn.q<ui8, 0.5, 0>)
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xf32> -> tensor<4x5x!nn.q<ui8, 0.5, 0>>
  func.return
}

// -----

func.func @pad_float_types(%x: tensor<4x5xf32>) {
  // CHECK: nn.pad: result element type f16 differs from input element type f32
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xf32> -> tensor<4x5xf16>
  func.return
}

// -----

func.func @pad_integer(%x: tensor<4x5xi32>) {
  // CHECK: nn.pad: input must be float or quantized, got i32
  %y = nn.pad %x pads [0, 0, 0, 0] mode "constant" : tensor<4x5xi32> -> tensor<4x5xi32>
  func.return
}

// -----

func.func @concat_empty() {
  // CHECK: nn.concat: needs at least one input
  %y = nn.concat axis 0 : () -> tensor<4xf32>
  func.return
}

// -----

func.func @concat_shapes(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x5xf32>) {
  // CHECK: nn.concat: input #1 shape 1x3x4x5 does not match input #0 shape 1x2x4x4 outside axis 1
  %y = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x5xf32>) -> tensor<1x5x4x4xf32>
  func.return
}

// -----

func.func @concat_rank(%a: tensor<2x4xf32>, %b: tensor<2x4x1xf32>) {
  // CHECK: nn.concat: input #1 shape 2x4x1 does not match input #0 shape 2x4 outside axis 0
  %y = nn.concat %a, %b axis 0 : (tensor<2x4xf32>, tensor<2x4x1xf32>) -> tensor<4x4xf32>
  func.return
}

// -----

func.func @concat_axis(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) {
  // CHECK: nn.concat: axis 2 is out of range for rank 2
  %y = nn.concat %a, %b axis 2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  func.return
}

// -----

func.func @concat_result(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) {
  // CHECK: nn.concat: result #0 has shape 4x4 but the op computes 2x8
  %y = nn.concat %a, %b axis 1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  func.return
}

// -----

func.func @concat_mixed(%a: tensor<2x4xf32>, %b: tensor<2x4x!nn.q<ui8, 0.5, 0>>) {
  // CHECK: nn.concat: operands must be all float or all quantized: input #0 is float (f32), input #1 is quantized (!nn.q<ui8, 0.5, 0>), result is float (f32)
  %y = nn.concat %a, %b axis 1 : (tensor<2x4xf32>, tensor<2x4x!nn.q<ui8, 0.5, 0>>) -> tensor<2x8xf32>
  func.return
}

// -----

func.func @split_count(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes (one per result) must have 2 values, got 3: [2, 2, 2]
  %y0, %y1 = nn.split %x axis 1 sizes [2, 2, 2] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x4xf32>
  func.return
}

// -----

func.func @split_sum(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes [2, 3] add up to 5 but dimension 1 is 6
  %y0, %y1 = nn.split %x axis 1 sizes [2, 3] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  func.return
}

// -----

func.func @split_zero(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: sizes must be positive, got [0, 6]
  %y0, %y1 = nn.split %x axis 1 sizes [0, 6] : tensor<2x6xf32> -> tensor<2x0xf32>, tensor<2x6xf32>
  func.return
}

// -----

func.func @split_result(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: result #1 has shape 2x3 but the op computes 2x4
  %y0, %y1 = nn.split %x axis 1 sizes [2, 4] : tensor<2x6xf32> -> tensor<2x2xf32>, tensor<2x3xf32>
  func.return
}

// -----

func.func @split_axis(%x: tensor<2x6xf32>) {
  // CHECK: nn.split: axis -3 is out of range for rank 2
  %y0 = nn.split %x axis -3 sizes [2] : tensor<2x6xf32> -> tensor<2x6xf32>
  func.return
}

// -----

func.func @reshape_count(%x: tensor<2x6xf32>) {
  // CHECK: nn.reshape: input 2x6 has 12 elements but result 13 has 13
  %y = nn.reshape %x : tensor<2x6xf32> -> tensor<13xf32>
  func.return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // CHECK: nn.transpose: perm [0, 2, 2] is not a permutation of 0..2
  %y = nn.transpose %x perm [0, 2, 2] : tensor<2x3x4xf32> -> tensor<2x4x4xf32>
  func.return
}

// -----

func.func @transpose_result(%x: tensor<2x3x4xf32>) {
  // CHECK: nn.transpose: result #0 has shape 3x4x2 but the op computes 4x2x3
  %y = nn.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  func.return
}

// -----

func.func @slice_len(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: starts must have 2 values, got 1: [0]
  %y = nn.slice %x starts [0] ends [4, 6] steps [1, 1] : tensor<4x6xf32> -> tensor<4x6xf32>
  func.return
}

// -----

func.func @slice_zero_step(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: step of dimension 1 must not be 0
  %y = nn.slice %x starts [0, 0] ends [4, 6] steps [1, 0] : tensor<4x6xf32> -> tensor<4x6xf32>
  func.return
}

// -----

func.func @slice_positive_bounds(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 1 (size 6) with step 2 needs 0 <= start < end <= 6, got start 2, end 7
  %y = nn.slice %x starts [0, 2] ends [4, 7] steps [1, 2] : tensor<4x6xf32> -> tensor<4x3xf32>
  func.return
}

// -----

func.func @slice_empty(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step 1 needs 0 <= start < end <= 4, got start 2, end 2
  %y = nn.slice %x starts [2, 0] ends [2, 6] steps [1, 1] : tensor<4x6xf32> -> tensor<0x6xf32>
  func.return
}

// -----

func.func @slice_negative_bounds(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step -1 needs -1 <= end < start <= 3, got start 4, end -1
  %y = nn.slice %x starts [4, 0] ends [-1, 6] steps [-1, 1] : tensor<4x6xf32> -> tensor<5x6xf32>
  func.return
}

// -----

func.func @slice_negative_end(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: dimension 0 (size 4) with step -1 needs -1 <= end < start <= 3, got start 3, end -2
  %y = nn.slice %x starts [3, 0] ends [-2, 6] steps [-1, 1] : tensor<4x6xf32> -> tensor<5x6xf32>
  func.return
}

// -----

func.func @slice_result(%x: tensor<4x6xf32>) {
  // CHECK: nn.slice: result #0 has shape 2x1 but the op computes 2x2
  %y = nn.slice %x starts [3, 0] ends [-1, 6] steps [-2, 4] : tensor<4x6xf32> -> tensor<2x1xf32>
  func.return
}

// -----

func.func @s2b_rank(%x: tensor<4x6x2xf32>) {
  // CHECK: nn.space_to_batch: input must have rank 4, got rank 3 (4x6x2)
  %y = nn.space_to_batch %x block [2, 2] pads [0, 0, 0, 0] : tensor<4x6x2xf32> -> tensor<4x6x2xf32>
  func.return
}

// -----

func.func @s2b_block(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: block must be positive, got [2, 0]
  %y = nn.space_to_batch %x block [2, 0] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @s2b_block_len(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: block must have 2 values, got 1: [2]
  %y = nn.space_to_batch %x block [2] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @s2b_pads(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: pads must be non-negative, got [0, -2, 0, 0]
  %y = nn.space_to_batch %x block [2, 2] pads [0, -2, 0, 0] : tensor<1x1x4x6xf32> -> tensor<4x1x2x2xf32>
  func.return
}

// -----

func.func @s2b_multiple(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: padded size 6x6 is not a multiple of block 2x4
  %y = nn.space_to_batch %x block [2, 4] pads [1, 0, 1, 0] : tensor<1x1x4x6xf32> -> tensor<8x1x3x1xf32>
  func.return
}

// -----

func.func @s2b_result(%x: tensor<1x1x4x6xf32>) {
  // CHECK: nn.space_to_batch: result #0 has shape 6x1x3x2 but the op computes 6x1x2x2
  %y = nn.space_to_batch %x block [2, 3] pads [0, 0, 0, 0] : tensor<1x1x4x6xf32> -> tensor<6x1x3x2xf32>
  func.return
}

// -----

func.func @b2s_batch(%x: tensor<6x1x4x6xf32>) {
  // CHECK: nn.batch_to_space: input batch 6 is not a multiple of block 2x2 = 4
  %y = nn.batch_to_space %x block [2, 2] crops [0, 0, 0, 0] : tensor<6x1x4x6xf32> -> tensor<1x1x8x12xf32>
  func.return
}

// -----

func.func @b2s_crops(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: crops [2, 0, 2, 0] leave nothing of the 4x6 rearranged input
  %y = nn.batch_to_space %x block [2, 2] crops [2, 0, 2, 0] : tensor<4x1x2x3xf32> -> tensor<1x1x0x6xf32>
  func.return
}

// -----

func.func @b2s_negative_crops(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: crops must be non-negative, got [0, 0, -1, 0]
  %y = nn.batch_to_space %x block [2, 2] crops [0, 0, -1, 0] : tensor<4x1x2x3xf32> -> tensor<1x1x5x6xf32>
  func.return
}

// -----

func.func @b2s_result(%x: tensor<4x1x2x3xf32>) {
  // CHECK: nn.batch_to_space: result #0 has shape 1x1x4x6 but the op computes 1x1x3x5
  %y = nn.batch_to_space %x block [2, 2] crops [1, 0, 0, 1] : tensor<4x1x2x3xf32> -> tensor<1x1x4x6xf32>
  func.return
}

// -----

func.func @d2s_channels(%x: tensor<1x6x2x2xf32>) {
  // CHECK: nn.depth_to_space: input channels 6 are not a multiple of block 2 squared = 4
  %y = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x6x2x2xf32> -> tensor<1x1x4x4xf32>
  func.return
}

// -----

func.func @d2s_mode(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: mode must be one of 'DCR', 'CRD', got 'RDC'
  %y = nn.depth_to_space %x block 2 mode "RDC" : tensor<1x8x2x2xf32> -> tensor<1x2x4x4xf32>
  func.return
}

// -----

func.func @d2s_block(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: block must be positive, got 0
  %y = nn.depth_to_space %x block 0 mode "DCR" : tensor<1x8x2x2xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @d2s_result(%x: tensor<1x8x2x2xf32>) {
  // CHECK: nn.depth_to_space: result #0 has shape 1x2x2x2 but the op computes 1x2x4x4
  %y = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x2x2xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @s2d_size(%x: tensor<1x2x4x5xf32>) {
  // CHECK: nn.space_to_depth: input size 4x5 is not a multiple of block 2
  %y = nn.space_to_depth %x block 2 : tensor<1x2x4x5xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @s2d_block(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.space_to_depth: block must be positive, got -2
  %y = nn.space_to_depth %x block -2 : tensor<1x2x4x4xf32> -> tensor<1x8x2x2xf32>
  func.return
}

// -----

func.func @s2d_result(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.space_to_depth: result #0 has shape 1x2x2x2 but the op computes 1x8x2x2
  %y = nn.space_to_depth %x block 2 : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  func.return
}

// -----

func.func @resize_mode(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: mode must be one of 'nearest', 'bilinear', got 'cubic'
  %y = nn.resize %x mode "cubic" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_coord(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: coordinate_transformation_mode must be one of 'half_pixel', 'align_corners', 'asymmetric', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', got 'tf_crop_and_resize'
  %y = nn.resize %x mode "nearest" coord "tf_crop_and_resize" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_nearest_mode(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: nearest_mode must be one of 'round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil', got 'round'
  %y = nn.resize %x mode "nearest" coord "half_pixel" nearest_mode "round" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_nearest_mode_bilinear(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: nearest_mode is only allowed in 'nearest' mode, got mode 'bilinear'
  %y = nn.resize %x mode "bilinear" coord "half_pixel" nearest_mode "floor" : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  func.return
}

// -----

func.func @resize_channels(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: resize keeps batch and channels: input has 1x2, result has 1x3
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<1x3x8x8xf32>
  func.return
}

// -----

func.func @resize_rank(%x: tensor<2x4x4xf32>) {
  // CHECK: nn.resize: input must have rank 4, got rank 3 (2x4x4)
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<2x4x4xf32> -> tensor<2x8x8xf32>
  func.return
}

// -----

func.func @resize_result_rank(%x: tensor<1x2x4x4xf32>) {
  // CHECK: nn.resize: result must have rank 4, got rank 3 (2x8x8)
  %y = nn.resize %x mode "nearest" coord "half_pixel" : tensor<1x2x4x4xf32> -> tensor<2x8x8xf32>
  func.return
}
