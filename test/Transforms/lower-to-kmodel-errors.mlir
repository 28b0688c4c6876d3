// RUN: not kcc-opt %s -p 'lower-to-kmodel{version=3}' 2>&1 | filecheck %s --check-prefix=V3
// RUN: not kcc-opt %s -p 'lower-to-kmodel{version=5}' 2>&1 | filecheck %s --check-prefix=BAD
// RUN: kcc-opt %s -p 'lower-to-kmodel{version=4}' | filecheck %s --check-prefix=V4

// A uint8 pad on a 2x2 input: v3's runtime uploads a uint8 input to a KPU layer (kcc adds an identity K210_CONV
// as the loader when the first op is on the CPU), and the KPU takes maps of 4..256 rows; v4 pads with the zero
// point (3).
// V3: kcc-opt: error: nn.pad (#0): kmodel v3 uploads the input to a KPU layer: 2x2x2 is outside 1..1024 channels, 4..256 rows, 4..512 columns (use --kmodel-version 4)
// BAD: kcc-opt: error: lower-to-kmodel: kmodel version 5 is not 3 or 4 (version=3, version=4 or auto)
// V4:      kmodel.program version 4 flags 0 target 1 reserved0 0 main_mem 40 inputs [#kmodel.range<main, 32, 8, u8>] input_shapes {{\[\[}}1, 2, 2, 2]] outputs [#kmodel.range<main, 0, 32, u8>] {
// V4-NEXT:   kmodel.v4.pad input #kmodel.range<main, 32, 8, u8> output #kmodel.range<main, 0, 32, u8> in_shape [1, 2, 2, 2] paddings [0, 0, 0, 0, 0, 2, 0, 2] pad_type 1 pad_value dense<[3, 0, 0, 0]> : tensor<4xui8>
// V4-NEXT: }
builtin.module attributes {kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 40 : i64, main_peak = 40 : i64}} {
  func.func @pad(%x: tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>>) -> tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>> attributes {kcc.arg_offsets = array<i64: 32>, kcc.memory = {const = 0 : i64, kpu_lower_bound = 0 : i64, kpu_peak = 0 : i64, main_lower_bound = 40 : i64, main_peak = 40 : i64}} {
    %p = nn.pad %x pads [0, 0, 0, 0, 0, 0, 2, 2] mode "constant" {kcc.offset = array<i64: 0>} : tensor<1x2x2x2x!nn.q<ui8, 0.5, 3>> -> tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>
    func.return %p : tensor<1x2x4x4x!nn.q<ui8, 0.5, 3>>
  }
}

