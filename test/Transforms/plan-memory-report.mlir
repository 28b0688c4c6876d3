// RUN: kcc-opt %s -p 'plan-memory{report=true}' -o /dev/null 2>&1 | filecheck %s
// RUN: kcc-opt %s --plan-memory --report -o /dev/null 2>&1 | filecheck %s
// RUN: kcc-opt %s -p 'plan-memory{memory-map="%t.svg"}' -o /dev/null && filecheck %s --input-file=%t.svg --check-prefix=SVG
// RUN: kcc-opt %s -p 'plan-memory{memory-map="%t.png"}' -o /dev/null && %python -c "import sys; d = open(sys.argv[1], 'rb').read(8); sys.exit(d != b'\x89PNG\r\n\x1a\n')" %t.png
// RUN: not kcc-opt %s -p 'plan-memory{main-limit=2048}' 2>&1 | filecheck %s --check-prefix=MAIN

// The report: constants, then per pool the peak beside the lower bound and one row per buffer (aliases named).
// CHECK:      plan-memory @main: constants 592 bytes
// CHECK-NEXT: plan-memory main: peak 3072 bytes, lower bound 3072, first-fit 3072, first-fit optimal (first-fit meets the lower bound), 4 buffers
// CHECK-NEXT:   offset     size  live      value
// CHECK-NEXT:        0     1024  0-2       %x
// CHECK-NEXT:        0     2048  4-9       %cat (aliases %s, %t, %r, %r2)
// CHECK-NEXT:     1024     1024  2-3       %a
// CHECK-NEXT:     2048     1024  3-5       %c

// SVG: <svg xmlns="http://www.w3.org/2000/svg"
// SVG: main: peak 3072 bytes, lower bound 3072 (x: step, y: address)
// SVG: <title>%cat offset 0 size 2048 live 4-9</title>

// Over the main-RAM limit: the op at the peak, the values live there with their sizes, bytes over, what helps.
// MAIN: kcc-opt: error: nn.sigmoid (#4): main RAM needs 3072 bytes, 1024 over the 2048-byte limit; at the peak (%s) 2 values are live: %cat 2048 bytes, %c 1024 bytes (raise main-limit if the firmware leaves more RAM, or use a smaller input or fewer channels)
func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = nn.const dense<0.5> : tensor<4x4x3x3xf32>
  %b = nn.const dense<0.25> : tensor<4xf32>
  %a = nn.relu %x : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %c = nn.conv2d %a, %w, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %s = nn.sigmoid %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %t = nn.tanh %c : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %cat = nn.concat %s, %t axis 1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
  %r = nn.reshape %cat : tensor<1x8x8x8xf32> -> tensor<8x64xf32>
  %r2 = nn.reshape %r : tensor<8x64xf32> -> tensor<1x8x8x8xf32>
  func.return %r2 : tensor<1x8x8x8xf32>
}
