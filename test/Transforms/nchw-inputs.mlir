// RUN: kcc-opt %s --split-input-file -p nchw-inputs | filecheck %s
// RUN: kcc-opt %s --split-input-file --nchw-inputs | filecheck %s

// An NHWC input that only feeds the layout transpose becomes an NCHW input; the transpose goes.
// CHECK-LABEL: func.func @main
// CHECK-SAME:  (%x: tensor<1x3x4x5xf32> {kcc.name = "image", kcc.layout = "NCHW"}) -> tensor<1x3x4x5xf32>
// CHECK-NEXT:    %y = nn.relu %x : tensor<1x3x4x5xf32> -> tensor<1x3x4x5xf32>
// CHECK-NEXT:    func.return %y : tensor<1x3x4x5xf32>
func.func @main(%x: tensor<1x4x5x3xf32> {kcc.name = "image"}) -> tensor<1x3x4x5xf32> {
  %t = nn.transpose %x perm [0, 3, 1, 2] : tensor<1x4x5x3xf32> -> tensor<1x3x4x5xf32>
  %y = nn.relu %t : tensor<1x3x4x5xf32> -> tensor<1x3x4x5xf32>
  func.return %y : tensor<1x3x4x5xf32>
}

// -----

// An input with another user keeps its NHWC layout.
// CHECK-LABEL: func.func @main
// CHECK-SAME:  (%x: tensor<1x4x5x3xf32>) -> (tensor<1x3x4x5xf32>, tensor<1x4x5x3xf32>)
// CHECK-NEXT:    %t = nn.transpose %x perm [0, 3, 1, 2]
func.func @main(%x: tensor<1x4x5x3xf32>) -> (tensor<1x3x4x5xf32>, tensor<1x4x5x3xf32>) {
  %t = nn.transpose %x perm [0, 3, 1, 2] : tensor<1x4x5x3xf32> -> tensor<1x3x4x5xf32>
  %r = nn.relu %x : tensor<1x4x5x3xf32> -> tensor<1x4x5x3xf32>
  func.return %t, %r : tensor<1x3x4x5xf32>, tensor<1x4x5x3xf32>
}

// -----

// A transpose with another permutation is not the NHWC-to-NCHW one: nothing changes.
// CHECK-LABEL: func.func @main
// CHECK-SAME:  (%x: tensor<1x4x5x3xf32>) -> tensor<1x5x4x3xf32>
// CHECK-NEXT:    %t = nn.transpose %x perm [0, 2, 1, 3]
func.func @main(%x: tensor<1x4x5x3xf32>) -> tensor<1x5x4x3xf32> {
  %t = nn.transpose %x perm [0, 2, 1, 3] : tensor<1x4x5x3xf32> -> tensor<1x5x4x3xf32>
  func.return %t : tensor<1x5x4x3xf32>
}
