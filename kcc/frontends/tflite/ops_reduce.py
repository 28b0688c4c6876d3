"""Reductions and softmax: MEAN, SUM, REDUCE_MAX, REDUCE_MIN (axes from a constant input, `keep_dims`)
and SOFTMAX (last axis, `beta`), on the NHWC value with TFLite's own axes."""

from __future__ import annotations

from kcc.dialects.nn.elementwise import SoftmaxOp
from kcc.dialects.nn.pool import ReduceMaxOp, ReduceMeanOp, ReduceMinOp, ReduceOp, ReduceSumOp
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.registry import converter

_REDUCTIONS: dict[str, type[ReduceOp]] = {
    "MEAN": ReduceMeanOp,
    "SUM": ReduceSumOp,
    "REDUCE_MAX": ReduceMaxOp,
    "REDUCE_MIN": ReduceMinOp,
}


@converter(*_REDUCTIONS)
def convert_reduce(ctx: OpContext) -> None:
    """input, axes (constant int32, scalar or vector; negative counts from the end, repeats allowed)."""
    ctx.expect_inputs(2)
    rank = len(ctx.input_shape(0))
    axes: list[int] = []
    for a in ctx.const_input(1, "axes").reshape(-1).tolist():
        if not -rank <= int(a) < rank:
            raise ctx.error(f"axis {a} is out of range for rank {rank}")
        if int(a) % rank not in axes:
            axes.append(int(a) % rank)
    keep = bool(ctx.option("keep_dims", False))
    out_t = ctx.output_type(0)
    if not axes:  # TFLite: reducing over no axis copies the input
        raise ctx.error("axes is empty", hint="remove the no-op reduction from the model")
    ctx.set_output(0, ctx.emit(_REDUCTIONS[ctx.op.builtin](ctx.input(0), out_t, sorted(axes), keep)))


@converter("SOFTMAX")
def convert_softmax(ctx: OpContext) -> None:
    """SOFTMAX over the last axis with `beta`."""
    ctx.expect_inputs(1)
    beta = float(ctx.option("beta", 1.0))
    ctx.set_output(0, ctx.emit(SoftmaxOp(ctx.input(0), ctx.output_type(0), -1, beta)))
