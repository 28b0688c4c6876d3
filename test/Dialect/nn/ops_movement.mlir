// RUN: kcc-opt %s --split-input-file | filecheck %s
// RUN: %roundtrip

// CHECK-LABEL: func.func @pad
// CHECK-NEXT:    %c = nn.pad %x pads [0, 0, 1, 0, 0, 0, 2, 1] mode "constant" value -1.5 : tensor<1x3x4x5xf32> -> tensor<1x3x7x6xf32>
// CHECK-NEXT:    %z = nn.pad %x pads [0, 0, 0, 0, 0, 0, 0, 3] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x4x8xf32>
// CHECK-NEXT:    %r = nn.pad %x pads [0, 0, 3, 1, 0, 0, 1, 4] mode "reflect" : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
// CHECK-NEXT:    %e = nn.pad %x pads [1, 0, 9, 0, 0, 0, 0, 9] mode "edge" : tensor<1x3x4x5xf32> -> tensor<2x3x13x14xf32>
// CHECK-NEXT:    %s = nn.pad %q pads [0, 0, 3, 1, 0, 0, 1, 3] mode "symmetric" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x7x7x!nn.q<ui8, 0.5, 128>>
// CHECK-NEXT:    %v = nn.pad %q pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value 0.123456789 : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x5x5x!nn.q<ui8, 0.25, 0>>
func.func @pad(%x: tensor<1x3x4x5xf32>, %q: tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>>) {
  %c = nn.pad %x pads [0, 0, 1, 0, 0, 0, 2, 1] mode "constant" value -1.5 : tensor<1x3x4x5xf32> -> tensor<1x3x7x6xf32>
  %z = nn.pad %x pads [0, 0, 0, 0, 0, 0, 0, 3] mode "constant" : tensor<1x3x4x5xf32> -> tensor<1x3x4x8xf32>
  %r = nn.pad %x pads [0, 0, 3, 1, 0, 0, 1, 4] mode "reflect" : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
  %e = nn.pad %x pads [1, 0, 9, 0, 0, 0, 0, 9] mode "edge" : tensor<1x3x4x5xf32> -> tensor<2x3x13x14xf32>
  %s = nn.pad %q pads [0, 0, 3, 1, 0, 0, 1, 3] mode "symmetric" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x7x7x!nn.q<ui8, 0.5, 128>>
  %v = nn.pad %q pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value 0.123456789 : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x5x5x!nn.q<ui8, 0.25, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-NEXT:    %c = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
// CHECK-NEXT:    %n = nn.concat %a, %a, %b axis -3 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x7x4x4xf32>
// CHECK-NEXT:    %q = nn.concat %p, %r axis 0 : (tensor<2x3x!nn.q<i8, 0.5, 0>>, tensor<1x3x!nn.q<i8, 0.25, -1>>) -> tensor<3x3x!nn.q<i8, 0.5, 0>>
func.func @concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>, %p: tensor<2x3x!nn.q<i8, 0.5, 0>>, %r: tensor<1x3x!nn.q<i8, 0.25, -1>>) {
  %c = nn.concat %a, %b axis 1 : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  %n = nn.concat %a, %a, %b axis -3 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x7x4x4xf32>
  %q = nn.concat %p, %r axis 0 : (tensor<2x3x!nn.q<i8, 0.5, 0>>, tensor<1x3x!nn.q<i8, 0.25, -1>>) -> tensor<3x3x!nn.q<i8, 0.5, 0>>
  func.return
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-NEXT:    %s0, %s1 = nn.split %x axis 1 sizes [1, 4] : tensor<1x5x4x4xf32> -> tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>
// CHECK-NEXT:    %t = nn.split %x axis -1 sizes [4] : tensor<1x5x4x4xf32> -> tensor<1x5x4x4xf32>
// CHECK-NEXT:    %u, %u_1, %u_2 = nn.split %x axis 2 sizes [1, 2, 1] : tensor<1x5x4x4xf32> -> tensor<1x5x1x4xf32>, tensor<1x5x2x4xf32>, tensor<1x5x1x4xf32>
func.func @split(%x: tensor<1x5x4x4xf32>) {
  %s0, %s1 = nn.split %x axis 1 sizes [1, 4] : tensor<1x5x4x4xf32> -> tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>
  %t = nn.split %x axis -1 sizes [4] : tensor<1x5x4x4xf32> -> tensor<1x5x4x4xf32>
  %u:3 = nn.split %x axis 2 sizes [1, 2, 1] : tensor<1x5x4x4xf32> -> tensor<1x5x1x4xf32>, tensor<1x5x2x4xf32>, tensor<1x5x1x4xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-NEXT:    %r = nn.reshape %x : tensor<1x8x4x6xf32> -> tensor<1x192xf32>
// CHECK-NEXT:    %q = nn.reshape %y : tensor<2x3x!nn.q<ui8, 0.1, 3>> -> tensor<6x!nn.q<ui8, 0.1, 3>>
func.func @reshape(%x: tensor<1x8x4x6xf32>, %y: tensor<2x3x!nn.q<ui8, 0.1, 3>>) {
  %r = nn.reshape %x : tensor<1x8x4x6xf32> -> tensor<1x192xf32>
  %q = nn.reshape %y : tensor<2x3x!nn.q<ui8, 0.1, 3>> -> tensor<6x!nn.q<ui8, 0.1, 3>>
  func.return
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-NEXT:    %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x8x4x6xf32> -> tensor<1x4x6x8xf32>
func.func @transpose(%x: tensor<1x8x4x6xf32>) {
  %t = nn.transpose %x perm [0, 2, 3, 1] : tensor<1x8x4x6xf32> -> tensor<1x4x6x8xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-NEXT:    %s = nn.slice %x starts [0, 1, 0, 2] ends [1, 7, 4, 6] steps [1, 1, 2, 3] : tensor<1x8x4x6xf32> -> tensor<1x6x2x2xf32>
// CHECK-NEXT:    %r = nn.slice %x starts [0, 7, 3, 5] ends [1, -1, 0, 0] steps [1, -2, -1, -4] : tensor<1x8x4x6xf32> -> tensor<1x4x3x2xf32>
func.func @slice(%x: tensor<1x8x4x6xf32>) {
  %s = nn.slice %x starts [0, 1, 0, 2] ends [1, 7, 4, 6] steps [1, 1, 2, 3] : tensor<1x8x4x6xf32> -> tensor<1x6x2x2xf32>
  %r = nn.slice %x starts [0, 7, 3, 5] ends [1, -1, 0, 0] steps [1, -2, -1, -4] : tensor<1x8x4x6xf32> -> tensor<1x4x3x2xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @space_batch
// CHECK-NEXT:    %sb = nn.space_to_batch %x block [2, 3] pads [1, 2, 1, 1] : tensor<1x8x4x6xf32> -> tensor<6x8x3x3xf32>
// CHECK-NEXT:    %bs = nn.batch_to_space %sb block [2, 3] crops [1, 2, 1, 1] : tensor<6x8x3x3xf32> -> tensor<1x8x4x6xf32>
func.func @space_batch(%x: tensor<1x8x4x6xf32>) {
  %sb = nn.space_to_batch %x block [2, 3] pads [1, 2, 1, 1] : tensor<1x8x4x6xf32> -> tensor<6x8x3x3xf32>
  %bs = nn.batch_to_space %sb block [2, 3] crops [1, 2, 1, 1] : tensor<6x8x3x3xf32> -> tensor<1x8x4x6xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @depth_space
// CHECK-NEXT:    %d = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
// CHECK-NEXT:    %c = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
// CHECK-NEXT:    %s = nn.space_to_depth %x block 2 : tensor<1x8x4x6xf32> -> tensor<1x32x2x3xf32>
func.func @depth_space(%x: tensor<1x8x4x6xf32>) {
  %d = nn.depth_to_space %x block 2 mode "DCR" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
  %c = nn.depth_to_space %x block 2 mode "CRD" : tensor<1x8x4x6xf32> -> tensor<1x2x8x12xf32>
  %s = nn.space_to_depth %x block 2 : tensor<1x8x4x6xf32> -> tensor<1x32x2x3xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @resize
// CHECK-NEXT:    %n = nn.resize %x mode "nearest" coord "asymmetric" nearest_mode "floor" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
// CHECK-NEXT:    %d = nn.resize %x mode "nearest" coord "tf_half_pixel_for_nn" : tensor<1x8x4x6xf32> -> tensor<1x8x3x5xf32>
// CHECK-NEXT:    %l = nn.resize %x mode "bilinear" coord "align_corners" : tensor<1x8x4x6xf32> -> tensor<1x8x7x11xf32>
// CHECK-NEXT:    %q = nn.resize %y mode "bilinear" coord "half_pixel" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 128>>
func.func @resize(%x: tensor<1x8x4x6xf32>, %y: tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>>) {
  %n = nn.resize %x mode "nearest" coord "asymmetric" nearest_mode "floor" : tensor<1x8x4x6xf32> -> tensor<1x8x8x12xf32>
  %d = nn.resize %x mode "nearest" coord "tf_half_pixel_for_nn" : tensor<1x8x4x6xf32> -> tensor<1x8x3x5xf32>
  %l = nn.resize %x mode "bilinear" coord "align_corners" : tensor<1x8x4x6xf32> -> tensor<1x8x7x11xf32>
  %q = nn.resize %y mode "bilinear" coord "half_pixel" : tensor<1x2x3x3x!nn.q<ui8, 0.5, 128>> -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 128>>
  func.return
}
