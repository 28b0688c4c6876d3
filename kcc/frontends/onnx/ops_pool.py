"""ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool.

1-D pools ([N, C, L]) run as 2-D pools on [N, C, 1, L] between `nn.reshape`s. `ceil_mode` becomes extra
bottom/right padding as `kcc/dialects/nn/pool.py` describes (recorded in `ceil_pads` for average pools).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import SSAValue

from kcc.dialects.nn.movement import ReshapeOp
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp, ReduceMaxOp, ReduceMeanOp
from kcc.frontends.onnx.builder import NodeContext, tensor_type
from kcc.frontends.onnx.ops_conv import spatial_attr, spatial_pads
from kcc.frontends.onnx.registry import converter


def ceil_extra(size: int, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int) -> int:
    """Extra end padding that makes floor-mode pooling produce ONNX's ceil_mode output size."""
    extent = dilation * (kernel - 1) + 1
    span = size + pad_begin + pad_end - extent
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_begin:
        out -= 1
    return max(0, (out - 1) * stride + extent - (size + pad_begin + pad_end))


def _pool(ctx: NodeContext, kind: str) -> None:
    shape = ctx.input_shape(0)
    if len(shape) not in (3, 4):
        raise ctx.error(f"only 1-D and 2-D {ctx.op_type} are supported; input has rank {len(shape)} {list(shape)}")
    nsp = len(shape) - 2
    kernel = ctx.attr_ints("kernel_shape")
    if kernel is None or len(kernel) != nsp:
        raise ctx.error(f"kernel_shape {kernel} must have {nsp} values")
    strides = spatial_attr(ctx, "strides", nsp, 1)
    dilations = spatial_attr(ctx, "dilations", nsp, 1)
    if kind == "avg" and any(d != 1 for d in dilations):
        raise ctx.error(f"AveragePool dilations {dilations} are not supported (nn.avg_pool2d has no dilation)")
    pads = spatial_pads(ctx, shape[2:], kernel, strides, dilations)
    extras = [0] * nsp
    if ctx.attr_int("ceil_mode", 0):
        extras = [
            ceil_extra(s, k, st, d, pads[i], pads[nsp + i])
            for i, (s, k, st, d) in enumerate(zip(shape[2:], kernel, strides, dilations, strict=True))
        ]
        pads = pads[:nsp] + [p + e for p, e in zip(pads[nsp:], extras, strict=True)]
    if kind == "max" and ctx.output_used(1):
        raise ctx.error("the MaxPool indices output is not supported", hint="use only the pooled values")
    out_type = ctx.output_type_like(0)
    x = ctx.input(0)
    if nsp == 1:
        x = ctx.emit(ReshapeOp(x, tensor_type([shape[0], shape[1], 1, shape[2]], out_type.element_type))).output
        kernel, strides, dilations = [1, *kernel], [1, *strides], [1, *dilations]
        pads, extras = [0, pads[0], 0, pads[1]], [0, *extras]
        o = out_type.get_shape()
        pool_type = tensor_type([o[0], o[1], 1, o[2]], out_type.element_type)
    else:
        pool_type = out_type
    _check_pads(ctx, pads, kernel, dilations)
    y: SSAValue
    if kind == "max":
        y = ctx.emit(MaxPool2dOp(x, pool_type, kernel, strides, pads, dilations)).output
    else:
        include = ctx.attr_int("count_include_pad", 0) != 0
        y = ctx.emit(AvgPool2dOp(x, pool_type, kernel, strides, pads, include, extras)).output
    if nsp == 1:
        y = ctx.emit(ReshapeOp(y, out_type)).output
    ctx.set_output(0, y)


def _check_pads(ctx: NodeContext, pads: Sequence[int], kernel: Sequence[int], dilations: Sequence[int]) -> None:
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    if any(p >= e for p, e in zip(pads, extent * 2, strict=True)):
        raise ctx.error(
            f"pads {list(pads)} must be smaller than the kernel extent {extent} (a window would see only padding)",
        )


@converter("MaxPool")
def _max_pool(ctx: NodeContext) -> None:
    _pool(ctx, "max")


@converter("AveragePool")
def _avg_pool(ctx: NodeContext) -> None:
    _pool(ctx, "avg")


@converter("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(ctx: NodeContext) -> None:
    rank = len(ctx.input_shape(0))
    if rank < 3:
        raise ctx.error(f"{ctx.op_type} needs rank >= 3 (N, C, spatial...), got {rank}")
    axes = list(range(2, rank))
    cls = ReduceMeanOp if ctx.op_type == "GlobalAveragePool" else ReduceMaxOp
    ctx.set_output(0, ctx.emit(cls(ctx.input(0), ctx.output_type_like(0), axes, True)).output)
