"""Broadcasting binary TFLite operators: ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE.

Each becomes the nn op of the same name on the NHWC values (numpy broadcasting, TFLite's own shapes); a
fused activation of ADD / SUB / MUL / DIV becomes a separate `nn.relu` / `nn.clamp` after it. Quantized
operands keep their `!nn.q` types (kcc's interpreter reproduces TFLite's integer ADD and MUL exactly; the
others run through dequantize -> float -> quantize).

When both operands are constants (int32 shape arithmetic, typically) the result is computed at import.

Also the helpers the other op families share: `expect_real` (operands must be float32 or quantized: nn has
no plain-integer arithmetic), `apply_activation` (the fused activations TFLite's element-wise kernels
implement), `constant_inputs` / `fold_outputs` (folding operators whose inputs are all constants).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tflite
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from kcc.dialects.nn.elementwise import (
    AddOp,
    BinaryOp,
    DivOp,
    MaximumOp,
    MinimumOp,
    MulOp,
    SquaredDifferenceOp,
    SubOp,
)
from kcc.dialects.nn.types import is_float, is_quantized
from kcc.frontends.tflite.builder import ACTIVATION_NAMES, OpContext
from kcc.frontends.tflite.registry import converter

BINARY_OPS: dict[str, type[BinaryOp]] = {
    "ADD": AddOp,
    "SUB": SubOp,
    "MUL": MulOp,
    "DIV": DivOp,
    "MAXIMUM": MaximumOp,
    "MINIMUM": MinimumOp,
    "SQUARED_DIFFERENCE": SquaredDifferenceOp,
}
WITH_FUSED_ACTIVATION = ("ADD", "SUB", "MUL", "DIV")

_ACT = tflite.ActivationFunctionType
# What TFLite's element-wise and concatenation kernels apply (CalculateActivationRange): a clamp. They
# ignore TANH and SIGN_BIT, which no converter emits for them; kcc refuses those instead of guessing.
ELEMENTWISE_ACTIVATIONS = (_ACT.NONE, _ACT.RELU, _ACT.RELU6, _ACT.RELU_N1_TO_1)


def expect_real(ctx: OpContext, *indices: int, outputs: bool = True) -> None:
    """Inputs `indices` (and all outputs) must be float32 or quantized tensors."""
    roles = [(f"input #{i}", ctx.input_tensor(i), ctx.input_type(i)) for i in indices]
    if outputs:
        roles += [(f"output #{i}", ctx.output_tensor(i), ctx.output_type(i)) for i in range(ctx.num_outputs)]
    for role, info, t in roles:
        et = t.element_type
        if not (is_quantized(et) or (is_float(et) and info.type_name == "FLOAT32")):
            raise ctx.error(
                f"{role} '{info.name}' has type {info.type_name}; kcc converts {ctx.name} on float32 or quantized tensors only",
                hint="quantize the model to int8/uint8 or keep it float32",
            )


def operand(ctx: OpContext, i: int) -> SSAValue:
    """The SSA value of input `i`; a 0-d constant becomes a [1] constant (same broadcasting against any
    operand of rank >= 1), so that no 0-d `nn.const` is needed (committed `dense_from_numpy` turns 0-d
    arrays into shape [1])."""
    value = ctx.maybe_const(i)
    if value is not None and value.ndim == 0:
        return ctx.constant(value.reshape(1), TensorType(ctx.input_type(i).element_type, [1]))
    return ctx.input(i)


def operand_shape(ctx: OpContext, i: int) -> tuple[int, ...]:
    """The shape of `operand(ctx, i)`."""
    shape = ctx.input_shape(i)
    return (1,) if not shape and ctx.maybe_const(i) is not None else shape


def _expect_clamp_activation(ctx: OpContext) -> int:
    code = ctx.activation_code()
    if code not in ELEMENTWISE_ACTIVATIONS:
        name = ACTIVATION_NAMES.get(code, str(code))
        raise ctx.error(
            f"fused activation {name} is not supported on {ctx.name} (TFLite's kernel applies only clamps)",
            hint="supported: NONE, RELU, RELU6, RELU_N1_TO_1",
        )
    return code


def apply_activation(ctx: OpContext, value: SSAValue) -> SSAValue:
    """`value` followed by the operator's fused activation (none, relu, relu6, relu_n1_to_1) as its own op."""
    _expect_clamp_activation(ctx)
    return ctx.apply_fused_activation(value)


def constant_inputs(ctx: OpContext) -> list[np.ndarray] | None:
    """The values of all inputs when every one is a constant that is not quantized (the operator can then
    be folded at import, which is how int32 shape arithmetic is handled), else None."""
    values: list[np.ndarray] = []
    for i in range(ctx.num_inputs):
        v = ctx.maybe_const(i)
        if v is None or is_quantized(ctx.input_type(i).element_type):
            return None
        values.append(v)
    return values


def fold_outputs(ctx: OpContext, *results: np.ndarray, activation: bool = False) -> None:
    """Bind the outputs to constants computed at import (cast to the declared dtypes; optionally clamped by
    the fused activation)."""
    code = _expect_clamp_activation(ctx) if activation else _ACT.NONE
    lo, hi = _CLAMPS.get(code, (None, None))
    for i, r in enumerate(results):
        dtype = ctx.output_tensor(i).dtype
        if dtype is None or is_quantized(ctx.output_type(i).element_type):
            raise ctx.error(f"cannot fold output #{i} of type {ctx.output_tensor(i).type_name} at import")
        y = np.asarray(r)
        if lo is not None or hi is not None:
            y = np.clip(y, lo, hi)
        ctx.set_const_output(i, y.astype(dtype))


_CLAMPS: dict[int, tuple[float | None, float | None]] = {
    _ACT.RELU: (0.0, None),
    _ACT.RELU6: (0.0, 6.0),
    _ACT.RELU_N1_TO_1: (-1.0, 1.0),
}


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """TFLite DIV: float division, or integer division truncating toward zero."""
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        if (b == 0).any():
            raise ZeroDivisionError
        q = np.abs(a.astype(np.int64)) // np.abs(b.astype(np.int64))
        return q * np.sign(a) * np.sign(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a, b)


_FOLD: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "ADD": np.add,
    "SUB": np.subtract,
    "MUL": np.multiply,
    "DIV": _divide,
    "MAXIMUM": np.maximum,
    "MINIMUM": np.minimum,
    "SQUARED_DIFFERENCE": lambda a, b: np.square(np.subtract(a, b)),
}


@converter(*BINARY_OPS)
def convert_binary(ctx: OpContext) -> None:
    """Two operands (either may be constant), numpy broadcasting, optional fused activation."""
    ctx.expect_inputs(2)
    consts = constant_inputs(ctx)
    if consts is not None:
        try:
            y = _FOLD[ctx.name](*consts)
        except (ValueError, ZeroDivisionError) as e:
            raise ctx.error(f"cannot fold the constant operands of shapes {[list(c.shape) for c in consts]}: {e}") from None
        fold_outputs(ctx, y, activation=ctx.name in WITH_FUSED_ACTIVATION)
        return
    expect_real(ctx, 0, 1)
    a_shape, b_shape = operand_shape(ctx, 0), operand_shape(ctx, 1)
    rank = max(len(a_shape), len(b_shape))
    pa, pb = (1,) * (rank - len(a_shape)) + a_shape, (1,) * (rank - len(b_shape)) + b_shape
    if any(x != y and 1 not in (x, y) for x, y in zip(pa, pb, strict=True)):
        raise ctx.error(f"operand shapes {list(a_shape)} and {list(b_shape)} do not broadcast")
    shape = [max(x, y) if 0 not in (x, y) else 0 for x, y in zip(pa, pb, strict=True)]
    result_type = TensorType(ctx.output_type(0).element_type, shape)
    y = ctx.emit(BINARY_OPS[ctx.name](operand(ctx, 0), operand(ctx, 1), result_type))
    if ctx.name in WITH_FUSED_ACTIVATION:
        y = apply_activation(ctx, y)
    ctx.set_output(0, y)
