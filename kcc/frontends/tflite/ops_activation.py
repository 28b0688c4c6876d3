"""TFLite activations and unary math: LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, PRELU, HARD_SWISH,
EXP, LOG, SQRT, RSQRT, ABS, NEG.

Each becomes one nn op on the NHWC value, with the output type the model declares (quantized activations
keep their `!nn.q` types; TFLite fixes e.g. LOGISTIC's output to scale 1/256). PRELU's alpha broadcasts to
the input (numpy rules, never enlarging it).

Quantized NEG: TFLite's kernel negates the stored integers and ignores the quantization, which is the real
negation only when input and output share one scale with zero point 0; kcc converts exactly that case.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation, SSAValue

from kcc.dialects.nn.elementwise import (
    AbsOp,
    ClampOp,
    ExpOp,
    HardSwishOp,
    LeakyReluOp,
    LogOp,
    NegOp,
    PReluOp,
    ReluOp,
    RsqrtOp,
    SigmoidOp,
    SqrtOp,
    TanhOp,
)
from kcc.dialects.nn.types import QuantType, is_quantized
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.ops_elementwise import expect_real, operand, operand_shape
from kcc.frontends.tflite.registry import converter

UnaryMaker = Callable[[OpContext, SSAValue, TensorType], Operation]

UNARY: dict[str, UnaryMaker] = {
    "LOGISTIC": lambda ctx, x, t: SigmoidOp(x, t),
    "TANH": lambda ctx, x, t: TanhOp(x, t),
    "RELU": lambda ctx, x, t: ReluOp(x, t),
    "RELU6": lambda ctx, x, t: ClampOp(x, t, 0.0, 6.0),
    "RELU_N1_TO_1": lambda ctx, x, t: ClampOp(x, t, -1.0, 1.0),
    "LEAKY_RELU": lambda ctx, x, t: LeakyReluOp(x, t, float(ctx.option("alpha", 0.0))),
    "HARD_SWISH": lambda ctx, x, t: HardSwishOp(x, t),
    "EXP": lambda ctx, x, t: ExpOp(x, t),
    "LOG": lambda ctx, x, t: LogOp(x, t),
    "SQRT": lambda ctx, x, t: SqrtOp(x, t),
    "RSQRT": lambda ctx, x, t: RsqrtOp(x, t),
    "ABS": lambda ctx, x, t: AbsOp(x, t),
    "NEG": lambda ctx, x, t: NegOp(x, t),
}


def _check_quantized_neg(ctx: OpContext) -> None:
    et_in, et_out = ctx.input_type(0).element_type, ctx.output_type(0).element_type
    if not (is_quantized(et_in) or is_quantized(et_out)):
        return
    ok = isinstance(et_in, QuantType) and et_in == et_out and et_in.zp_value == 0
    if not ok:
        raise ctx.error(
            f"quantized NEG from {et_in} to {et_out}: TFLite negates the stored integers, which kcc reproduces"
            " only for one shared quantization with zero point 0",
            hint="requantize to a zero point of 0, or run NEG in float",
        )


@converter(*UNARY)
def convert_unary(ctx: OpContext) -> None:
    """One input, one output of the same shape."""
    ctx.expect_inputs(1)
    expect_real(ctx, 0)
    if ctx.name == "NEG":
        _check_quantized_neg(ctx)
    out = TensorType(ctx.output_type(0).element_type, list(ctx.input_shape(0)))
    ctx.set_output(0, ctx.emit(UNARY[ctx.name](ctx, ctx.input(0), out)))


@converter("PRELU")
def convert_prelu(ctx: OpContext) -> None:
    """PRELU(x, alpha): alpha (constant or not) broadcasts to x's shape."""
    ctx.expect_inputs(2)
    expect_real(ctx, 0, 1)
    x_shape, a_shape = ctx.input_shape(0), operand_shape(ctx, 1)
    aligned = (1,) * (len(x_shape) - len(a_shape)) + a_shape
    if len(a_shape) > len(x_shape) or any(a not in (1, x) for a, x in zip(aligned, x_shape, strict=True)):
        raise ctx.error(
            f"alpha of shape {list(a_shape)} does not broadcast to the input shape {list(x_shape)}",
            hint="kcc's PReLU takes an alpha that broadcasts to the input without enlarging it",
        )
    out = TensorType(ctx.output_type(0).element_type, list(x_shape))
    ctx.set_output(0, ctx.emit(PReluOp(ctx.input(0), operand(ctx, 1), out)))
