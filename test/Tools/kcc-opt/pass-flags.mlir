// MLIR-style pass flags and -p pipelines give the same result; --print-ir-after-all dumps after each pass.
// RUN: kcc-opt %s --cse | filecheck %s
// RUN: kcc-opt %s -p cse | filecheck %s
// RUN: kcc-opt %s --cse --print-ir-after-all 2>&1 >/dev/null | filecheck %s --check-prefix=DUMP
// RUN: not kcc-opt %s -p no-such-pass 2>&1 | filecheck %s --check-prefix=BAD

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %r = nn.relu %x
// CHECK-NEXT:    %a = nn.add %r, %r
// CHECK-NEXT:    func.return %a

// DUMP: // -----// IR Dump After cse //----- //
// DUMP: nn.relu

// BAD: kcc-opt: error: Unrecognized passes: ['no-such-pass']
func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %r = nn.relu %x : tensor<1x2xf32> -> tensor<1x2xf32>
  %s = nn.relu %x : tensor<1x2xf32> -> tensor<1x2xf32>
  %a = nn.add %r, %s : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %a : tensor<1x2xf32>
}
