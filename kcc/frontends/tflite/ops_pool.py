"""Pooling TFLite operators: AVERAGE_POOL_2D, MAX_POOL_2D (NCHW nn pools between transposes).

Options (Pool2DOptions): padding, stride_w/h, filter_width/height, fused_activation_function (applied as a
separate op after the pool). TFLite's average pool never counts padding (`count_include_pad false`).
"""

from __future__ import annotations

from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.ops_conv import conv_pads, positive_option
from kcc.frontends.tflite.registry import converter


def _pool_params(ctx: OpContext) -> tuple[list[int], list[int], list[int]]:
    ctx.expect_inputs(1)
    shape = ctx.input_shape(0)
    if len(shape) != 4:
        raise ctx.error(f"input must have rank 4 (NHWC), got shape {list(shape)}")
    kernel = [positive_option(ctx, "filter_height"), positive_option(ctx, "filter_width")]
    strides = [positive_option(ctx, "stride_h"), positive_option(ctx, "stride_w")]
    pads = conv_pads(ctx, shape[1:3], kernel, strides, [1, 1])
    return kernel, strides, pads


@converter("AVERAGE_POOL_2D")
def convert_avg_pool(ctx: OpContext) -> None:
    kernel, strides, pads = _pool_params(ctx)
    act = ctx.fused_activation()  # validates the option before anything is emitted
    del act
    y = ctx.nchw_op(ctx.input(0), lambda xt, t: AvgPool2dOp(xt, t, kernel, strides, pads, False), ctx.output_type(0))
    ctx.set_output(0, ctx.apply_fused_activation(y))


@converter("MAX_POOL_2D")
def convert_max_pool(ctx: OpContext) -> None:
    kernel, strides, pads = _pool_params(ctx)
    ctx.fused_activation()
    y = ctx.nchw_op(ctx.input(0), lambda xt, t: MaxPool2dOp(xt, t, kernel, strides, pads), ctx.output_type(0))
    ctx.set_output(0, ctx.apply_fused_activation(y))
