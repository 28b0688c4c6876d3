"""kmodel v4 lowering of elementwise ops, average pools, nearest resizes and uint8 max/min reductions.

Exact by construction (each checked bit for bit on the simulator by `test/unit/backends/test_lower_v4_elementwise.py`):

* f32 `nn.add/sub/mul/div/minimum/maximum` (numpy broadcasting, rank <= 4) -> binary: the interpreter computes
  in float64 and rounds once, which for +, -, *, / of float32 operands is the float32 operation itself;
* f32 `nn.abs/neg/floor/ceil` -> unary (no rounding);
* f32 `nn.relu`, `nn.clamp`, `nn.leaky_relu` (0 < alpha a float32) -> an NNIL program: `max(x, 0)`;
  `min(max(x, f32(lo)), f32(hi))` (rounding is monotone, so clamping to the rounded bounds is the rounded
  clamp); `max(x, x·alpha)` (alpha <= 1) or `min(x, x·alpha)` (alpha > 1), one rounding of an exact product;
* `nn.resize` nearest -> resize_image nearest when the runtime's index maps equal nn's (`resize.py`);
* f32 `nn.avg_pool2d` (pads not counted) -> reduce_window2d mean: in-bounds taps summed in float32 in order,
  divided by their count (the interpreter sums in float64: equal whenever the float32 partial sums are exact,
  the float-accumulation caveat of conv2d / reduce in docs/compile.md);
* uint8 `nn.reduce_max/min` -> dequantize (zero point 0, scale 1) -> reduce -> quantize (scale 1): integers only.

Not exact, so a KccError naming the rule: exp, log, sqrt, rsqrt, tanh, sigmoid, hard_swish, hard_sigmoid, pow,
squared_difference, prelu (float64 transcendental / two-rounding formulas in nn), bilinear / bicubic resizes,
quantized binary ops and average pools (the quantize pass with a kmodel target keeps them in float).
"""

from __future__ import annotations

import struct
from math import prod

import numpy as np
from xdsl.ir import Operation

from kcc.backends.kmodel_lowering import Lowering, element_of, ints, quant_of, shape4, shape_of
from kcc.backends.kmodel_v4.resize import nearest_reason
from kcc.dialects.kmodel import v4
from kcc.dialects.nn.elementwise import (
    AbsOp,
    AddOp,
    CeilOp,
    ClampOp,
    DivOp,
    ExpOp,
    FloorOp,
    LeakyReluOp,
    LogOp,
    MaximumOp,
    MinimumOp,
    MulOp,
    NegOp,
    ReluOp,
    SigmoidOp,
    SubOp,
)
from kcc.dialects.nn.movement import ResizeOp
from kcc.dialects.nn.pool import AvgPool2dOp, ReduceMaxOp, ReduceMinOp

__all__ = ["BINARY_CODES", "INEXACT", "UNARY_CODES", "lower_elementwise", "nnil_code"]

INF = float("inf")
BINARY_CODES: dict[type[Operation], int] = {AddOp: 0, SubOp: 1, MulOp: 2, DivOp: 3, MinimumOp: 4, MaximumOp: 5}
UNARY_CODES: dict[type[Operation], int] = {AbsOp: 0, CeilOp: 1, ExpOp: 3, FloorOp: 4, LogOp: 5, NegOp: 6}
INEXACT = {
    "nn.sqrt": "sqrt",
    "nn.rsqrt": "rsqrt",
    "nn.tanh": "tanh",
    "nn.hard_swish": "x·relu6(x + 3)/6",
    "nn.hard_sigmoid": "clamp(alpha·x + beta)",
    "nn.pow": "pow",
    "nn.squared_difference": "(a - b)²",
}
"""f32 ops nn computes in float64 with one final rounding where a float32 runtime rounds after every step (or
uses its own transcendental): no kmodel v4 node reproduces them bit for bit. (exp, log and sigmoid are not here:
the interpreter, the simulator and the C backend share kcc's float32 exp/log, `kcc.interp.kernels.f32_math`.)"""

_NNIL = {
    "lda_0": 0x03,
    "ldc_r4_0": 0x04,
    "ldc_r4_1": 0x05,
    "ldc_r4": 0x06,
    "exp": 0x23,
    "neg": 0x26,
    "add": 0x40,
    "mul": 0x42,
    "div": 0x43,
    "min": 0x44,
    "max": 0x45,
    "ret": 0xA0,
}


def nnil_code(program: list[str | tuple[str, float]]) -> np.ndarray:
    """NNIL bytecode of `program` (names, or ("ldc_r4", constant)); `ret` appended."""
    out = bytearray()
    for ins in [*program, "ret"]:
        if isinstance(ins, tuple):
            out += bytes([_NNIL[ins[0]]]) + struct.pack("<f", ins[1])
        else:
            out.append(_NNIL[ins])
    return np.frombuffer(bytes(out), dtype=np.uint8).copy()


def _f32_exact(v: float) -> bool:
    return float(np.float32(v)) == v


def lower_elementwise(lw: Lowering, op: Operation) -> bool:
    """Lower `op` when it is one of this module's ops (True), else False; KccError for a rule it breaks."""
    if type(op) in BINARY_CODES:
        _binary(lw, op, BINARY_CODES[type(op)])
    elif type(op) in UNARY_CODES:
        _f32_only(lw, op)
        src, out = lw.loc(op.operands[0], op), lw.loc(op.results[0], op)
        lw.emit(v4.UnaryOp, op, input=src, output=out, unary_op=UNARY_CODES[type(op)])
    elif isinstance(op, ReluOp | ClampOp | LeakyReluOp):
        _f32_only(lw, op)
        lw.emit(v4.NnilUnaryMethodOp, op, input=lw.loc(op.input, op), output=lw.loc(op.output, op), code=_activation(lw, op))
    elif isinstance(op, SigmoidOp):
        _f32_only(lw, op)
        # 1 / (1 + exp(-x)), the float32 steps of kcc's sigmoid (`f32_math.sigmoid_f32`)
        code = nnil_code(["ldc_r4_1", "ldc_r4_1", "lda_0", "neg", "exp", "add", "div"])
        lw.emit(v4.NnilUnaryMethodOp, op, input=lw.loc(op.input, op), output=lw.loc(op.output, op), code=code)
    elif op.name in INEXACT:
        raise lw.err(
            op,
            f"kmodel v4 has no exact {op.name}: nn computes {INEXACT[op.name]} in float64 and rounds once, "
            "the runtime rounds in float32",
            hint="keep it in a model part that runs on the KPU (conv + activation) or in a quantized part",
        )
    elif isinstance(op, ResizeOp):
        why = nearest_reason(op)
        if why:
            raise lw.err(op, why, hint="use a nearest resize with asymmetric coordinates and floor rounding")
        _, _, oh, ow = shape_of(op.output)
        lw.emit(
            v4.ResizeImageOp,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            in_shape=shape4(shape_of(op.input)),
            out_h=oh,
            out_w=ow,
            mode=1,
            align_corners=False,
        )
    elif isinstance(op, AvgPool2dOp):
        _avg_pool(lw, op)
    elif isinstance(op, ReduceMaxOp | ReduceMinOp) and lw.dtype(op.input, op) == "u8":
        _uint8_extremum(lw, op)
    else:
        return False
    return True


def _f32_only(lw: Lowering, op: Operation) -> None:
    for v in (*op.operands, *op.results):
        if lw.dtype(v, op) != "f32":
            raise lw.err(
                op,
                f"a {lw.dtype(v, op)} {op.name} has no exact kmodel v4 node (its float32 form has one)",
                hint="quantize with target=kmodel keeps it in float",
            )


def _binary(lw: Lowering, op: Operation, code: int) -> None:
    _f32_only(lw, op)
    a, b, out = op.operands[0], op.operands[1], op.results[0]
    shapes = [shape_of(v) for v in (a, b, out)]
    if max(len(s) for s in shapes) > 4:
        raise lw.err(op, f"rank {max(len(s) for s in shapes)}: kmodel v4 binary ops take 4-d tensors")
    lw.emit(
        v4.BinaryOp,
        op,
        in_a=lw.loc(a, op),
        in_b=lw.loc(b, op),
        out=lw.loc(out, op),
        binary_op=code,
        a_shape=shape4(shapes[0]),
        b_shape=shape4(shapes[1]),
        out_shape=shape4(shapes[2]),
        fused_activation=[-INF, INF],
    )


def _activation(lw: Lowering, op: ReluOp | ClampOp | LeakyReluOp) -> np.ndarray:
    if isinstance(op, ReluOp):
        return nnil_code(["lda_0", "ldc_r4_0", "max"])
    if isinstance(op, ClampOp):
        prog: list[str | tuple[str, float]] = ["lda_0"]
        if op.min is not None:
            prog += [("ldc_r4", float(np.float32(op.min.value.data))), "max"]
        if op.max is not None:
            prog += [("ldc_r4", float(np.float32(op.max.value.data))), "min"]
        return nnil_code(prog)
    alpha = float(op.alpha.value.data)
    if not alpha > 0 or not _f32_exact(alpha):
        raise lw.err(
            op,
            f"leaky_relu alpha {alpha!r}: kmodel v4 reproduces x·alpha only for a positive float32 alpha",
            hint="use an alpha that is a float32 (e.g. 0.125) or run it on the KPU",
        )
    return nnil_code(["lda_0", "lda_0", ("ldc_r4", alpha), "mul", "max" if alpha <= 1 else "min"])


def _avg_pool(lw: Lowering, op: AvgPool2dOp) -> None:
    if lw.dtype(op.input, op) != "f32":
        raise lw.err(
            op,
            "a uint8 avg_pool2d (TFLite's rounded integer mean) has no exact kmodel v4 node",
            hint="quantize with target=kmodel keeps it in float",
        )
    _f32_only(lw, op)
    (kh, kw), (sh, sw) = ints(op.kernel), ints(op.strides)
    top, left, bottom, right = ints(op.pads)
    if op.count_include_pad.value.data and (top or left or bottom or right):
        raise lw.err(op, "kmodel v4 averages over the taps inside the input, not over explicit pads (count_include_pad)")
    lw.emit(
        v4.ReduceWindow2dOp,
        op,
        input=lw.loc(op.input, op),
        output=lw.loc(op.output, op),
        reduce_op=0,
        in_shape=shape4(shape_of(op.input)),
        padding_h=[top, bottom],
        padding_w=[left, right],
        window=[kh, kw, sh, sw, 1, 1],
        init_value=0.0,
        fused_activation=[-INF, INF],
    )


def _uint8_extremum(lw: Lowering, op: ReduceMaxOp | ReduceMinOp) -> None:
    """Stored integers through f32 and back: the max / min of stored values is the stored max / min."""
    if element_of(op.input) != element_of(op.output) or quant_of(op.input) is None:
        raise lw.err(op, "a uint8 reduce that rescales has no kmodel v4 node", hint="requantize after it")
    shape = shape_of(op.input)
    if len(shape) > 4:
        raise lw.err(op, f"rank {len(shape)}: kmodel v4 reduces 4-d tensors")
    in4 = shape4(shape)
    lead = 4 - len(shape)
    axes = op.axis_values()
    out4 = [1 if i - lead in axes else d for i, d in enumerate(in4)]
    code = 2 if isinstance(op, ReduceMaxOp) else 1
    wide = lw.scratch(4 * prod(in4), "f32")
    red = lw.scratch(4 * prod(out4), "f32")
    lw.emit(v4.DequantizeOp, op, input=lw.loc(op.input, op), output=wide, zero_point=0, scale=1.0)
    init = -INF if code == 2 else INF
    lw.emit(v4.ReduceOp, op, input=wide, output=red, reduce_op=code, in_shape=in4, out_shape=out4, init_value=init)
    lw.emit(v4.QuantizeOp, op, input=red, output=lw.loc(op.output, op), zero_point=0, scale=1.0)
