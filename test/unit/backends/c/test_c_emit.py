"""The generated text itself: deterministic, only the kernels used, the header's interface, the arenas sized by
the program, and one-line KccErrors naming the node for what cannot be emitted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from kmodel_dialect.all_ops import CASES
from kmodel_dialect.small_programs import v3_program, v4_program

from kcc.backends.c import emit_c, program_model
from kcc.backends.c.text import flt
from kcc.backends.kmodel_dialect import module_to_model
from kcc.backends.kmodel_v4 import format as f4
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.errors import KccError


def _case(name: str) -> KModelV4:
    m = module_to_model(next(c for c in CASES if c.name == name).module)
    assert isinstance(m, KModelV4)
    return m


def test_emission_is_deterministic_and_self_contained() -> None:
    a, b = emit_c(v4_program()), emit_c(v4_program())
    assert a == b
    src = a.source
    assert src.isascii() and '#include "' not in src  # model.c needs no header of ours
    # only the kernels the program calls: quantize, dequantize, binary (no KPU, no softmax)
    assert "kcc_quantize(" in src and "kcc_dequantize(" in src and "kcc_binary(" in src
    assert "kcc_kpu_conv2d" not in src and "kcc_softmax" not in src and "kcc_kpu[" not in src
    assert "static uint8_t kcc_main[64];" in src
    assert "static const uint8_t kcc_const[16]" in src
    assert "malloc" not in src


def test_header_declares_the_entry_and_shapes() -> None:
    h = emit_c(v4_program(), output_shapes=[(4,)]).header
    assert "int kcc_model_run(const float *in0, float *out0);" in h
    assert "#define KCC_MODEL_INPUT0_COUNT 4" in h and "#define KCC_MODEL_INPUT0_SHAPE {1, 1, 1, 4}" in h
    assert "#define KCC_MODEL_OUTPUT0_COUNT 4" in h and "#define KCC_MODEL_OUTPUT0_SHAPE {4}" in h
    assert h.startswith("/*") and "#ifndef KCC_MODEL_H" in h
    other = emit_c(v4_program(), prefix="net").header
    assert "int net_run(" in other and "#define NET_INPUTS 1" in other


def test_kpu_arena_covers_only_the_lines_used() -> None:
    src = emit_c(_case("v4.kpu_conv2d")).source
    # input map at line 0 (2 batches x 4 lines), output at line 8: bytes 0 .. 8*64 + the last output byte
    assert "static uint8_t kcc_kpu[" in src
    size = int(src.split("static uint8_t kcc_kpu[")[1].split("]")[0])
    assert 8 * 64 < size <= 16 * 64


def test_floats_are_exact_literals() -> None:
    assert flt(1.5) == "0x1.8000000000000p+0f"
    assert flt(-0.0) == "-0x0.0p+0f"
    assert flt(float("inf")) == "kcc_f32(0x7f800000u)"
    assert flt(1e-45) == f"{float(np.float32(1e-45)).hex()}f"  # subnormal


def test_a_v3_program_is_refused() -> None:
    with pytest.raises(KccError, match=r"kmodel v4 program, got version 3") as e:
        program_model(v3_program())
    assert "\n" not in str(e.value)


def test_nhwc_nodes_are_refused_naming_the_node() -> None:
    with pytest.raises(KccError, match=r"cpu_conv2d \(#0\): node kind cpu_conv2d \(opcode 0x1001\) has no C kernel"):
        emit_c(_case("v4.cpu_conv2d"))


def test_an_unprovable_kpu_layer_is_refused() -> None:
    """A BN multiplier that could push the layer beyond int64 (not what a quantizer writes) is an error."""
    m = _case("v4.kpu_conv2d")
    node = m.nodes[0]
    body = node.body
    assert isinstance(body, f4.KpuConv2dBody)
    bn = replace(body.bn)
    bn.norm_mul = np.full_like(bn.norm_mul, (1 << 23) - 1)
    bn.norm_add = bn.norm_add.copy()
    bn.norm_shift = np.zeros_like(bn.norm_shift)
    arg = body.arg.with_fields(arg_add=(1 << 39) - 1)
    big = replace(body, bn=bn, arg=arg)
    model = replace(m, nodes=(replace(node, body=big),))
    with pytest.raises(KccError, match=r"kpu_conv2d \(#0\): channel 0: .* may leave int64"):
        emit_c(model)


def test_a_node_reading_outside_its_range_is_refused() -> None:
    m = _case("v4.softmax")
    node = m.nodes[0]
    body = node.body
    assert isinstance(body, f4.SoftmaxBody)
    bad = replace(body, inner_size=body.inner_size * 4)
    with pytest.raises(KccError, match=r"softmax \(#0\): input needs .* bytes"):
        emit_c(replace(m, nodes=(replace(node, body=bad),)))
