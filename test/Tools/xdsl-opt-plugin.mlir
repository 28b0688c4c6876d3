// kcc registers an xdsl.universe plugin, so plain xdsl-opt knows the nn dialect too.
// RUN: xdsl-opt %s | filecheck %s

// CHECK: %r = nn.relu %x : tensor<2xf32> -> tensor<2xf32>
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %r = nn.relu %x : tensor<2xf32> -> tensor<2xf32>
  func.return %r : tensor<2xf32>
}
