// RUN: kcc-opt %s -p 'calibrate{dataset="%inputs/calibrate" dataset-format=raw progress=false}' | filecheck %s
// RUN: kcc-opt %s -p 'calibrate{dataset="%inputs/calibrate" dataset-format=raw method=l2}' | filecheck %s --check-prefix=L2
// RUN: kcc-opt %s -p 'calibrate{dataset="%inputs/calibrate" dataset-format=raw method=kld}' | filecheck %s --check-prefix=L2
// RUN: not kcc-opt %s -p 'calibrate{dataset="%inputs/calibrate" dataset-format=raw method=minmax}' 2>&1 | filecheck %s --check-prefix=METHOD
// RUN: not kcc-opt %s -p 'calibrate{dataset="%inputs/no-such-dir" dataset-format=raw}' 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: not kcc-opt %s -p 'calibrate{dataset="%inputs/calibrate"}' 2>&1 | filecheck %s --check-prefix=NOIMAGES
// RUN: not kcc-opt %s -p calibrate 2>&1 | filecheck %s --check-prefix=NODATA

// test/inputs/calibrate holds two [1, 2, 2, 2] float32 samples:
//   sample0 = [-1.5, 0.25, 2.0, -0.5 | 1.0, 0.0, -2.0, 0.75], sample1 = [0.5, -3.0, 1.25, 0.0 | -0.25, 4.0, 0.125, -1.0]
// no_clip records the exact min/max over both samples: the input [-3, 4]; x * [0.5, -1] per channel [-4, 2];
// its channel 0 [-1.5, 1] and channel 1 [-4, 2] (one range per result of the split); relu [0, 2].
// The constant gets no range (its data is its range).

// CHECK:      func.func @main(%x: tensor<1x2x2x2xf32> {kcc.name = "input", kcc.range = array<f64: -3.000000e+00, 4.000000e+00>, kcc.minmax = array<f64: -3.000000e+00, 4.000000e+00>}) -> (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) {
// CHECK-NEXT:   %c = nn.const dense<{{.*}}> : tensor<1x2x1x1xf32>
// CHECK-NEXT:   %m = nn.mul %x, %c {kcc.ranges = [array<f64: -4.000000e+00, 2.000000e+00>], kcc.minmax = [array<f64: -4.000000e+00, 2.000000e+00>]} :
// CHECK-NEXT:   %s0, %s1 = nn.split %m axis 1 sizes [1, 1] {kcc.ranges = [array<f64: -1.500000e+00, 1.000000e+00>, array<f64: -4.000000e+00, 2.000000e+00>], kcc.minmax = [array<f64: -1.500000e+00, 1.000000e+00>, array<f64: -4.000000e+00, 2.000000e+00>]} :
// CHECK-NEXT:   %r = nn.relu %m {kcc.ranges = [array<f64: 0.000000e+00, 2.000000e+00>], kcc.minmax = [array<f64: 0.000000e+00, 2.000000e+00>]} :
// CHECK-NEXT:   func.return %r, %s1 : tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>

// l2 / kld choose ranges inside the observed min/max (kcc.minmax stays the observed one).
// L2:       %m = nn.mul %x, %c {kcc.ranges = [array<f64: {{[-0-9.e+]+}}, {{[-0-9.e+]+}}>], kcc.minmax = [array<f64: -4.000000e+00, 2.000000e+00>]} :

// METHOD: kcc-opt: error: calibration method 'minmax' is not one of no_clip, l2, kld
// MISSING: kcc-opt: error: dataset '{{.*}}no-such-dir' does not exist
// NOIMAGES: kcc-opt: error: dataset folder '{{.*}}calibrate' has no .bmp/.jpeg/.jpg/.png files (put calibration samples there (--dataset-format image))
// NODATA: kcc-opt: error: calibrate needs a dataset (pass dataset=DIR (a folder of images or .npy/.bin tensors))

func.func @main(%x: tensor<1x2x2x2xf32> {kcc.name = "input"}) -> (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) {
  %c = nn.const dense<[[[[0.5]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %m = nn.mul %x, %c : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %s0, %s1 = nn.split %m axis 1 sizes [1, 1] : tensor<1x2x2x2xf32> -> tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
  %r = nn.relu %m : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  return %r, %s1 : tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>
}
