"""ONNX ReduceMean, ReduceMax, ReduceSum.

`axes` is an attribute before opset 13 (ReduceSum) / 18 (ReduceMean, ReduceMax) and an optional constant input 1
from then on. `keepdims` defaults to 1. No axes (absent or empty) reduce every axis, unless
`noop_with_empty_axes=1` (opsets with the input form), which makes the op the identity. Reducing an axis of size
0 gives a constant: 0 (sum), the lowest value of the type (max; -inf for floats) or NaN (mean).
"""

from __future__ import annotations

import numpy as np

from kcc.dialects.nn.pool import ReduceMaxOp, ReduceMeanOp, ReduceOp, ReduceSumOp
from kcc.frontends.onnx.builder import NodeContext, element_type_of, numpy_of_element
from kcc.frontends.onnx.registry import converter

_REDUCE: dict[str, tuple[type[ReduceOp], int]] = {
    "ReduceMean": (ReduceMeanOp, 18),
    "ReduceMax": (ReduceMaxOp, 18),
    "ReduceSum": (ReduceSumOp, 13),
}


def _empty_reduction(ctx: NodeContext) -> np.ndarray:
    """The constant result of reducing an empty set (ONNX: sum 0, max the lowest value of the type, mean NaN)."""
    info = ctx.output_info(0)
    shape = ctx.output_shape(0)
    assert info is not None
    dtype = numpy_of_element(element_type_of(info.elem_type, f"output 0 of {ctx.label}"))
    if ctx.op_type == "ReduceSum":
        return np.zeros(shape, dtype)
    if ctx.op_type == "ReduceMax":
        low = -np.inf if dtype.kind == "f" else (False if dtype.kind == "b" else np.iinfo(dtype).min)
        return np.full(shape, low, dtype)
    if dtype.kind != "f":
        raise ctx.error(f"the mean of an empty set of {dtype} values is undefined")
    return np.full(shape, np.nan, dtype)


@converter(*_REDUCE)
def _reduce(ctx: NodeContext) -> None:
    op_class, axes_input_since = _REDUCE[ctx.op_type]
    shape = ctx.input_shape(0)
    rank = len(shape)
    raw = ctx.attr_or_input("axes", 1, since=axes_input_since, default=None)
    values = [] if raw is None else [int(a) for a in np.asarray(raw).reshape(-1)]
    keepdims = ctx.attr_int("keepdims", 1) != 0
    if not values:
        if ctx.since_version >= axes_input_since and ctx.attr_int("noop_with_empty_axes", 0) != 0:
            ctx.set_output(0, ctx.input(0))
            return
        values = list(range(rank))
    axes: list[int] = []
    for a in values:
        if not -rank <= a < rank:
            raise ctx.error(f"axes value {a} is out of range for rank {rank}")
        if a % rank in axes:
            raise ctx.error(f"axes {values} repeat axis {a % rank}")
        axes.append(a % rank)
    if any(shape[a] == 0 for a in axes):
        ctx.set_const_output(0, _empty_reduction(ctx))
        return
    if rank == 0:
        ctx.set_output(0, ctx.input(0))
        return
    op = op_class(ctx.input(0), ctx.output_type_like(0), sorted(axes), keepdims)
    ctx.set_output(0, ctx.emit(op).output)
