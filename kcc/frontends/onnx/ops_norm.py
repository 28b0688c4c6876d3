"""ONNX BatchNormalization as `nn.batch_norm`.

Inference form: the given mean and variance. Training form (`training_mode=1`, opset >= 14): the statistics of the
batch, computed with nn ops over every axis but the channel axis 1 (ONNX's population variance),

    mean = reduce_mean(x);  var = reduce_mean((x - mean)^2);  y = batch_norm(x, scale, bias, mean, var, epsilon)

and the optional running statistics `running_mean = input_mean * momentum + mean * (1 - momentum)` (same for the
variance). The older training outputs (opsets < 14: saved mean / variance) are refused.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from kcc.dialects.nn.conv import BatchNormOp
from kcc.dialects.nn.elementwise import AddOp, MulOp, SubOp
from kcc.dialects.nn.movement import ReshapeOp
from kcc.dialects.nn.pool import ReduceMeanOp
from kcc.dialects.nn.types import is_float
from kcc.frontends.onnx.builder import NodeContext, numpy_of_element, tensor_type
from kcc.frontends.onnx.registry import converter


@converter("BatchNormalization")
def _batch_norm(ctx: NodeContext) -> None:
    training = ctx.since_version >= 14 and ctx.attr_int("training_mode", 0) != 0
    if ctx.since_version < 9 and ctx.attr_int("spatial", 1) == 0:
        raise ctx.error("BatchNormalization with spatial=0 is not supported")
    if not training:
        for i in range(1, ctx.n_outputs):
            if ctx.output_used(i):
                raise ctx.error(
                    f"output {i} ('{ctx.output_name(i)}', a training statistic) is used; only the inference form and"
                    " training_mode=1 (opset >= 14) are supported",
                    hint="export the model in inference mode",
                )
    shape = ctx.input_shape(0)
    channels = shape[1] if len(shape) >= 2 else -1
    for i, role in ((1, "scale"), (2, "bias"), (3, "mean"), (4, "var")):
        if ctx.input_shape(i) != (channels,):
            raise ctx.error(f"{role} has shape {list(ctx.input_shape(i))}, expected [{channels}] (one per channel)")
    eps = ctx.attr_float("epsilon", 1e-5)
    out_type = ctx.output_type_like(0)
    if not training:
        op = BatchNormOp(ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4), out_type, eps)
        ctx.set_output(0, ctx.emit(op).output)
        return
    element = ctx.input_element(0)
    if not is_float(element):
        raise ctx.error(f"training_mode=1 needs a float input, got {element}")
    x = ctx.input(0)
    axes = [a for a in range(len(shape)) if a != 1]
    stat_type = tensor_type([channels], element)
    kept_type = tensor_type([1, channels] + [1] * (len(shape) - 2), element)
    mean = ctx.emit(ReduceMeanOp(x, stat_type, axes, False)).output
    mean_kept = ctx.emit(ReshapeOp(mean, kept_type)).output
    centered = ctx.emit(SubOp(x, mean_kept, x.type)).output
    squares = ctx.emit(MulOp(centered, centered, x.type)).output
    var = ctx.emit(ReduceMeanOp(squares, stat_type, axes, False)).output
    y = ctx.emit(BatchNormOp(x, ctx.input(1), ctx.input(2), mean, var, out_type, eps)).output
    ctx.set_output(0, y)
    momentum = ctx.attr_float("momentum", 0.9)
    for out_index, stat, running_index in ((1, mean, 3), (2, var, 4)):
        if ctx.output_used(out_index):
            ctx.set_output(out_index, _running(ctx, stat, running_index, momentum))


def _running(ctx: NodeContext, batch_stat: SSAValue, running_index: int, momentum: float) -> SSAValue:
    """`running * momentum + batch_stat * (1 - momentum)`, in the input's float type."""
    element = ctx.input_element(0)
    if ctx.input_element(running_index) != element:
        raise ctx.error(f"input {running_index} has element type {ctx.input_element(running_index)}, expected {element}")
    dtype = numpy_of_element(element)
    stat_type = batch_stat.type
    running = ctx.maybe_const(running_index)
    if running is not None:
        kept = ctx.const_value((running.astype(np.float64) * momentum).astype(dtype))
    else:
        factor = ctx.const_value(np.full([1], momentum, dtype))
        kept = ctx.emit(MulOp(ctx.input(running_index), factor, stat_type)).output
    new = ctx.emit(MulOp(batch_stat, ctx.const_value(np.full([1], 1.0 - momentum, dtype)), stat_type)).output
    return ctx.emit(AddOp(kept, new, stat_type)).output
