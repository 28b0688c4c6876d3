// RUN: kcc-opt %s | filecheck %s
// RUN: kcc-opt %s | kcc-opt | filecheck %s

// Float properties print as the shortest text that parses back; the non-finite values as inf, -inf and nan
// (a TFLite PADV2 with a -inf pad value, an unbounded clamp), so dumped IR always reads back.

// CHECK:      %p = nn.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value -inf : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
// CHECK-NEXT: %q = nn.pad %p pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value -1.5 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
// CHECK-NEXT: %r = nn.pad %q pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value inf : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
// CHECK-NEXT: %s = nn.pad %r pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value nan : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %p = nn.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" value -inf : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  %q = nn.pad %p pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value -1.5 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %r = nn.pad %q pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value inf : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %s = nn.pad %r pads [0, 0, 0, 0, 0, 0, 0, 0] mode "constant" value nan : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  func.return %s : tensor<1x1x4x4xf32>
}
