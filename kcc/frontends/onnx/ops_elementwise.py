"""ONNX element-wise arithmetic: Add, Sub, Mul, Div, Pow, Max, Min (variadic), Sqrt, Exp, Log.

Binary ops broadcast with numpy rules (opset >= 7), as the nn binary ops do. Max and Min take 1..N inputs: one
input is the identity, more become a chain of `nn.maximum` / `nn.minimum`. Pow's exponent may have another
element type than the base (opset >= 12), as nn.pow allows; a constant exponent the base's type holds exactly is
converted to it. Float, quantized and plain integer tensors (ONNX integer arithmetic: wrapping,
Div truncating toward zero) are supported; Sqrt, Exp and Log are float only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from kcc.dialects.nn.base import broadcast_shapes
from kcc.dialects.nn.elementwise import (
    AddOp,
    BinaryOp,
    DivOp,
    ExpOp,
    LogOp,
    MaximumOp,
    MinimumOp,
    MulOp,
    PowOp,
    SqrtOp,
    SubOp,
    UnaryOp,
)
from kcc.dialects.nn.types import is_quantized, numpy_dtype
from kcc.frontends.onnx.builder import NodeContext, tensor_type
from kcc.frontends.onnx.registry import converter

_BINARY: dict[str, type[BinaryOp]] = {"Add": AddOp, "Sub": SubOp, "Mul": MulOp, "Div": DivOp}
_UNARY: dict[str, type[UnaryOp]] = {"Sqrt": SqrtOp, "Exp": ExpOp, "Log": LogOp}
_VARIADIC: dict[str, type[BinaryOp]] = {"Max": MaximumOp, "Min": MinimumOp}


def _check_shapes(ctx: NodeContext, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    rank = max(len(a), len(b))
    pa, pb = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    if any(x != y and 1 not in (x, y) for x, y in zip(pa, pb, strict=True)):
        raise ctx.error(f"input shapes {list(a)} and {list(b)} do not broadcast")


@converter(*_BINARY)
def _binary(ctx: NodeContext) -> None:
    _check_shapes(ctx, ctx.input_shape(0), ctx.input_shape(1))
    op = _BINARY[ctx.op_type](ctx.input(0), ctx.input(1), ctx.output_type_like(0))
    ctx.set_output(0, ctx.emit(op).output)


@converter("Pow")
def _pow(ctx: NodeContext) -> None:
    _check_shapes(ctx, ctx.input_shape(0), ctx.input_shape(1))
    exponent = ctx.input(1)
    exponent_const = ctx.maybe_const(1)
    if exponent_const is not None and not is_quantized(ctx.input_element(0)):
        # A constant exponent that the base's type holds exactly takes that type (one element type for backends).
        base_dtype = numpy_dtype(ctx.input_element(0))
        converted = np.asarray(exponent_const).astype(base_dtype)
        if exponent_const.dtype != base_dtype and np.array_equal(converted.astype(exponent_const.dtype), exponent_const):
            exponent = ctx.const_value(converted)
    ctx.set_output(0, ctx.emit(PowOp(ctx.input(0), exponent, ctx.output_type_like(0))).output)


@converter(*_VARIADIC)
def _variadic(ctx: NodeContext) -> None:
    names = [i for i in range(ctx.n_inputs) if ctx.has_input(i)]
    if not names:
        raise ctx.error(f"{ctx.op_type} needs at least one input")
    shapes = [ctx.input_shape(i) for i in names]
    acc: SSAValue = ctx.input(names[0])
    acc_shape = shapes[0]
    for k, (i, shape) in enumerate(zip(names[1:], shapes[1:], strict=True), 1):
        _check_shapes(ctx, acc_shape, shape)
        acc_shape = broadcast_shapes(acc_shape, shape)
        last = k == len(names) - 1
        out_type = ctx.output_type_like(0) if last else tensor_type(acc_shape, ctx.input_element(0))
        acc = ctx.emit(_VARIADIC[ctx.op_type](acc, ctx.input(i), out_type)).output
    ctx.set_output(0, acc)


def _unary(ctx: NodeContext, make: Callable[[SSAValue, TensorType], UnaryOp]) -> None:
    ctx.set_output(0, ctx.emit(make(ctx.input(0), ctx.output_type_like(0))).output)


@converter(*_UNARY)
def _math(ctx: NodeContext) -> None:
    _unary(ctx, _UNARY[ctx.op_type])
