"""ONNX BatchNormalization (inference form) as `nn.batch_norm`."""

from __future__ import annotations

from kcc.dialects.nn.conv import BatchNormOp
from kcc.frontends.onnx.builder import NodeContext
from kcc.frontends.onnx.registry import converter


@converter("BatchNormalization")
def _batch_norm(ctx: NodeContext) -> None:
    if ctx.since_version >= 14 and ctx.attr_int("training_mode", 0):
        raise ctx.error("BatchNormalization with training_mode=1 is not supported", hint="export the model in inference mode")
    if ctx.since_version < 9 and ctx.attr_int("spatial", 1) == 0:
        raise ctx.error("BatchNormalization with spatial=0 is not supported")
    for i in range(1, ctx.n_outputs):
        if ctx.output_used(i):
            raise ctx.error(
                f"output {i} ('{ctx.output_name(i)}', a training statistic) is used; only the inference form is supported",
                hint="export the model in inference mode",
            )
    channels = ctx.input_shape(0)[1] if len(ctx.input_shape(0)) >= 2 else -1
    for i, role in ((1, "scale"), (2, "bias"), (3, "mean"), (4, "var")):
        if ctx.input_shape(i) != (channels,):
            raise ctx.error(f"{role} has shape {list(ctx.input_shape(i))}, expected [{channels}] (one per channel)")
    eps = ctx.attr_float("epsilon", 1e-5)
    op = BatchNormOp(ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4), ctx.output_type_like(0), eps)
    ctx.set_output(0, ctx.emit(op).output)
