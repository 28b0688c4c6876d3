// RUN: kcc-opt %s -p 'lower-to-kmodel{version=3}' | filecheck %s
// RUN: kcc-opt %s -p 'lower-to-kmodel{version=3}' | kcc-opt | filecheck %s

// kmodel v3 has no pad layer and its runtime uploads a uint8 input to a KPU layer. The program starts with the
// loader (an identity 1x1 K210_CONV writing the image to the input's main-RAM offset 72), fills the output with
// the zero point (a REQUANTIZE whose table is all 3) and gathers the input rows into place with one CONCAT whose
// pad runs are copied from still-filled bytes further on.
// CHECK: builtin.module {
// CHECK-NEXT: kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 104 outputs [#kmodel.range<main, 0, 72, u8>] {
// CHECK-NEXT: kmodel.v3.k210_conv flags 1 main_out #kmodel.range<main, 72, 32, u8> layer_argument dense<{{.*}}> : tensor<12xui64> weights dense<[1, 0, 0, 1]> : tensor<4xui8> batch_norm {{.*}} input #kmodel.range<kpu, 0, {{[0-9]+}}, u8> output #kmodel.range<kpu, {{[0-9]+}}, {{[0-9]+}}, u8>
// CHECK-NEXT: kmodel.v3.requantize flags 1 input #kmodel.range<main, 0, 72, u8> output #kmodel.range<main, 0, 72, u8> count 72 table dense<3> : tensor<256xui8>
// CHECK-NEXT: kmodel.v3.concat flags 1 output #kmodel.range<main, 0, 65, u8> inputs [#kmodel.range<main, 7, 7, u8>, #kmodel.range<main, 72, 4, u8>, #kmodel.range<main, 13, 2, u8>, #kmodel.range<main, 76, 4, u8>, #kmodel.range<main, 19, 2, u8>, #kmodel.range<main, 80, 4, u8>, #kmodel.range<main, 25, 2, u8>, #kmodel.range<main, 84, 4, u8>, #kmodel.range<main, 43, 14, u8>, #kmodel.range<main, 88, 4, u8>, #kmodel.range<main, 49, 2, u8>, #kmodel.range<main, 92, 4, u8>, #kmodel.range<main, 55, 2, u8>, #kmodel.range<main, 96, 4, u8>, #kmodel.range<main, 61, 2, u8>, #kmodel.range<main, 100, 4, u8>]
// CHECK-NEXT: }
// CHECK-NEXT: }
builtin.module attributes {kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 104 : i64, main_peak = 104 : i64}} {
  func.func @pad(%x: tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>) -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 3>> attributes {kcc.arg_offsets = array<i64: 72>, kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 104 : i64, main_peak = 104 : i64}} {
    %p = nn.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode "constant" {kcc.offset = array<i64: 0>} : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x6x6x!nn.q<ui8, 0.5, 3>>
    func.return %p : tensor<1x2x6x6x!nn.q<ui8, 0.5, 3>>
  }
}
