"""Small hand-built kmodel programs (v3 and v4) for the dialect tests."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, ModuleOp

from kcc.dialects.kmodel import ProgramOp, RangeAttr, v3, v4
from kcc.dialects.kmodel.fields import Field, dense_attr, int_attr, to_attr
from kcc.k210.layer_argument import make_layer_argument


def _i(v: int):
    return int_attr(v)


def _f(v: float):
    return to_attr(Field("x", "float"), v)


def v3_program() -> ModuleOp:
    """A 4x4 single-channel KPU 1x1 conv with a main-RAM copy, dequantized and added to itself."""
    arg = make_layer_argument(
        in_channels=1, out_channels=1, height=4, width=4, kernel=1, src_addr=0, dst_addr=4, send_data_out=True
    )
    conv = v3.K210ConvOp.create(
        properties={
            "flags": _i(1),
            "main_out": RangeAttr("main", 0, 16, "u8"),
            "layer_argument": dense_attr(np.array(arg.words(), dtype="<u8"), "<u8"),
            "weights": dense_attr(np.array([1], dtype="u1"), "u1"),
            "batch_norm": dense_attr(np.zeros(1, dtype="<u8"), "<u8"),
            "activation": dense_attr(np.zeros(18, dtype="<u8"), "<u8"),
            "input": RangeAttr("kpu", 0, 256, "u8"),
            "output": RangeAttr("kpu", 256, 256, "u8"),
        }
    )
    deq = v3.DequantizeOp.create(
        properties={
            "flags": _i(0),
            "input": RangeAttr("main", 0, 16, "u8"),
            "output": RangeAttr("main", 16, 64, "f32"),
            "count": _i(16),
            "scale": _f(0.5),
            "bias": _f(-1.0),
        }
    )
    add = v3.AddOp.create(
        properties={
            "flags": _i(0),
            "in_a": RangeAttr("main", 16, 64, "f32"),
            "in_b": RangeAttr("main", 16, 64, "f32"),
            "out": RangeAttr("main", 80, 64, "f32"),
            "count": _i(16),
        }
    )
    props = {
        "version": _i(3),
        "flags": _i(1),
        "arch": _i(0),
        "max_start_address": _i(0),
        "main_mem": _i(144),
        "outputs": ArrayAttr([RangeAttr("main", 80, 64, "f32")]),
    }
    return ModuleOp([ProgramOp(props, [conv, deq, add])])


def v4_program() -> ModuleOp:
    """x[1x1x1x4] f32 -> quantize -> dequantize -> binary add with a constant -> output."""
    q = v4.QuantizeOp.create(
        properties={
            "input": RangeAttr("main", 0, 16, "f32"),
            "output": RangeAttr("main", 16, 4, "u8"),
            "zero_point": _i(10),
            "scale": _f(4.0),
        }
    )
    dq = v4.DequantizeOp.create(
        properties={
            "input": RangeAttr("main", 16, 4, "u8"),
            "output": RangeAttr("main", 32, 16, "f32"),
            "zero_point": _i(10),
            "scale": _f(4.0),
        }
    )
    big = 3.4028234663852886e38
    add = v4.BinaryOp.create(
        properties={
            "in_a": RangeAttr("main", 32, 16, "f32"),
            "in_b": RangeAttr("const", 0, 16, "f32"),
            "out": RangeAttr("main", 48, 16, "f32"),
            "binary_op": _i(0),
            "a_shape": to_attr(Field("s", "ints"), (1, 1, 1, 4)),
            "b_shape": to_attr(Field("s", "ints"), (1, 1, 1, 4)),
            "out_shape": to_attr(Field("s", "ints"), (1, 1, 1, 4)),
            "fused_activation": to_attr(Field("a", "floats"), (-big, big)),
        }
    )
    props = {
        "version": _i(4),
        "flags": _i(0),
        "target": _i(1),
        "reserved0": _i(0),
        "main_mem": _i(64),
        "inputs": ArrayAttr([RangeAttr("main", 0, 16, "f32")]),
        "input_shapes": to_attr(Field("s", "shapes"), [(1, 1, 1, 4)]),
        "outputs": ArrayAttr([RangeAttr("main", 48, 16, "f32")]),
        "constants": dense_attr(np.array([1.0, 2.0, 3.0, 4.0], dtype="<f4").view("u1"), "u1"),
    }
    return ModuleOp([ProgramOp(props, [q, dq, add])])
