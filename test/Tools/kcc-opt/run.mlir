// RUN: %python -c "import numpy as np; np.save('%t.npy', np.arange(-4, 4, dtype=np.float32).reshape(1, 2, 2, 2))"
// RUN: kcc-opt %s --run --input %t.npy | filecheck %s
// RUN: kcc-opt %s --run=other --input %t.npy | filecheck %s --check-prefix=OTHER

// CHECK:      output 0: 1x2x2x2 float32
// CHECK-NEXT: {{\[\[\[\[}}0., 0.],
// CHECK-NEXT:    [0., 0.]],
// CHECK-EMPTY:
// CHECK-NEXT:   {{\[\[}}0., 2.],
// CHECK-NEXT:    [4., 6.]]]]
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %r = nn.relu %x : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %a = nn.add %r, %r : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %a : tensor<1x2x2x2xf32>
}

// OTHER:      output 0: 1x2x2x2 float32
// OTHER-NEXT: {{\[\[\[\[}}-8., -6.],
func.func @other(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %a = nn.add %x, %x : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %a : tensor<1x2x2x2xf32>
}
