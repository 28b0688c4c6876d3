"""ONNX activations: Relu, Clip, LeakyRelu, PRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Softmax.

* Clip: bounds are attributes `min` / `max` before opset 11 and optional constant inputs 1 / 2 from 11 on; a
  missing or infinite bound is unbounded. When min > max every element becomes max (ONNX), emitted as a clamp to
  [max, max].
* PRelu: `slope` broadcasts to the input one way (numpy rules, opset >= 7); a constant or run-time tensor.
* Softmax: before opset 13 the input is coerced to 2-D `[prod(dims[:axis]), prod(dims[axis:])]` (default axis 1)
  and normalized over the second dimension: a reshape around `nn.softmax` unless `axis` is already the last one.
  From 13 on it is one axis (default -1).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from kcc.dialects.nn.elementwise import (
    ClampOp,
    HardSigmoidOp,
    HardSwishOp,
    LeakyReluOp,
    PReluOp,
    ReluOp,
    SigmoidOp,
    SoftmaxOp,
    TanhOp,
    UnaryOp,
)
from kcc.dialects.nn.movement import ReshapeOp
from kcc.frontends.onnx.builder import NodeContext, tensor_type
from kcc.frontends.onnx.registry import converter


def _unary(ctx: NodeContext, make: Callable[[SSAValue, TensorType], UnaryOp]) -> None:
    ctx.set_output(0, ctx.emit(make(ctx.input(0), ctx.output_type_like(0))).output)


@converter("Relu")
def _relu(ctx: NodeContext) -> None:
    _unary(ctx, ReluOp)


@converter("Sigmoid")
def _sigmoid(ctx: NodeContext) -> None:
    _unary(ctx, SigmoidOp)


@converter("Tanh")
def _tanh(ctx: NodeContext) -> None:
    _unary(ctx, TanhOp)


@converter("HardSwish")
def _hard_swish(ctx: NodeContext) -> None:
    _unary(ctx, HardSwishOp)


@converter("LeakyRelu")
def _leaky_relu(ctx: NodeContext) -> None:
    alpha = ctx.attr_float("alpha", 0.01)
    _unary(ctx, lambda x, t: LeakyReluOp(x, t, alpha))


@converter("HardSigmoid")
def _hard_sigmoid(ctx: NodeContext) -> None:
    alpha, beta = ctx.attr_float("alpha", 0.2), ctx.attr_float("beta", 0.5)
    _unary(ctx, lambda x, t: HardSigmoidOp(x, t, alpha, beta))


def _bound(ctx: NodeContext, name: str, index: int) -> float | None:
    """A Clip bound (None when absent or infinite)."""
    if ctx.since_version < 11:
        v = ctx.attr(name, None)
        value = None if v is None else float(v)
    elif not ctx.has_input(index):
        value = None
    else:
        arr = np.asarray(ctx.const(index, name))
        if arr.size != 1:
            raise ctx.error(f"{name} must be a scalar, got shape {list(arr.shape)}")
        value = float(arr.reshape(-1)[0])
    if value is None or math.isinf(value):
        return None
    if math.isnan(value):
        raise ctx.error(f"{name} is NaN")
    return value


@converter("Clip")
def _clip(ctx: NodeContext) -> None:
    lo, hi = _bound(ctx, "min", 1), _bound(ctx, "max", 2)
    if lo is None and hi is None:
        ctx.set_output(0, ctx.input(0))
        return
    if lo is not None and hi is not None and lo > hi:
        lo = hi  # ONNX: every element becomes max
    _unary(ctx, lambda x, t: ClampOp(x, t, lo, hi))


@converter("PRelu")
def _prelu(ctx: NodeContext) -> None:
    x_shape, s_shape = ctx.input_shape(0), ctx.input_shape(1)
    aligned = (1,) * (len(x_shape) - len(s_shape)) + tuple(s_shape)
    if len(s_shape) > len(x_shape) or any(d not in (1, xd) for d, xd in zip(aligned, x_shape, strict=True)):
        raise ctx.error(
            f"slope of shape {list(s_shape)} does not broadcast to the input shape {list(x_shape)}",
            hint="PRelu broadcasts the slope one way (numpy rules from the trailing dims)",
        )
    op = PReluOp(ctx.input(0), ctx.input(1), ctx.output_type_like(0))
    ctx.set_output(0, ctx.emit(op).output)


@converter("Softmax")
def _softmax(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    rank = len(shape)
    if rank == 0:
        raise ctx.error("Softmax of a scalar is not supported")
    legacy = ctx.since_version < 13
    axis = ctx.attr_int("axis", 1 if legacy else -1)
    if not -rank <= axis < rank:
        raise ctx.error(f"axis {axis} is out of range for rank {rank}")
    axis %= rank
    out_type = ctx.output_type_like(0)
    if not legacy or axis == rank - 1:
        ctx.set_output(0, ctx.emit(SoftmaxOp(ctx.input(0), out_type, axis=axis)).output)
        return
    element = ctx.input_element(0)
    flat = tensor_type((math.prod(shape[:axis]), math.prod(shape[axis:])), element)
    x2 = ctx.emit(ReshapeOp(ctx.input(0), flat)).output
    y2 = ctx.emit(SoftmaxOp(x2, flat, axis=1)).output
    ctx.set_output(0, ctx.emit(ReshapeOp(y2, out_type)).output)
