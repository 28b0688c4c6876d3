"""One hand-built kmodel program per op of both versions (every v3 layer type, every v4 opcode), with the
input it runs on and the expected outputs computed in numpy straight from the specs
(`k210-kpu-and-kmodel-v3.md` §3 and §5.6, `kmodel-v4-and-nncase-0.2.md` §2-§3).

A case's `expect` is a list of expected outputs (one per program output), a callable checking the whole
`SimResult` (ops writing KPU RAM), or a `str`: the op is not simulated and `simulate` must raise a
`KccError` matching it.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, DenseIntOrFPElementsAttr, ModuleOp

from kcc.dialects.kmodel import ProgramOp, RangeAttr, v3, v4
from kcc.dialects.kmodel.fields import Field, dense_attr, to_attr
from kcc.dialects.kmodel.program import NodeOp
from kcc.k210.layer_argument import make_layer_argument
from kcc.sim import SimResult

F32MAX = 3.4028234663852886e38
NO_ACT = (-F32MAX, F32MAX)
ESIZE = {"f32": 4, "u8": 1}
ELEM = {np.dtype("u1"): "u1", np.dtype("<u2"): "<u2", np.dtype("<u8"): "<u8", np.dtype("<i4"): "<i4", np.dtype("<f4"): "<f4"}


@dataclass
class Case:
    name: str
    module: ModuleOp
    inputs: list[np.ndarray]
    expect: list[np.ndarray] | Callable[[SimResult], None] | str
    exact: bool = False  # integer results: bit-exact; float results: rtol 1e-6


CASES: list[Case] = []


def case(name: str, module: ModuleOp, inputs: list[np.ndarray], expect: Any, exact: bool = False) -> None:
    CASES.append(Case(name, module, inputs, expect, exact))


# ---------------------------------------------------------------------------------------------- building


def main(start: int, count: int, dt: str) -> RangeAttr:
    return RangeAttr("main", start, count * ESIZE[dt], dt)


def const(start: int, count: int, dt: str) -> RangeAttr:
    return RangeAttr("const", start, count * ESIZE[dt], dt)


def node(cls: type[NodeOp], **values: Any) -> NodeOp:
    """`cls` with one property per keyword, converted by the field's kind (numpy arrays -> dense)."""
    props = {}
    for f in cls.FIELDS:
        if f.prop not in values:
            continue
        v = values.pop(f.prop)
        if f.kind == "dense" and not isinstance(v, DenseIntOrFPElementsAttr):
            arr = np.asarray(v)
            v = dense_attr(arr, f.elem or ELEM[arr.dtype])
        props[f.prop] = to_attr(f, v)
    assert not values, f"{cls.name}: unknown fields {sorted(values)}"
    return cls.create(properties=props)


def program3(layers: list[NodeOp], main_mem: int, outputs: list[RangeAttr], max_start: int = 0) -> ModuleOp:
    props = {
        "version": to_attr(Field("x", "int"), 3),
        "flags": to_attr(Field("x", "int"), 1),
        "arch": to_attr(Field("x", "int"), 0),
        "max_start_address": to_attr(Field("x", "int"), max_start),
        "main_mem": to_attr(Field("x", "int"), main_mem),
        "outputs": ArrayAttr(outputs),
    }
    return ModuleOp([ProgramOp(props, layers)])


def program4(
    nodes: list[NodeOp],
    main_mem: int,
    inputs: list[tuple[RangeAttr, tuple[int, int, int, int]]],
    outputs: list[RangeAttr],
    constants: bytes = b"",
) -> ModuleOp:
    props = {
        "version": to_attr(Field("x", "int"), 4),
        "flags": to_attr(Field("x", "int"), 0),
        "target": to_attr(Field("x", "int"), 1),
        "reserved0": to_attr(Field("x", "int"), 0),
        "main_mem": to_attr(Field("x", "int"), main_mem),
        "inputs": ArrayAttr([r for r, _ in inputs]),
        "input_shapes": to_attr(Field("x", "shapes"), [s for _, s in inputs]),
        "outputs": ArrayAttr(outputs),
    }
    if constants:
        props["constants"] = dense_attr(np.frombuffer(constants, dtype="u1"), "u1")
    return ModuleOp([ProgramOp(props, nodes)])


def copy3(src: int, dst: int, count: int, dt: str) -> NodeOp:
    """A v3 layer that copies `count` values (a 1x1xN flatten): lets a program take one input holding several
    operands."""
    cls = v3.TensorflowFlattenOp if dt == "f32" else v3.QuantizedTensorflowFlattenOp
    return node(cls, flags=0, input=main(src, count, dt), output=main(dst, count, dt), width=count, height=1, channels=1)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def f32(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


# ---------------------------------------------------------------------------------------------- spec helpers


def sdk_carry_shift(v: int, s: int) -> int:
    """v3 §3.5 SDK `kpu_carry_shift`: shift by s-1; if the remaining LSB is 1 round up (negative: floor, minus 1)."""
    if s <= 0:
        return v
    v >>= s - 1
    if v & 1:
        return (v >> 1) - 1 if v < 0 else (v >> 1) + 1
    return v >> 1


def carry_shift(v: int, s: int) -> int:
    """v4 §2.3: (v + 2^(s-1)) >> s for s > 0, s narrowed to u8."""
    s &= 0xFF
    return v if s == 0 else (v + (1 << (s - 1))) >> s


def mcs(x: int, m: int, s: int) -> int:
    """v4 §2.3 mul_and_carry_shift, narrowed to int32."""
    r = carry_shift(x * m, s)
    return (r + (1 << 31)) % (1 << 32) - (1 << 31)


def c_div(a: int, b: int) -> int:
    """C integer division (truncation toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def roundf(x: np.ndarray) -> np.ndarray:
    """C roundf: half away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def kpu_layout(w: int) -> tuple[int, int, int]:
    """(groups, row_len, row_pitch) of a KPU map of width w (v4 spec §3.2)."""
    if w <= 16:
        return 4, 1, 16
    if w <= 32:
        return 2, 1, 32
    return 1, -(-w // 64), 64


def kpu_offset(c: int, y: int, x: int, h: int, w: int) -> int:
    """Byte of (c, y, x) in one batch of a KPU map: (c div g)·row_len·H·64 + (c mod g)·pitch + y·row_len·64 + x."""
    g, row_len, pitch = kpu_layout(w)
    return (c // g) * row_len * h * 64 + (c % g) * pitch + y * row_len * 64 + x


def kpu_bytes(c: int, h: int, w: int) -> int:
    g, row_len, _ = kpu_layout(w)
    return -(-c // g) * row_len * h * 64


def bn_words(mul: list[int], add: list[int], shift: list[int]) -> np.ndarray:
    """v3 §2.1: norm_mul bits 0-23, norm_add bits 24-55, norm_shift bits 56-59."""
    return np.array(
        [(m & 0xFFFFFF) | ((a & 0xFFFFFFFF) << 24) | (s << 56) for m, a, s in zip(mul, add, shift, strict=True)], dtype="<u8"
    )


def act_words(segments: list[tuple[int, int, int, int]]) -> np.ndarray:
    """v3 §2.2: 16 segment words (shift bits 0-7, y_mul bits 8-23, x_start bits 24-59) + two bias words.
    `segments` = (start, mul, shift, bias); unlisted segments repeat the last one."""
    segs = segments + [segments[-1]] * (16 - len(segments))
    words = [(sh & 0xFF) | ((m & 0xFFFF) << 8) | ((st & (2**36 - 1)) << 24) for st, m, sh, _ in segs]
    biases = [b for *_, b in segs]
    words += [int.from_bytes(bytes(biases[:8]), "little"), int.from_bytes(bytes(biases[8:]), "little")]
    return np.array(words, dtype="<u8")


# The KPU test layer: 1x1 conv, ALU = Σ_i w[o][i]·x_i (arg_x = arg_w = arg_add = 0), BN t = (ALU·1 >> 1) + 5,
# activation identity for t > 0 (segment 0: start -2^35, mul 0; segment 1: start 0, mul 1, shift 0, bias 0).
KPU_W = np.array([[1, 2], [0, 3]], dtype=np.uint8)
KPU_BN = bn_words([1, 1], [5, 5], [1, 1])
KPU_ACT = act_words([(-(2**35), 0, 0, 0), (0, 1, 0, 0)])


def kpu_reference(x: np.ndarray) -> np.ndarray:
    """x [2, H, W] u8 -> the test layer's output [2, H, W] (v3 §3.3-§3.5)."""
    alu = np.einsum("oi,ihw->ohw", KPU_W.astype(np.int64), x.astype(np.int64))
    return np.clip((alu >> 1) + 5, 0, 255).astype(np.uint8)


def pool_reference(x: np.ndarray, oh: int, ow: int, k: int, s: int, p: int, mode: str) -> np.ndarray:
    """Windows clipped to the input (origin o·stride - pad); 'max' (initial `init`), 'mean'/'floor_mean' (valid taps)."""
    c, h, w = x.shape
    out = np.zeros((c, oh, ow), dtype=np.float64)
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                y0, x0 = i * s - p, j * s - p
                taps = [x[ch, y, xx] for y in range(y0, y0 + k) for xx in range(x0, x0 + k) if 0 <= y < h and 0 <= xx < w]
                if mode == "max":
                    out[ch, i, j] = max(taps)
                elif mode == "qmax":
                    out[ch, i, j] = max([0, *taps])
                elif mode == "floor_mean":
                    out[ch, i, j] = sum(int(t) for t in taps) // len(taps)
                else:
                    acc = np.float32(0)
                    for t in taps:
                        acc = np.float32(acc + np.float32(t))
                    out[ch, i, j] = acc / np.float32(len(taps))
    return out


# ====================================================================================================== v3

_x = rng(3).standard_normal(8).astype(np.float32)
case(
    "v3.add",
    program3(
        [
            copy3(0, 32, 8, "f32"),
            node(v3.AddOp, flags=0, in_a=main(32, 4, "f32"), in_b=main(48, 4, "f32"), out=main(64, 4, "f32"), count=4),
        ],
        80,
        [main(64, 4, "f32")],
    ),
    [_x],
    [_x[:4] + _x[4:]],
)

for _tag, _shifts in (("", (14, 14)), ("_unequal_shifts", (13, 15))):
    _q = rng(4).integers(0, 256, 16).astype(np.uint8)
    _p = {
        "a_offset": -12,
        "a_mul": 23170,
        "a_shift": _shifts[0],
        "b_offset": -128,
        "b_mul": 16384,
        "b_shift": _shifts[1],
        "out_offset": 7,
        "out_mul": 20000,
        "out_shift": 15,
    }
    _ref = []
    for a, b in zip(_q[:8].tolist(), _q[8:].tolist(), strict=True):
        a2, b2 = (a + _p["a_offset"]) * _p["a_mul"], (b + _p["b_offset"]) * _p["b_mul"]
        v = a2 + b2 >> _p["a_shift"] if _p["a_shift"] == _p["b_shift"] else (a2 >> _p["a_shift"]) + (b2 >> _p["b_shift"])
        _ref.append(min(max(sdk_carry_shift(v * _p["out_mul"], _p["out_shift"]) + _p["out_offset"], 0), 255))
    case(
        "v3.quantized_add" + _tag,
        program3(
            [
                copy3(0, 16, 16, "u8"),
                node(
                    v3.QuantizedAddOp,
                    flags=1,
                    in_a=main(16, 8, "u8"),
                    in_b=main(24, 8, "u8"),
                    out=main(32, 8, "u8"),
                    count=8,
                    **_p,
                ),
            ],
            40,
            [main(32, 8, "u8")],
        ),
        [_q],
        [np.array(_ref, dtype=np.uint8)],
        exact=True,
    )

for _cls, _dt in (
    (v3.GlobalMaxPool2dOp, "f32"),
    (v3.QuantizedGlobalMaxPool2dOp, "u8"),
    (v3.GlobalAveragePool2dOp, "f32"),
    (v3.QuantizedGlobalAveragePool2dOp, "u8"),
):
    _g = (
        rng(5).standard_normal((3, 6)).astype(np.float32) * 4
        if _dt == "f32"
        else rng(5).integers(0, 256, (3, 6)).astype(np.uint8)
    )
    if "max" in _cls.name:
        _ref = _g.max(axis=1)
    elif _dt == "u8":
        _ref = (_g.astype(np.int64).sum(axis=1) // 6).astype(np.uint8)  # Maix-EMC: floor(Σ / kernel_size)
    else:
        _ref = np.array([np.float32(sum(_g[c].astype(np.float64))) / np.float32(6) for c in range(3)], dtype=np.float32)
    e = ESIZE[_dt]
    case(
        _cls.name.removeprefix("kmodel."),
        program3(
            [node(_cls, flags=1, input=main(0, 18, _dt), output=main(18 * e, 3, _dt), kernel_size=6, channels=3)],
            21 * e + (-21 * e) % 8,
            [main(18 * e, 3, _dt)],
        ),
        [_g.reshape(-1)],
        [_ref],
        exact=_dt == "u8" or "max" in _cls.name,
    )

for _cls, _dt, _mode, _act in (
    (v3.MaxPool2dOp, "f32", "max", 0),
    (v3.QuantizedMaxPool2dOp, "u8", "qmax", None),
    (v3.AveragePool2dOp, "f32", "mean", 2),  # spec §5.6: act is ignored by the runtime
    (v3.QuantizedAveragePool2dOp, "u8", "floor_mean", None),
):
    _px = (
        (rng(6).standard_normal((2, 5, 5)) * 8).astype(np.float32)
        if _dt == "f32"
        else rng(6).integers(0, 256, (2, 5, 5)).astype(np.uint8)
    )
    e = ESIZE[_dt]
    _f = dict(in_w=5, in_h=5, in_c=2, out_w=3, out_h=3, out_c=2, kernel_w=3, kernel_h=3, stride_w=2, stride_h=2, pad_w=1, pad_h=1)
    if _act is not None:
        _f["act"] = _act
    _ref = pool_reference(_px, 3, 3, 3, 2, 1, _mode).astype(np.float32 if _dt == "f32" else np.uint8)
    case(
        _cls.name.removeprefix("kmodel."),
        program3(
            [node(_cls, flags=1, input=main(0, 50, _dt), output=main(50 * e, 18, _dt), **_f)],
            68 * e + (-68 * e) % 8,
            [main(50 * e, 18, _dt)],
        ),
        [_px.reshape(-1)],
        [_ref.reshape(-1)],
        exact=_dt == "u8" or _mode == "max",
    )

# quantize: q = clamp(roundf((x - bias)·(1/scale)), 0, 255) in f32; 0.25 -> (0.25 + 1)·2 = 2.5 -> 3 (half away)
_x = f32([0.25, -1.0, -5.0, 0.0, 126.0, 127.25, 200.0, 3.7])
case(
    "v3.quantize",
    program3(
        [node(v3.QuantizeOp, flags=0, input=main(0, 8, "f32"), output=main(32, 8, "u8"), count=8, scale=0.5, bias=-1.0)],
        40,
        [main(32, 8, "u8")],
    ),
    [_x],
    [np.clip(roundf((_x - np.float32(-1.0)) * np.float32(2.0)), 0, 255).astype(np.uint8)],
    exact=True,
)
_q = np.array([0, 1, 17, 255], dtype=np.uint8)
case(
    "v3.dequantize",
    program3(
        [node(v3.DequantizeOp, flags=1, input=main(0, 4, "u8"), output=main(8, 4, "f32"), count=4, scale=0.0625, bias=-3.5)],
        24,
        [main(8, 4, "f32")],
    ),
    [_q],
    [(_q.astype(np.float32) * np.float32(0.0625) + np.float32(-3.5)).astype(np.float32)],
)
_table = ((np.arange(256) * 7 + 3) % 256).astype(np.uint8)
_q = np.array([0, 1, 2, 100, 254, 255, 9, 37], dtype=np.uint8)
case(
    "v3.requantize",
    program3(
        [node(v3.RequantizeOp, flags=1, input=main(0, 8, "u8"), output=main(8, 8, "u8"), count=8, table=_table)],
        16,
        [main(8, 8, "u8")],
    ),
    [_q],
    [_table[_q]],
    exact=True,
)

_x = f32([0.5, -1.5, 2.0, 3.25, -0.75])
_ch = {"flags": 1, "input": main(0, 5, "f32"), "output": main(24, 5, "f32"), "channels": 5}
case(
    "v3.l2_normalization",
    program3([node(v3.L2NormalizationOp, **_ch)], 48, [main(24, 5, "f32")]),
    [_x],
    [_x / np.sqrt(max(float((_x.astype(np.float64) ** 2).sum()), 1e-10))],
)
_xs = f32([-1.0, -2.5, -0.25, -3.0, -1.75])  # all negative: the runtime's max starts at FLT_MIN, harmless
case(
    "v3.softmax",
    program3([node(v3.SoftmaxOp, **_ch)], 48, [main(24, 5, "f32")]),
    [_xs],
    [np.exp(_xs - _xs.max()) / np.exp(_xs - _xs.max()).sum()],
)
case(
    "v3.logistic",
    program3([node(v3.LogisticOp, **_ch)], 48, [main(24, 5, "f32")]),
    [_x],
    [1 / (1 + np.exp(-_x.astype(np.float64)))],
)

_q = np.arange(1, 13, dtype=np.uint8)
for _cls in (v3.ConcatOp, v3.QuantizedConcatOp):
    case(
        _cls.name.removeprefix("kmodel."),
        program3(
            [
                copy3(0, 12, 12, "u8"),
                node(_cls, flags=1, output=main(24, 12, "u8"), inputs=[main(20, 4, "u8"), main(12, 8, "u8")]),
            ],
            40,
            [main(24, 12, "u8")],
        ),
        [_q],
        [np.concatenate([_q[8:], _q[:8]])],
        exact=True,
    )

_x = f32([1.0, -2.0, 0.5])
_w = f32([[0.5, 1.0, -1.0], [2.0, 0.25, 4.0]])
_b = f32([0.125, -0.5])
case(
    "v3.fully_connected",
    program3(
        [
            node(
                v3.FullyConnectedOp,
                flags=0,
                input=main(0, 3, "f32"),
                output=main(16, 2, "f32"),
                in_channels=3,
                out_channels=2,
                act=2,
                weights=_w,
                bias=_b,
            )
        ],
        24,
        [main(16, 2, "f32")],
    ),
    [_x],
    [np.clip(_w @ _x + _b, 0, 6)],
)

for _cls, _dt in ((v3.TensorflowFlattenOp, "f32"), (v3.QuantizedTensorflowFlattenOp, "u8")):
    _t = np.arange(12).reshape(2, 2, 3).astype(np.float32 if _dt == "f32" else np.uint8)
    e = ESIZE[_dt]
    case(
        _cls.name.removeprefix("kmodel."),
        program3(
            [node(_cls, flags=1, input=main(0, 12, _dt), output=main(12 * e, 12, _dt), width=3, height=2, channels=2)],
            24 * e,
            [main(12 * e, 12, _dt)],
        ),
        [_t.reshape(-1)],
        [_t.transpose(1, 2, 0).reshape(-1)],
        exact=True,
    )

for _cls, _dt in ((v3.ResizeNearestNeighborOp, "f32"), (v3.QuantizedResizeNearestNeighborOp, "u8")):
    _t = np.arange(12).reshape(2, 2, 3).astype(np.float32 if _dt == "f32" else np.uint8)  # C=2, H=2, W=3 -> 4x5
    _iy = [min(math.floor(o * (np.float32(2) / np.float32(4))), 1) for o in range(4)]
    _ix = [min(math.floor(np.float32(o) * (np.float32(3) / np.float32(5))), 2) for o in range(5)]
    e = ESIZE[_dt]
    case(
        _cls.name.removeprefix("kmodel."),
        program3(
            [
                node(
                    _cls,
                    flags=0,
                    input=main(0, 12, _dt),
                    output=main(16 * e, 40, _dt),
                    in_w=3,
                    in_h=2,
                    channels=2,
                    out_w=5,
                    out_h=4,
                    align_corners=1,
                )
            ],
            56 * e,
            [main(16 * e, 40, _dt)],
        ),
        [_t.reshape(-1)],
        [_t[:, _iy][:, :, _ix].reshape(-1)],
        exact=True,
    )

_q = np.array([0, 10, 255, 3, 4, 5], dtype=np.uint8)
_sc, _bi = f32([0.5, 0.03125]), f32([-2.0, 1.0])
case(
    "v3.channelwise_dequantize",
    program3(
        [
            node(
                v3.ChannelwiseDequantizeOp,
                flags=1,
                input=main(0, 6, "u8"),
                output=main(8, 6, "f32"),
                channels=2,
                channel_size=3,
                scales=_sc,
                biases=_bi,
            )
        ],
        32,
        [main(8, 6, "f32")],
    ),
    [_q],
    [(_q.reshape(2, 3) * _sc[:, None].astype(np.float64) + _bi[:, None]).reshape(-1)],
)

for _cls in (v3.InvalidOp, v3.QuantizedFullyConnectedOp):
    case(
        _cls.name.removeprefix("kmodel."),
        program3([copy3(0, 16, 4, "f32"), node(_cls, flags=0, data=np.arange(1, 13, dtype=np.uint8))], 32, [main(16, 4, "f32")]),
        [f32([1, 2, 3, 4])],
        "no runtime defines what this layer computes",
    )

# K210: a 2x4x4 1x1 KPU conv (input at line 0, output at line 4) with the dense copy in main RAM
_arg = make_layer_argument(in_channels=2, out_channels=2, height=4, width=4, kernel=1, src_addr=0, dst_addr=4, send_data_out=True)
_x = rng(7).integers(0, 100, (2, 4, 4)).astype(np.uint8)
case(
    "v3.k210_conv",
    program3(
        [
            node(
                v3.K210ConvOp,
                flags=1,
                main_out=main(0, 32, "u8"),
                layer_argument=np.array(_arg.words(), dtype="<u8"),
                weights=KPU_W.reshape(-1),
                batch_norm=KPU_BN,
                activation=KPU_ACT,
                input=RangeAttr("kpu", 0, kpu_bytes(2, 4, 4), "u8"),
                output=RangeAttr("kpu", 256, kpu_bytes(2, 4, 4), "u8"),
            )
        ],
        32,
        [main(0, 32, "u8")],
    ),
    [_x],
    [kpu_reference(_x).reshape(-1)],
    exact=True,
)


def _check_add_padding(res: SimResult) -> None:
    assert res.memory is not None
    got = [int(res.memory.kpu[5 * 64 + (c // 4) * 256 + (c % 4) * 16]) for c in range(6)]
    assert got == [11, 22, 33, 44, 55, 66]
    touched = np.zeros(res.memory.kpu.size, dtype=bool)
    touched[[5 * 64 + (c // 4) * 256 + (c % 4) * 16 for c in range(6)]] = True
    assert not res.memory.kpu[~touched].any()  # the other 15 pixels of each 4x4 map are not written


case(
    "v3.k210_add_padding",
    program3(
        [
            node(
                v3.K210AddPaddingOp,
                flags=1,
                input=main(0, 6, "u8"),
                output=RangeAttr("kpu", 320, kpu_bytes(6, 4, 4), "u8"),
                channels=6,
            )
        ],
        8,
        [main(0, 6, "u8")],
        max_start=5,
    ),
    [np.array([11, 22, 33, 44, 55, 66], dtype=np.uint8)],
    _check_add_padding,
)
_q = rng(8).integers(0, 256, 48).astype(np.uint8)
case(
    "v3.k210_remove_padding",
    program3(
        [node(v3.K210RemovePaddingOp, flags=1, input=main(0, 48, "u8"), output=main(48, 3, "u8"), channels=3)],
        56,
        [main(48, 3, "u8")],
    ),
    [_q],
    [_q[::16]],
    exact=True,
)


def _check_upload(c: int, h: int, w: int, line: int, x: np.ndarray) -> Callable[[SimResult], None]:
    def check(res: SimResult) -> None:
        assert res.memory is not None
        for ch in range(c):
            for y in range(h):
                for xx in range(w):
                    assert res.memory.kpu[line * 64 + kpu_offset(ch, y, xx, h, w)] == x[ch, y, xx]

    return check


for _h, _w in ((3, 5), (2, 20), (2, 70)):  # the three row layouts: 4 channels / 2 channels per line, 2 lines per row
    _x = rng(9).integers(1, 256, (3, _h, _w)).astype(np.uint8)
    n = _x.size
    case(
        f"v3.k210_upload_w{_w}",
        program3(
            [
                node(
                    v3.K210UploadOp,
                    flags=0,
                    input=main(0, n, "u8"),
                    output=RangeAttr("kpu", 128, kpu_bytes(3, _h, _w), "u8"),
                    width=_w,
                    height=_h,
                    channels=3,
                )
            ],
            n + (-n) % 8,
            [],  # v3 outputs carry no type: a main range no layer writes would read back as f32
            max_start=2,
        ),
        [_x.reshape(-1)],
        _check_upload(3, _h, _w, 2, _x),
    )


# ====================================================================================================== v4

S = tuple[int, int, int, int]


def binary_reference(op: str, a: np.ndarray, b: np.ndarray, out_shape: S) -> np.ndarray:
    """v4 §2.4 broadcasting: every output index clamped to 0 where it is beyond the input's extent."""
    idx = np.indices(out_shape)
    ia = tuple(np.where(g < n, g, 0) for g, n in zip(idx, a.shape, strict=True))
    ib = tuple(np.where(g < n, g, 0) for g, n in zip(idx, b.shape, strict=True))
    fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "min": np.minimum, "max": np.maximum}[op]
    return fn(a[ia], b[ib])


_a = (rng(10).standard_normal((1, 2, 2, 3)) * 3).astype(np.float32)
_b = (rng(11).standard_normal((1, 2, 1, 3)) + 2).astype(np.float32)
for _i, _op in enumerate(v4.BINARY_OPS):
    _act = (-4.0, 5.5) if _op in ("mul", "div") else NO_ACT
    case(
        f"v4.binary_{_op}",
        program4(
            [
                node(
                    v4.BinaryOp,
                    in_a=main(0, 12, "f32"),
                    in_b=main(48, 6, "f32"),
                    out=main(72, 12, "f32"),
                    binary_op=_i,
                    a_shape=(1, 2, 2, 3),
                    b_shape=(1, 2, 1, 3),
                    out_shape=(1, 2, 2, 3),
                    fused_activation=_act,
                )
            ],
            120,
            [(main(0, 12, "f32"), (1, 2, 2, 3)), (main(48, 6, "f32"), (1, 2, 1, 3))],
            [main(72, 12, "f32")],
        ),
        [_a, _b],
        [np.clip(binary_reference(_op, _a, _b, (1, 2, 2, 3)), *_act).reshape(-1)],
    )

_qa = rng(12).integers(0, 256, (1, 1, 2, 4)).astype(np.uint8)
_qa[0, 0, 0, 0] = 50  # A = -75 and B = -151: C's B/2 = -75 (not -76) decides (A + B/2) / B = 0
_qb = np.array([[[[7, 120, 250, 128]]]], dtype=np.uint8)  # b = 128: B = 0 (replaced for div, which traps on 0)
_qp = {
    "a_offset": -100,
    "a_mul": 3,
    "a_shift": 1,
    "b_offset": -128,
    "b_mul": 5,
    "b_shift": 2,
    "out_offset": 30,
    "out_mul": 7,
    "out_shift": 3,
}
for _i, _op in enumerate(v4.BINARY_OPS):
    _qb_op = _qb.copy()
    if _op == "div":
        _qb_op[0, 0, 0, 3] = 131  # B = mcs(3·5, 2) = 4 (b = 128 would trap: division by zero)
    _ref = np.zeros((1, 1, 2, 4), dtype=np.uint8)
    for idx in np.ndindex(1, 1, 2, 4):
        A = mcs(int(_qa[idx]) + _qp["a_offset"], _qp["a_mul"], _qp["a_shift"])
        B = mcs(int(_qb_op[0, 0, 0, idx[3]]) + _qp["b_offset"], _qp["b_mul"], _qp["b_shift"])
        R = {"add": A + B, "sub": A - B, "mul": A * B, "min": min(A, B), "max": max(A, B)}.get(_op)
        if _op == "div":
            R = c_div(A + c_div(B, 2), B)
        _ref[idx] = min(max(mcs(R, _qp["out_mul"], _qp["out_shift"]) + _qp["out_offset"], 0), 255)
    case(
        f"v4.quantized_binary_{_op}",
        program4(
            [
                node(
                    v4.QuantizedBinaryOp,
                    in_a=main(0, 8, "u8"),
                    in_b=main(8, 4, "u8"),
                    out=main(16, 8, "u8"),
                    binary_op=_i,
                    a_shape=(1, 1, 2, 4),
                    b_shape=(1, 1, 1, 4),
                    out_shape=(1, 1, 2, 4),
                    **_qp,
                )
            ],
            24,
            [(main(0, 8, "u8"), (1, 1, 2, 4)), (main(8, 4, "u8"), (1, 1, 1, 4))],
            [main(16, 8, "u8")],
        ),
        [_qa, _qb_op],
        [_ref.reshape(-1)],
        exact=True,
    )

# concat along axis 1 of [2, 2, 3] and [2, 1, 3] f32: outer 2, inner 3·4 bytes, dims [2, 1]
_a = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
_b = -np.arange(6, dtype=np.float32).reshape(1, 2, 1, 3)
case(
    "v4.concat",
    program4(
        [
            node(
                v4.ConcatOp,
                out=main(72, 18, "f32"),
                inner_size=12,
                outer_size=2,
                inputs=[main(0, 12, "f32"), main(48, 6, "f32")],
                dims=[2, 1],
            )
        ],
        144,
        [(main(0, 12, "f32"), (1, 2, 2, 3)), (main(48, 6, "f32"), (1, 2, 1, 3))],
        [main(72, 18, "f32")],
    ),
    [_a, _b],
    [np.concatenate([_a[0], _b[0]], axis=1).reshape(-1)],
    exact=True,
)


def conv_reference(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    groups: int,
    pads: tuple[int, int, int, int],
    st: tuple[int, int],
    dil: tuple[int, int],
) -> np.ndarray:
    """v4 §2.4 conv2d: acc = bias + Σ in·w over in-bounds taps (zero padding), NCHW, one batch, float64."""
    _, h, wd = x.shape
    oc, icg, kh, kw = w.shape
    oh = (h + pads[0] + pads[1] - ((kh - 1) * dil[0] + 1)) // st[0] + 1
    ow = (wd + pads[2] + pads[3] - ((kw - 1) * dil[1] + 1)) // st[1] + 1
    xp = np.pad(x.astype(np.float64), ((0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    out = np.zeros((oc, oh, ow))
    ocg = oc // groups
    for o in range(oc):
        g = o // ocg
        for i in range(oh):
            for j in range(ow):
                win = xp[
                    g * icg : (g + 1) * icg,
                    i * st[0] : i * st[0] + (kh - 1) * dil[0] + 1 : dil[0],
                    j * st[1] : j * st[1] + (kw - 1) * dil[1] + 1 : dil[1],
                ]
                out[o, i, j] = (win * w[o]).sum() + b[o]
    return out


_x = rng(13).standard_normal((1, 4, 5, 6)).astype(np.float32)
_w = rng(14).standard_normal((6, 2, 3, 3)).astype(np.float32)
_b = rng(15).standard_normal(6).astype(np.float32)
_ref = conv_reference(_x[0], _w, _b, 2, (1, 2, 0, 1), (2, 1), (1, 2))  # out [6, 3, 3]
case(
    "v4.conv2d",
    program4(
        [
            node(
                v4.Conv2dOp,
                input=main(0, 120, "f32"),
                output=main(480, 54, "f32"),
                in_shape=(1, 4, 5, 6),
                groups=2,
                out_channels=6,
                padding_h=(1, 2),
                padding_w=(0, 1),
                window=(3, 3, 2, 1, 1, 2),
                fused_activation=(-1.5, 2.0),
                weights=_w.reshape(-1),
                bias=_b,
            )
        ],
        696,
        [(main(0, 120, "f32"), (1, 4, 5, 6))],
        [main(480, 54, "f32")],
    ),
    [_x],
    [np.clip(_ref, -1.5, 2.0).reshape(-1)],
)

_qx = rng(16).integers(0, 256, (1, 2, 4, 4)).astype(np.uint8)
_qw = rng(17).integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)
_qbias = np.array([1000, -2000, 0], dtype=np.int32)
_qi = {"input_offset": -120, "filter_offset": -131, "output_mul": 19, "output_shift": 14, "output_offset": 128}
# Σ over in-bounds taps only == padding (x + input_offset) with 0
_acc = conv_reference(
    (_qx[0].astype(np.int64) + _qi["input_offset"]).astype(np.float64),
    (_qw.astype(np.int64) + _qi["filter_offset"]).astype(np.float64),
    _qbias.astype(np.float64),
    1,
    (1, 1, 1, 1),
    (1, 1),
    (1, 1),
)
_ref = np.vectorize(lambda v: min(max(mcs(round(v), _qi["output_mul"], _qi["output_shift"]) + _qi["output_offset"], 0), 255))(
    _acc
)
case(
    "v4.quantized_conv2d",
    program4(
        [
            node(
                v4.QuantizedConv2dOp,
                input=main(0, 32, "u8"),
                output=main(32, 48, "u8"),
                in_shape=(1, 2, 4, 4),
                groups=1,
                out_channels=3,
                padding_h=(1, 1),
                padding_w=(1, 1),
                window=(3, 3, 1, 1, 1, 1),
                bias=_qbias,
                weights=_qw.reshape(-1),
                **_qi,
            )
        ],
        80,
        [(main(0, 32, "u8"), (1, 2, 4, 4))],
        [main(32, 48, "u8")],
    ),
    [_qx],
    [_ref.astype(np.uint8).reshape(-1)],
    exact=True,
)

# conv2d_transpose: scatter out[iy·sh - pad + dh·ky, ...] += in·w; the bias is read but never added
_x = rng(18).standard_normal((1, 2, 3, 3)).astype(np.float32)
_w = rng(19).standard_normal((4, 1, 3, 3)).astype(np.float32)  # groups 2: OC 4, IC/G 1
_ref = np.zeros((4, 5, 5))
for _o in range(4):
    for _iy in range(3):
        for _ix in range(3):
            for _ky in range(3):
                for _kx in range(3):
                    _oy, _ox = _iy * 2 - 1 + _ky, _ix * 2 - 1 + _kx
                    if 0 <= _oy < 5 and 0 <= _ox < 5:
                        _ref[_o, _oy, _ox] += float(_x[0, _o // 2, _iy, _ix]) * float(_w[_o, 0, _ky, _kx])
case(
    "v4.conv2d_transpose",
    program4(
        [
            node(
                v4.Conv2dTransposeOp,
                input=main(0, 18, "f32"),
                output=main(72, 100, "f32"),
                in_shape=(1, 2, 3, 3),
                out_shape=(1, 4, 5, 5),
                groups=2,
                padding_h=(1, 1),
                padding_w=(1, 1),
                window=(3, 3, 2, 2, 1, 1),
                fused_activation=NO_ACT,
                weights=_w.reshape(-1),
                bias=f32([100, 200, 300, 400]),
            )
        ],
        472,
        [(main(0, 18, "f32"), (1, 2, 3, 3))],
        [main(72, 100, "f32")],
    ),
    [_x],
    [_ref.reshape(-1)],
)

_x = f32([0.125, -0.375, 10.0, 70.0, -70.0, 0.625, 1.0, 2.0]).reshape(1, 1, 1, 8)  # ties at .5 round away
case(
    "v4.quantize",
    program4(
        [node(v4.QuantizeOp, input=main(0, 8, "f32"), output=main(32, 8, "u8"), zero_point=128, scale=4.0)],
        40,
        [(main(0, 8, "f32"), (1, 1, 1, 8))],
        [main(32, 8, "u8")],
    ),
    [_x],
    [np.clip(roundf(_x.reshape(-1) * np.float32(4.0) + np.float32(128)), 0, 255).astype(np.uint8)],
    exact=True,
)
_q = np.array([0, 127, 128, 255], dtype=np.uint8).reshape(1, 1, 1, 4)
case(
    "v4.dequantize",
    program4(
        [node(v4.DequantizeOp, input=main(0, 4, "u8"), output=main(8, 4, "f32"), zero_point=127, scale=8.0)],
        24,
        [(main(0, 4, "u8"), (1, 1, 1, 4))],
        [main(8, 4, "f32")],
    ),
    [_q],
    [(_q.reshape(-1).astype(np.float64) - 127) / 8.0],
)

_a = rng(20).standard_normal((1, 1, 3, 4)).astype(np.float32)
_bm = rng(21).standard_normal((4, 2)).astype(np.float32)
_bias = f32([0.5, -0.25])
case(
    "v4.matmul",
    program4(
        [
            node(
                v4.MatmulOp,
                in_a=main(0, 12, "f32"),
                in_b=const(0, 8, "f32"),
                out=main(48, 6, "f32"),
                a_rows=3,
                a_cols=4,
                b_cols=2,
                fused_activation=(-1.0, 1.0),
                bias=_bias,
            )
        ],
        72,
        [(main(0, 12, "f32"), (1, 1, 3, 4))],
        [main(48, 6, "f32")],
        _bm.tobytes(),
    ),
    [_a],
    [np.clip(_a.reshape(3, 4).astype(np.float64) @ _bm + _bias, -1, 1).reshape(-1)],
)
_qa = rng(22).integers(0, 256, (1, 1, 2, 3)).astype(np.uint8)
_qb = rng(23).integers(0, 256, (3, 4)).astype(np.uint8)
_qmi = {"a_offset": -128, "b_offset": -120, "out_mul": 45, "out_shift": 12, "out_offset": 100}
_qbias = np.array([0, 500, -500, 7], dtype=np.int32)
_acc = (_qa.reshape(2, 3).astype(np.int64) - 128) @ (_qb.astype(np.int64) - 120) + _qbias
case(
    "v4.quantized_matmul",
    program4(
        [
            node(
                v4.QuantizedMatmulOp,
                in_a=main(0, 6, "u8"),
                in_b=const(0, 12, "u8"),
                out=main(8, 8, "u8"),
                a_rows=2,
                a_cols=3,
                b_cols=4,
                bias=_qbias,
                **_qmi,
            )
        ],
        16,
        [(main(0, 6, "u8"), (1, 1, 2, 3))],
        [main(8, 8, "u8")],
        _qb.tobytes() + bytes(4),
    ),
    [_qa],
    [np.vectorize(lambda v: min(max(mcs(int(v), 45, 12) + 100, 0), 255))(_acc).astype(np.uint8).reshape(-1)],
    exact=True,
)

# pad: out[d] = in[d] + before + after, a negative count crops; the pad value is the scalar's storage bytes
_x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
_ref = np.full((2, 3, 5, 4), 1.5, dtype=np.float32)  # pads n (1, 0), h (1, 1), w (-1, 1)
_ref[1:, :2, 1:4, :3] = _x[:, :, :, 1:]
case(
    "v4.pad",
    program4(
        [
            node(
                v4.PadOp,
                input=main(0, 24, "f32"),
                output=main(96, 120, "f32"),
                in_shape=(1, 2, 3, 4),
                paddings=(1, 0, 0, 1, 1, 1, -1, 1),
                pad_type=0,
                pad_value=np.frombuffer(struct.pack("<f", 1.5), dtype=np.uint8),
            )
        ],
        576,
        [(main(0, 24, "f32"), (1, 2, 3, 4))],
        [main(96, 120, "f32")],
    ),
    [_x],
    [_ref.reshape(-1)],
    exact=True,
)

_x = (rng(24).standard_normal((1, 2, 3, 4)) * 3).astype(np.float32)
for _i, _op in enumerate(v4.REDUCE_OPS):
    _init = {"mean": 0.0, "min": 1.5, "max": -0.5, "sum": 2.0}[_op]
    _red = _x.astype(np.float64).sum(axis=(1, 2)) + _init
    if _op == "mean":
        _red = _red * (4 / 24)
    elif _op == "min":
        _red = np.minimum(_x.min(axis=(1, 2)), _init)
    elif _op == "max":
        _red = np.maximum(_x.max(axis=(1, 2)), _init)
    case(
        f"v4.reduce_{_op}",
        program4(
            [
                node(
                    v4.ReduceOp,
                    input=main(0, 24, "f32"),
                    output=main(96, 4, "f32"),
                    reduce_op=_i,
                    in_shape=(1, 2, 3, 4),
                    out_shape=(1, 1, 1, 4),
                    init_value=_init,
                )
            ],
            112,
            [(main(0, 24, "f32"), (1, 2, 3, 4))],
            [main(96, 4, "f32")],
        ),
        [_x],
        [_red.reshape(-1)],
    )

_x = (rng(25).standard_normal((1, 2, 4, 5)) * 3).astype(np.float32)
for _cls in (v4.ReduceWindow2dOp, v4.CpuReduceWindow2dOp):
    for _i, _op in enumerate(v4.REDUCE_OPS):
        _init = {"mean": 0.0, "min": 2.0, "max": -1.0, "sum": 0.75}[_op]
        _ref = np.zeros((2, 2, 3))
        for _c in range(2):
            for _oy in range(2):
                for _ox in range(3):
                    taps = [
                        float(_x[0, _c, y, xx])
                        for y in range(_oy * 2 - 1, _oy * 2 + 2)
                        for xx in range(_ox * 2 - 1, _ox * 2 + 2)
                        if 0 <= y < 4 and 0 <= xx < 5
                    ]
                    v = {
                        "mean": _init + sum(taps),
                        "sum": _init + sum(taps),
                        "min": min([_init, *taps]),
                        "max": max([_init, *taps]),
                    }[_op]
                    _ref[_c, _oy, _ox] = v / len(taps) if _op == "mean" else v
        nhwc = _cls is v4.CpuReduceWindow2dOp
        case(
            f"v4.{'cpu_' if nhwc else ''}reduce_window2d_{_op}",
            program4(
                [
                    node(
                        _cls,
                        input=main(0, 40, "f32"),
                        output=main(160, 12, "f32"),
                        reduce_op=_i,
                        in_shape=(1, 4, 5, 2) if nhwc else (1, 2, 4, 5),
                        padding_h=(1, 0),
                        padding_w=(1, 1),
                        window=(3, 3, 2, 2, 1, 1),
                        init_value=_init,
                        fused_activation=(-4.0, 4.0),
                    )
                ],
                208,
                [(main(0, 40, "f32"), (1, 4, 5, 2) if nhwc else (1, 2, 4, 5))],
                [main(160, 12, "f32")],
            ),
            [_x.transpose(0, 2, 3, 1) if nhwc else _x],
            "cpu_\\* NHWC kernels are never emitted" if nhwc else [np.clip(_ref, -4, 4).reshape(-1)],
        )
        if nhwc:
            break  # one NHWC case shows the clean error
case(
    "v4.reduce_window2d_dilated",
    program4(
        [
            node(
                v4.ReduceWindow2dOp,
                input=main(0, 40, "f32"),
                output=main(160, 2, "f32"),
                reduce_op=2,
                in_shape=(1, 2, 4, 5),
                padding_h=(0, 0),
                padding_w=(0, 0),
                window=(2, 2, 1, 1, 2, 2),
                init_value=-F32MAX,
                fused_activation=NO_ACT,
            )
        ],
        176,
        [(main(0, 40, "f32"), (1, 2, 4, 5))],
        [main(160, 2, "f32")],
    ),
    [_x],
    "dilated reduce_window2d is not simulated",
)

# memory_copy copies in.size / 4 float-sized elements: of a 6-byte range only 4 bytes arrive
case(
    "v4.memory_copy",
    program4(
        [node(v4.MemoryCopyOp, input=main(0, 6, "u8"), output=main(8, 8, "u8"))],
        16,
        [(main(0, 6, "u8"), (1, 1, 1, 6))],
        [main(8, 8, "u8")],
    ),
    [np.arange(1, 7, dtype=np.uint8).reshape(1, 1, 1, 6)],
    [np.array([1, 2, 3, 4, 0, 0, 0, 0], dtype=np.uint8)],
    exact=True,
)


def bilinear_reference(x: np.ndarray, oh: int, ow: int, align: bool) -> np.ndarray:
    """v4 §2.4: scale = in/out (align_corners and out > 1: (in-1)/(out-1)), y0 = floor(o·scale), y1 = min(y0+1, H-1)."""
    h, w = x.shape[-2:]
    out = np.zeros((*x.shape[:-2], oh, ow))
    sy = np.float32(h - 1) / np.float32(oh - 1) if align and oh > 1 else np.float32(h) / np.float32(oh)
    sx = np.float32(w - 1) / np.float32(ow - 1) if align and ow > 1 else np.float32(w) / np.float32(ow)
    for i in range(oh):
        y = float(np.float32(i) * sy)
        y0 = min(math.floor(y), h - 1)
        y1, fy = min(y0 + 1, h - 1), y - y0
        for j in range(ow):
            xx = float(np.float32(j) * sx)
            x0 = min(math.floor(xx), w - 1)
            x1, fx = min(x0 + 1, w - 1), xx - x0
            top = x[..., y0, x0] * (1 - fx) + x[..., y0, x1] * fx
            bot = x[..., y1, x0] * (1 - fx) + x[..., y1, x1] * fx
            out[..., i, j] = top * (1 - fy) + bot * fy
    return out


_xf = (rng(26).standard_normal((1, 2, 3, 4)) * 10).astype(np.float32)
_xq = rng(27).integers(0, 256, (1, 2, 3, 4)).astype(np.uint8)
for _name, _mode, _align, _dt, _x in (
    ("bilinear", 0, False, "f32", _xf),
    ("bilinear_align_corners_u8", 0, True, "u8", _xq),
    ("nearest", 1, False, "f32", _xf),
):
    if _mode == 1:
        _ref = _x[..., [min(math.floor(np.float32(i) * (np.float32(3) / np.float32(5))), 2) for i in range(5)], :][
            ..., [min(math.floor(np.float32(j) * (np.float32(4) / np.float32(7))), 3) for j in range(7)]
        ]
    else:
        _ref = bilinear_reference(_x.astype(np.float64), 5, 7, _align)
        if _dt == "u8":
            _ref = np.clip(np.trunc(_ref), 0, 255)  # truncation, no rounding
    e = ESIZE[_dt]
    case(
        f"v4.resize_image_{_name}",
        program4(
            [
                node(
                    v4.ResizeImageOp,
                    input=main(0, 24, _dt),
                    output=main(24 * e, 70, _dt),
                    in_shape=(1, 2, 3, 4),
                    out_h=5,
                    out_w=7,
                    mode=_mode,
                    align_corners=_align,
                )
            ],
            94 * e + (-94 * e) % 8,
            [(main(0, 24, _dt), (1, 2, 3, 4))],
            [main(24 * e, 70, _dt)],
        ),
        [_x],
        [_ref.reshape(-1)],
        exact=_dt == "u8" or _mode == 1,
    )

_x = rng(28).standard_normal((1, 1, 2, 3)).astype(np.float32) * 2
_e = np.exp((_x.reshape(2, 3) - _x.reshape(2, 3).max(axis=1, keepdims=True)) * 0.5)
case(
    "v4.softmax",
    program4(
        [node(v4.SoftmaxOp, input=main(0, 6, "f32"), output=main(24, 6, "f32"), inner_size=3, outer_size=2, beta=0.5)],
        48,
        [(main(0, 6, "f32"), (1, 1, 2, 3))],
        [main(24, 6, "f32")],
    ),
    [_x],
    [(_e / _e.sum(axis=1, keepdims=True)).reshape(-1)],
)

_x = np.arange(24, dtype=np.uint8).reshape(1, 2, 3, 4)
case(
    "v4.transpose",
    program4(
        [node(v4.TransposeOp, input=main(0, 24, "u8"), output=main(24, 24, "u8"), in_shape=(1, 2, 3, 4), perm=(0, 3, 1, 2))],
        48,
        [(main(0, 24, "u8"), (1, 2, 3, 4))],
        [main(24, 24, "u8")],
    ),
    [_x],
    [_x.transpose(0, 3, 1, 2).reshape(-1)],
    exact=True,
)
_x = np.arange(60, dtype=np.float32).reshape(1, 3, 4, 5)
case(
    "v4.strided_slice",
    program4(
        [
            node(
                v4.StridedSliceOp,
                input=main(0, 60, "f32"),
                output=main(240, 4, "f32"),
                in_shape=(1, 3, 4, 5),
                begin=(0, 2, 0, 4),
                end=(1, 0, 4, 0),
                strides=(1, -2, 3, -2),
                begin_mask=0,
                end_mask=0,
                ellipsis_mask=0,
                new_axis_mask=0,
                shrink_axis_mask=0,
            )
        ],
        256,
        [(main(0, 60, "f32"), (1, 3, 4, 5))],
        [main(240, 4, "f32")],
    ),
    [_x],
    # d = begin; stride > 0 ? d < end : d > end: channels [2], rows [0, 3], cols [4, 2] -> 1·1·2·2 = 4 values
    [_x[0, 2][np.ix_([0, 3], [4, 2])].reshape(-1)],
    exact=True,
)

_x = f32([0.5, 1.25, 2.0, 3.75]).reshape(1, 1, 1, 4)
# spec §2.4 unary, in unary_op_t order: fabs, ceil, cos, exp, floor, log, neg, 1/sqrtf, sin, x·x
_fns = [np.fabs, np.ceil, np.cos, np.exp, np.floor, np.log, np.negative, lambda v: 1 / np.sqrt(v), np.sin, lambda v: v * v]
case(
    "v4.unary",
    program4(
        [
            node(v4.UnaryOp, input=main(0, 4, "f32"), output=main(16 * (i + 1), 4, "f32"), unary_op=i)
            for i in range(len(v4.UNARY_OPS))
        ],
        176,
        [(main(0, 4, "f32"), (1, 1, 1, 4))],
        [main(16 * (i + 1), 4, "f32") for i in range(len(v4.UNARY_OPS))],
    ),
    [_x],
    [fn(_x.reshape(-1).astype(np.float64)) for fn in _fns],
)

# NNIL: 1/sqrt(x·x + 1) with dup/ldc_r4_1; clamp(x, 0, 6) with ldc_r4_0/ldc_r4; leaky relu; pop. Programs are padded
# with nops to a multiple of 8 bytes (the body runs to the node's 8-aligned end, as nncase writes it).
_c6 = struct.pack("<f", 6.0)
_prog = [
    bytes([0x03, 0x01, 0x42, 0x05, 0x40, 0x27, 0xA0, 0x00]),
    bytes([0x03, 0x04, 0x06]) + _c6 + bytes([0x80, 0xA0] + [0x00] * 7),
    bytes([0x03, 0x03, 0x06]) + struct.pack("<f", 0.125) + bytes([0x42, 0x45, 0x04, 0x02, 0xA0, 0x00, 0x00, 0x00, 0x00]),
]
_x = f32([-8.0, -0.5, 0.0, 3.0, 7.5, 1.0]).reshape(1, 1, 1, 6)
_xd = _x.reshape(-1).astype(np.float64)
case(
    "v4.nnil_unary_method",
    program4(
        [
            node(
                v4.NnilUnaryMethodOp,
                input=main(0, 6, "f32"),
                output=main(24 * (i + 1), 6, "f32"),
                code=np.frombuffer(p, np.uint8),
            )
            for i, p in enumerate(_prog)
        ],
        96,
        [(main(0, 6, "f32"), (1, 1, 1, 6))],
        [main(24 * (i + 1), 6, "f32") for i in range(3)],
    ),
    [_x],
    [1 / np.sqrt(_xd * _xd + 1), np.clip(_xd, 0, 6), np.maximum(_xd, _xd * 0.125)],
)

_table = ((np.arange(256) * 5 + 1) % 256).astype(np.uint8)
_q = np.array([0, 1, 51, 255, 128, 7], dtype=np.uint8).reshape(1, 1, 1, 6)
case(
    "v4.table_lookup1d",
    program4(
        [node(v4.TableLookup1dOp, input=main(0, 6, "u8"), table=const(0, 256, "u8"), output=main(8, 6, "u8"))],
        16,
        [(main(0, 6, "u8"), (1, 1, 1, 6))],
        [main(8, 6, "u8")],
        _table.tobytes(),
    ),
    [_q],
    [_table[_q.reshape(-1)]],
    exact=True,
)

# cpu_* NHWC convolutions: never emitted by ncc 0.2, round-trip only; the simulator refuses them
_x = rng(29).standard_normal((1, 3, 3, 2)).astype(np.float32)  # NHWC
_cpu = {
    "input": main(0, 18, "f32"),
    "in_shape": (1, 3, 3, 2),
    "padding_h": (0, 0),
    "padding_w": (0, 0),
    "window": (3, 3, 1, 1, 1, 1),
}
_qcpu = {
    **_cpu,
    "input": main(0, 18, "u8"),
    "input_offset": -128,
    "filter_offset": -128,
    "output_mul": 3,
    "output_shift": 8,
    "output_offset": 128,
}
for _cls, _fields in (
    (
        v4.CpuConv2dOp,
        {
            **_cpu,
            "output": main(72, 4, "f32"),
            "out_channels": 4,
            "fused_activation": NO_ACT,
            "weights": np.ones(72, np.float32),
            "bias": np.zeros(4, np.float32),
        },
    ),
    (
        v4.CpuDepthwiseConv2dOp,
        {
            **_cpu,
            "output": main(72, 2, "f32"),
            "fused_activation": (0.0, 6.0),
            "weights": np.ones(18, np.float32),
            "bias": f32([1, 2]),
        },
    ),
    (
        v4.CpuQuantizedConv2dOp,
        {
            **_qcpu,
            "output": main(24, 4, "u8"),
            "out_channels": 4,
            "weights": np.full(72, 129, np.uint8),
            "bias": np.arange(4, dtype=np.int32),
        },
    ),
    (
        v4.CpuQuantizedDepthwiseConv2dOp,
        {**_qcpu, "output": main(24, 2, "u8"), "weights": np.full(18, 127, np.uint8), "bias": np.array([-5, 5], dtype=np.int32)},
    ),
):
    _i = _fields["input"]
    _o = _fields["output"]
    case(
        _cls.name.removeprefix("kmodel."),
        program4([node(_cls, **_fields)], 96, [(_i, (1, 3, 3, 2))], [_o]),
        [_x if _i.element == "f32" else np.zeros((1, 3, 3, 2), np.uint8)],
        "cpu_\\* NHWC kernels are never emitted",
    )


def _check_kpu_upload(x: np.ndarray, line: int) -> Callable[[SimResult], None]:
    n, c, h, w = x.shape

    def check(res: SimResult) -> None:
        assert res.memory is not None
        for b in range(n):
            for ch in range(c):
                for y in range(h):
                    for xx in range(w):
                        assert res.memory.kpu[line * 64 + b * kpu_bytes(c, h, w) + kpu_offset(ch, y, xx, h, w)] == x[b, ch, y, xx]

    return check


for _w in (6, 24, 65):
    _x = rng(30).integers(1, 256, (2, 3, 2, _w)).astype(np.uint8)
    case(
        f"v4.kpu_upload_w{_w}",
        program4(
            [
                node(
                    v4.KpuUploadOp,
                    input=main(0, _x.size, "u8"),
                    output=RangeAttr("kpu", 192, 2 * kpu_bytes(3, 2, _w), "u8"),
                    in_shape=_x.shape,
                )
            ],
            _x.size + (-_x.size) % 8,
            [(main(0, _x.size, "u8"), _x.shape)],
            [main(0, _x.size, "u8")],
        ),
        [_x],
        _check_kpu_upload(_x, 3),
    )

# kpu_conv2d over 2 batches: input in KPU RAM at line 0, output at line 8, dense copy in main RAM. The three
# address fields of the file's layer argument hold the padding before BN, activation and weights.
_arg4 = make_layer_argument(
    in_channels=2, out_channels=2, height=4, width=4, kernel=1, src_addr=0, dst_addr=8, send_data_out=True
)
_arg4 = _arg4.with_fields(bwsx_base_addr=8, active_addr=16, para_start_addr=24)
_x = rng(31).integers(0, 120, (2, 2, 4, 4)).astype(np.uint8)
case(
    "v4.kpu_conv2d",
    program4(
        [
            node(
                v4.KpuConv2dOp,
                main_mem_output=main(0, 64, "u8"),
                batches=2,
                reserved=0,
                layer_argument=np.array(_arg4.words(), dtype="<u8"),
                batch_norm=KPU_BN,
                activation=KPU_ACT,
                weights=KPU_W.reshape(-1),
                input=RangeAttr("kpu", 0, 2 * kpu_bytes(2, 4, 4), "u8"),
                output=RangeAttr("kpu", 512, 2 * kpu_bytes(2, 4, 4), "u8"),
            )
        ],
        64,
        [(RangeAttr("kpu", 0, 2 * kpu_bytes(2, 4, 4), "u8"), (2, 2, 4, 4))],
        [main(0, 64, "u8")],
    ),
    [_x],
    [np.concatenate([kpu_reference(_x[0]).reshape(-1), kpu_reference(_x[1]).reshape(-1)])],
    exact=True,
)

__all__ = ["CASES", "Case"]
