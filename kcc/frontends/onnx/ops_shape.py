"""ONNX Identity, Constant, Dropout (inference), Reshape and Flatten.

Shape-computing ops (Shape, Gather, Concat, ... on constants) never reach a converter: `fold` evaluates them.
"""

from __future__ import annotations

import numpy as np

from kcc.dialects.nn.movement import ReshapeOp
from kcc.frontends.onnx.builder import NodeContext
from kcc.frontends.onnx.fold import constant_node_value
from kcc.frontends.onnx.registry import converter


@converter("Identity")
def _identity(ctx: NodeContext) -> None:
    c = ctx.maybe_const(0)
    if c is not None:
        ctx.set_const_output(0, c)
    else:
        ctx.set_output(0, ctx.input(0))


@converter("Constant")
def _constant(ctx: NodeContext) -> None:
    ctx.set_const_output(0, constant_node_value(ctx.node, ctx.index))


@converter("Dropout")
def _dropout(ctx: NodeContext) -> None:
    """Inference Dropout (or training with ratio 0) is the identity and its mask all true; random training Dropout is
    an error."""
    training = False
    if ctx.since_version >= 12 and ctx.has_input(2):
        training = bool(np.asarray(ctx.const(2, "training_mode")).reshape(-1)[0])
    elif ctx.since_version < 7 and ctx.attr_int("is_test", 0) == 0:
        training = True
    if training:
        ratio = ctx.maybe_const(1) if ctx.has_input(1) else np.array(0.5)
        if ratio is None or float(np.asarray(ratio).reshape(-1)[0]) != 0.0:
            raise ctx.error(
                "Dropout in training mode (with a ratio other than 0) is not supported", hint="export the model in inference mode"
            )
    _identity(ctx)
    if ctx.output_used(1):
        # In inference the mask keeps everything.
        ctx.set_const_output(1, np.ones(ctx.input_shape(0), dtype=np.bool_))


def reshape_to(ctx: NodeContext, shape: tuple[int, ...]) -> None:
    """Define output 0 as input 0 reshaped to `shape` (no op when the shape is unchanged)."""
    if ctx.input_shape(0) == shape:
        ctx.set_output(0, ctx.input(0))
        return
    out_type = ctx.output_type_like(0) if ctx.output_info(0) is not None else None
    if out_type is None or tuple(out_type.get_shape()) != shape:
        from kcc.frontends.onnx.builder import tensor_type

        out_type = tensor_type(shape, ctx.input_element(0))
    ctx.set_output(0, ctx.emit(ReshapeOp(ctx.input(0), out_type)).output)


def reshape_target(ctx: NodeContext, in_shape: tuple[int, ...], spec: np.ndarray, allowzero: bool) -> tuple[int, ...]:
    """ONNX Reshape's output shape: 0 copies the input dim (unless allowzero), one -1 is inferred."""
    dims = [int(d) for d in np.asarray(spec).reshape(-1)]
    out: list[int] = []
    for i, d in enumerate(dims):
        if d == 0 and not allowzero:
            if i >= len(in_shape):
                raise ctx.error(f"shape {dims}: dim {i} is 0 (copy) but the input has rank {len(in_shape)}")
            out.append(in_shape[i])
        else:
            out.append(d)
    total = int(np.prod(in_shape)) if in_shape else 1
    if out.count(-1) > 1:
        raise ctx.error(f"shape {dims} has more than one -1")
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1])) if len(out) > 1 else 1
        if known == 0 or total % known:
            raise ctx.error(f"cannot infer the -1 of shape {dims} for an input of {total} elements {list(in_shape)}")
        out[out.index(-1)] = total // known
    if any(d < 0 for d in out) or int(np.prod(out)) != total:
        raise ctx.error(f"cannot reshape {list(in_shape)} ({total} elements) to {dims}")
    return tuple(out)


@converter("Reshape")
def _reshape(ctx: NodeContext) -> None:
    spec = np.asarray(ctx.attr_ints("shape", []), dtype=np.int64) if ctx.since_version < 5 else ctx.const(1, "shape")
    allowzero = ctx.attr_int("allowzero", 0) != 0
    reshape_to(ctx, reshape_target(ctx, ctx.input_shape(0), spec, allowzero))


@converter("Flatten")
def _flatten(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    axis = ctx.attr_int("axis", 1)
    rank = len(shape)
    if not -rank <= axis <= rank:
        raise ctx.error(f"axis {axis} is out of range for rank {rank}")
    axis = axis + rank if axis < 0 else axis
    outer = int(np.prod(shape[:axis])) if axis else 1
    inner = int(np.prod(shape[axis:])) if axis < rank else 1
    reshape_to(ctx, (outer, inner))
