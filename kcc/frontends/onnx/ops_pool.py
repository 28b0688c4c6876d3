"""ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool.

1-D pools ([N, C, L]) run as 2-D pools on [N, C, 1, L] between `nn.reshape`s. `ceil_mode` becomes extra
bottom/right padding as `kcc/dialects/nn/pool.py` describes (recorded in `ceil_pads` for average pools).
MaxPool takes float, quantized and plain integer (int8 / uint8) tensors; its `Indices` output is
`nn.max_pool2d_argmax` (`storage_order=1` -> `column_major`). `nn.avg_pool2d` has no dilation, so a dilated
float AveragePool becomes a depthwise `nn.conv2d` with all-ones weights (the window sums) divided by a constant
tensor of the divisors. 3-D pools are separable: a 2-D pool of H and W on [N, C*D, H, W], then a pool of D on
[N, C, D, OH*OW] (the average divisors factor per axis too); their Indices output is not supported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from xdsl.dialects.builtin import IntegerType, TensorType
from xdsl.ir import Attribute, SSAValue

from kcc.dialects.nn.conv import Conv2dOp
from kcc.dialects.nn.elementwise import DivOp
from kcc.dialects.nn.movement import ReshapeOp
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dArgmaxOp, MaxPool2dOp, ReduceMaxOp, ReduceMeanOp
from kcc.dialects.nn.types import is_float
from kcc.frontends.onnx.builder import NodeContext, numpy_of_element, tensor_type
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
    if len(shape) not in (3, 4, 5):
        raise ctx.error(f"only 1-D, 2-D and 3-D {ctx.op_type} are supported; input has rank {len(shape)} {list(shape)}")
    nsp = len(shape) - 2
    kernel = ctx.attr_ints("kernel_shape")
    if kernel is None or len(kernel) != nsp:
        raise ctx.error(f"kernel_shape {kernel} must have {nsp} values")
    strides = spatial_attr(ctx, "strides", nsp, 1)
    dilations = spatial_attr(ctx, "dilations", nsp, 1)
    pads = spatial_pads(ctx, shape[2:], kernel, strides, dilations)
    extras = [0] * nsp
    if ctx.attr_int("ceil_mode", 0):
        extras = [
            ceil_extra(s, k, st, d, pads[i], pads[nsp + i])
            for i, (s, k, st, d) in enumerate(zip(shape[2:], kernel, strides, dilations, strict=True))
        ]
        pads = pads[:nsp] + [p + e for p, e in zip(pads[nsp:], extras, strict=True)]
    _check_pads(ctx, pads, kernel, dilations)
    out_type = ctx.output_type_like(0)
    element = out_type.element_type
    n, c = shape[0], shape[1]
    want_indices = kind == "max" and ctx.output_used(1)
    axes = [_Axis(shape[2 + i], kernel[i], strides[i], pads[i], pads[nsp + i], dilations[i], extras[i]) for i in range(nsp)]
    x = ctx.input(0)
    indices: SSAValue | None = None
    if nsp == 1:
        x = _reshape(ctx, x, [n, c, 1, shape[2]], element)
        y, indices = _pool_stage(ctx, kind, x, [n, c, 1, shape[2]], _Axis.unit(), axes[0], want_indices)
    elif nsp == 2:
        y, indices = _pool_stage(ctx, kind, x, list(shape), axes[0], axes[1], want_indices)
    else:
        # 3-D: both pools are separable. Pool H and W on [N, C*D, H, W], then D on [N, C, D, OH*OW].
        if want_indices:
            raise ctx.error("the Indices output of a 3-D MaxPool is not supported")
        d, h, w = shape[2:]
        oh, ow = axes[1].out, axes[2].out
        x = _reshape(ctx, x, [n, c * d, h, w], element)
        x, _ = _pool_stage(ctx, kind, x, [n, c * d, h, w], axes[1], axes[2], False)
        x = _reshape(ctx, x, [n, c, d, oh * ow], element)
        y, _ = _pool_stage(ctx, kind, x, [n, c, d, oh * ow], axes[0], _Axis.unit(oh * ow), False)
    if nsp != 2:
        y = ctx.emit(ReshapeOp(y, out_type)).output
        if indices is not None:
            indices = _reshape(ctx, indices, out_type.get_shape(), IntegerType(64))
    ctx.set_output(0, y)
    if indices is not None:
        ctx.set_output(1, indices)


class _Axis(NamedTuple):
    """One spatial axis of a pool: size, kernel, stride, pads (end incl. the ceil_mode extra), dilation, extra."""

    size: int
    kernel: int
    stride: int
    begin: int
    end: int
    dilation: int
    extra: int

    @staticmethod
    def unit(size: int = 1) -> _Axis:
        """An axis the pool leaves alone (kernel 1)."""
        return _Axis(size, 1, 1, 0, 0, 1, 0)

    @property
    def out(self) -> int:
        extent = self.dilation * (self.kernel - 1) + 1
        return (self.size + self.begin + self.end - extent) // self.stride + 1


def _reshape(ctx: NodeContext, x: SSAValue, shape: Sequence[int], element: Attribute) -> SSAValue:
    return ctx.emit(ReshapeOp(x, tensor_type(shape, element))).output


def _pool_stage(
    ctx: NodeContext, kind: str, x: SSAValue, in_shape: Sequence[int], ah: _Axis, aw: _Axis, want_indices: bool
) -> tuple[SSAValue, SSAValue | None]:
    """One 2-D pool of `x` [N, C, H, W] over axes `ah`, `aw`: (values, indices or None)."""
    assert isinstance(x.type, TensorType)
    element = x.type.element_type
    pool_type = tensor_type([in_shape[0], in_shape[1], ah.out, aw.out], element)
    kernel, strides, dilations = [ah.kernel, aw.kernel], [ah.stride, aw.stride], [ah.dilation, aw.dilation]
    pads = [ah.begin, aw.begin, ah.end, aw.end]
    if kind == "max":
        y = ctx.emit(MaxPool2dOp(x, pool_type, kernel, strides, pads, dilations)).output
        if not want_indices:
            return y, None
        column_major = ctx.attr_int("storage_order", 0) != 0
        index_type = tensor_type(pool_type.get_shape(), IntegerType(64))
        argmax = MaxPool2dArgmaxOp(x, index_type, kernel, strides, pads, dilations, column_major)
        return y, ctx.emit(argmax).output
    include = ctx.attr_int("count_include_pad", 0) != 0
    extras = [ah.extra, aw.extra]
    if dilations != [1, 1]:
        return _dilated_avg_pool(ctx, x, pool_type, (ah.size, aw.size), kernel, strides, pads, dilations, include, extras), None
    return ctx.emit(AvgPool2dOp(x, pool_type, kernel, strides, pads, include, extras)).output, None


def _dilated_avg_pool(
    ctx: NodeContext,
    x: SSAValue,
    pool_type: TensorType,
    size: tuple[int, int],
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    include_pad: bool,
    ceil_extras: Sequence[int],
) -> SSAValue:
    """Window sums (depthwise conv with ones) / divisors: the average pool nn.avg_pool2d cannot express."""
    element = pool_type.element_type
    if not is_float(element):
        raise ctx.error(f"a dilated AveragePool of {element} tensors is not supported (float only)")
    dtype = numpy_of_element(element)
    c = pool_type.get_shape()[1]
    weight = ctx.const_value(np.ones((c, 1, kernel[0], kernel[1]), dtype))
    bias = ctx.const_value(np.zeros((c,), dtype))
    sums = ctx.emit(Conv2dOp(x, weight, bias, pool_type, strides, pads, dilations, c)).output
    counts = _avg_divisors(size, kernel, strides, pads, dilations, include_pad, ceil_extras)
    oh, ow = pool_type.get_shape()[2:]
    divisor = ctx.const_value(counts.astype(dtype).reshape(1, 1, oh, ow))
    return ctx.emit(DivOp(sums, divisor, pool_type)).output


def _avg_divisors(
    size: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    include_pad: bool,
    ceil_extras: Sequence[int],
) -> np.ndarray:
    """[OH, OW] number of window taps that count: inside the input, or (count_include_pad) inside the explicit pads
    but not the ceil_mode padding."""
    per_axis: list[np.ndarray] = []
    for i in range(2):
        k, s, d, n = kernel[i], strides[i], dilations[i], size[i]
        begin, end = pads[i], pads[2 + i]
        extent = d * (k - 1) + 1
        out = (n + begin + end - extent) // s + 1
        taps = np.arange(out)[:, None] * s + np.arange(k)[None, :] * d - begin  # input coordinate of each tap
        lo, hi = (-begin, n + end - ceil_extras[i]) if include_pad else (0, n)
        per_axis.append(((taps >= lo) & (taps < hi)).sum(axis=1))
    return per_axis[0][:, None] * per_axis[1][None, :]


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
