"""Shape-only TFLite operators: RESHAPE, SQUEEZE, EXPAND_DIMS (all become `nn.reshape` on the NHWC value)."""

from __future__ import annotations

from math import prod

from xdsl.dialects.builtin import TensorType

from kcc.dialects.nn.movement import ReshapeOp
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.registry import converter


def _resolve(ctx: OpContext, shape: list[int], count: int) -> list[int]:
    """A requested shape with its one -1 resolved against `count` elements."""
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in shape):
        raise ctx.error(f"new shape {shape} may hold at most one -1 and no other negative value")
    if unknown:
        known = prod(d for d in shape if d != -1)
        if known == 0 or count % known:
            raise ctx.error(f"new shape {shape} cannot hold the input's {count} elements")
        shape = [count // known if d == -1 else d for d in shape]
    return shape


def _reshape_to(ctx: OpContext, shape: list[int]) -> None:
    x = ctx.input(0)
    count = prod(ctx.input_shape(0))
    if prod(shape) != count:
        raise ctx.error(f"cannot reshape {list(ctx.input_shape(0))} ({count} elements) to {shape} ({prod(shape)} elements)")
    et = ctx.output_type(0).element_type
    ctx.set_output(0, ctx.emit(ReshapeOp(x, TensorType(et, shape))))


@converter("RESHAPE")
def convert_reshape(ctx: OpContext) -> None:
    """RESHAPE: the shape comes from input 1 (constant) or the `new_shape` option, -1 resolved."""
    ctx.expect_inputs(1, 2)
    count = prod(ctx.input_shape(0))
    if not ctx.graph.resized:
        _reshape_to(ctx, list(ctx.output_shape(0)))
        return
    requested = ctx.maybe_const(1)
    if requested is not None:
        shape = [int(d) for d in requested.reshape(-1)]
    elif ctx.option("new_shape"):
        shape = [int(d) for d in ctx.option("new_shape")]
    else:
        shape = list(ctx.output_tensor(0).signature)
    _reshape_to(ctx, _resolve(ctx, shape, count))


@converter("SQUEEZE")
def convert_squeeze(ctx: OpContext) -> None:
    """SQUEEZE: drop the size-1 dimensions named by `squeeze_dims` (all size-1 dimensions when empty)."""
    ctx.expect_inputs(1)
    shape = list(ctx.input_shape(0))
    rank = len(shape)
    dims = [int(d) for d in ctx.option("squeeze_dims", ())]
    for d in dims:
        if not -rank <= d < rank:
            raise ctx.error(f"squeeze dimension {d} is out of range for rank {rank}")
    axes = {d % rank for d in dims} if dims else {i for i, s in enumerate(shape) if s == 1}
    for a in sorted(axes):
        if shape[a] != 1:
            raise ctx.error(f"cannot squeeze dimension {a} of shape {shape}: its size is {shape[a]}, not 1")
    _reshape_to(ctx, [s for i, s in enumerate(shape) if i not in axes])


@converter("EXPAND_DIMS")
def convert_expand_dims(ctx: OpContext) -> None:
    """EXPAND_DIMS: insert a size-1 dimension at the constant `axis` (input 1; negative counts from the end)."""
    ctx.expect_inputs(2)
    axis_arr = ctx.const_input(1, "axis")
    if axis_arr.size != 1:
        raise ctx.error(f"axis must hold one value, got {axis_arr.size}")
    shape = list(ctx.input_shape(0))
    axis = int(axis_arr.reshape(-1)[0])
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        raise ctx.error(f"axis {axis} is out of range for a rank-{rank} result")
    axis %= rank
    _reshape_to(ctx, [*shape[:axis], 1, *shape[axis:]])
