"""Convolution-like TFLite operators: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, the MediaPipe custom op
Convolution2DTransposeBias, FULLY_CONNECTED.

Weights become `nn.const` in nn's layout, transposed in numpy at import: CONV_2D OHWI -> OIHW,
DEPTHWISE_CONV_2D [1, H, W, C*M] -> [C*M, 1, H, W] (groups = C), TRANSPOSE_CONV OHWI -> [I, O, H, W];
a per-channel quantization axis follows its dimension. Convolutions run on NCHW between `nn.transpose`s.
A missing bias becomes zeros (f32, or i32 with scale input_scale * weight_scale for quantized ops). Float
inputs with quantized constant weights (TFLite "hybrid" models) get the weights dequantized at import.

TFLite's SAME padding puts the extra pixel at the bottom / right:
`total = max((ceil(in / stride) - 1) * stride + dilation * (kernel - 1) + 1 - in, 0)`, top = total // 2.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import IntegerType, TensorType, f32
from xdsl.ir import SSAValue

from kcc.dialects.nn.conv import Conv2dOp, ConvTranspose2dOp, FullyConnectedOp
from kcc.dialects.nn.movement import ReshapeOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, is_float, is_quantized
from kcc.frontends.tflite.builder import OpContext, permuted
from kcc.frontends.tflite.reader import QuantInfo
from kcc.frontends.tflite.registry import converter


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TFLite SAME padding of one spatial dimension: (begin, end), the extra pixel at the end."""
    extent = dilation * (kernel - 1) + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def conv_pads(ctx: OpContext, hw: Sequence[int], kernel: Sequence[int], strides: Sequence[int], dil: Sequence[int]) -> list[int]:
    """[top, left, bottom, right] for the operator's `padding` option."""
    if ctx.padding() == "VALID":
        return [0, 0, 0, 0]
    (t, b), (l, r) = (same_padding(n, k, s, d) for n, k, s, d in zip(hw, kernel, strides, dil, strict=True))
    return [t, l, b, r]


def positive_option(ctx: OpContext, key: str, default: int = 1) -> int:
    v = int(ctx.option(key, default))
    if v <= 0:
        raise ctx.error(f"{key} must be positive, got {v}")
    return v


def dequantized(array: np.ndarray, q: QuantInfo) -> np.ndarray:
    """Real values of quantized constant storage: scale * (q - zero_point) in float32 (TFLite DEQUANTIZE)."""
    shape = [1] * array.ndim
    if q.per_channel:
        shape[q.axis] = -1
    scale = q.scales.reshape(shape).astype(np.float64)
    zp = q.zero_points.reshape(shape)
    return ((array.astype(np.int64) - zp) * scale).astype(np.float32)


def weight_value(ctx: OpContext, i: int, perm: Sequence[int], float_input: bool) -> SSAValue:
    """Constant weight input `i` transposed by `perm` into an `nn.const` (per-channel axis remapped)."""
    w = ctx.const_input(i, "weights")
    info = ctx.input_tensor(i)
    arr = np.ascontiguousarray(np.transpose(w, perm))
    shape = list(arr.shape)
    if float_input and info.quant is not None:  # hybrid model: float activations, quantized weights
        return ctx.constant(np.ascontiguousarray(np.transpose(dequantized(w, info.quant), perm)), TensorType(f32, shape))
    if info.type_name == "FLOAT16":
        return ctx.constant(arr.astype(np.float32), TensorType(f32, shape))
    et = ctx.graph.element_type(info)
    if isinstance(et, PerChannelQuantType):
        et = PerChannelQuantType(
            et.storage, list(perm).index(et.axis.data), list(et.scale_values), [int(z) for z in et.zp_values]
        )
    return ctx.constant(arr, TensorType(et, shape))


def bias_value(ctx: OpContext, i: int | None, channels: int, x: SSAValue, w: SSAValue) -> SSAValue:
    """Bias input `i`, or zeros of the right type when it is omitted (or `i` is None: the op has none)."""
    if i is not None and ctx.has_input(i):
        b = ctx.input(i)
        shape = ctx.input_shape(i)
        if shape != (channels,):
            raise ctx.error(f"bias has shape {list(shape)}, expected [{channels}] (one per output channel)")
        if is_float(x.type) and is_quantized(b.type):
            raise ctx.error("a float operator has a quantized bias")
        return b
    wt = w.type
    assert isinstance(wt, TensorType)
    wq = wt.element_type
    xt = x.type
    assert isinstance(xt, TensorType)
    xq = xt.element_type
    zeros = np.zeros(channels, dtype=np.int32)
    if isinstance(xq, QuantType) and isinstance(wq, QuantType | PerChannelQuantType):
        i32 = IntegerType(32)
        sx = float(np.float32(xq.scale_value))
        if isinstance(wq, PerChannelQuantType):
            scales = [sx * float(s) for s in wq.scale_values]
            et = PerChannelQuantType(i32, 0, scales, [0] * channels)
        else:
            et = QuantType(i32, sx * wq.scale_value, 0)
        return ctx.constant(zeros, TensorType(et, [channels]))
    return ctx.constant(np.zeros(channels, dtype=np.float32), TensorType(f32, [channels]))


def _check_kinds(ctx: OpContext, x: SSAValue, what: str = "input") -> bool:
    """True if `x` is float; error for integer activations that carry no quantization."""
    if is_float(x.type):
        return True
    if is_quantized(x.type):
        return False
    raise ctx.error(f"{what} has type {ctx.input_tensor(0).type_name} without quantization parameters, which kcc cannot run")


@converter("CONV_2D")
def convert_conv2d(ctx: OpContext) -> None:
    """CONV_2D: input NHWC, weights OHWI (I may be C / groups), bias [O] (optional)."""
    ctx.expect_inputs(2, 3)
    x = ctx.input(0)
    float_in = _check_kinds(ctx, x)
    n, h, wd, c = _rank4(ctx, ctx.input_shape(0), "input")
    o, kh, kw, ci = _rank4(ctx, ctx.input_tensor(1).shape, "weights")
    if ci <= 0 or c % ci or o % (c // ci):
        raise ctx.error(f"weights have {ci} input channels, which does not divide the input's {c} channels into groups")
    groups = c // ci
    strides = [positive_option(ctx, "stride_h"), positive_option(ctx, "stride_w")]
    dil = [positive_option(ctx, "dilation_h_factor"), positive_option(ctx, "dilation_w_factor")]
    pads = conv_pads(ctx, [h, wd], [kh, kw], strides, dil)
    act = ctx.fused_activation()
    w = weight_value(ctx, 1, (0, 3, 1, 2), float_in)
    b = bias_value(ctx, 2, o, x, w)
    del n
    y = ctx.nchw_op(x, lambda xt, t: Conv2dOp(xt, w, b, t, strides, pads, dil, groups, act), ctx.output_type(0))
    ctx.set_output(0, y)


@converter("DEPTHWISE_CONV_2D")
def convert_depthwise(ctx: OpContext) -> None:
    """DEPTHWISE_CONV_2D: weights [1, H, W, C * M] -> nn conv2d with groups = C, weight [C * M, 1, H, W]."""
    ctx.expect_inputs(2, 3)
    x = ctx.input(0)
    float_in = _check_kinds(ctx, x)
    _, h, wd, c = _rank4(ctx, ctx.input_shape(0), "input")
    one, kh, kw, cm = _rank4(ctx, ctx.input_tensor(1).shape, "weights")
    if one != 1 or c == 0 or cm % c:
        raise ctx.error(f"depthwise weights [{one}, {kh}, {kw}, {cm}] must be [1, H, W, C * M] for {c} input channels")
    m = cm // c
    declared = int(ctx.option("depth_multiplier", m))
    if declared not in (0, m):  # some converters write 0; the weights decide
        raise ctx.error(f"depth_multiplier {declared} does not match the weights' {cm} / {c} = {m}")
    strides = [positive_option(ctx, "stride_h"), positive_option(ctx, "stride_w")]
    dil = [positive_option(ctx, "dilation_h_factor"), positive_option(ctx, "dilation_w_factor")]
    pads = conv_pads(ctx, [h, wd], [kh, kw], strides, dil)
    act = ctx.fused_activation()
    w = weight_value(ctx, 1, (3, 0, 1, 2), float_in)
    b = bias_value(ctx, 2, cm, x, w)
    y = ctx.nchw_op(x, lambda xt, t: Conv2dOp(xt, w, b, t, strides, pads, dil, c, act), ctx.output_type(0))
    ctx.set_output(0, y)


def _rank4(ctx: OpContext, shape: Sequence[int], what: str) -> tuple[int, int, int, int]:
    if len(shape) != 4:
        raise ctx.error(f"{what} must have rank 4, got shape {list(shape)}")
    return shape[0], shape[1], shape[2], shape[3]


def _transpose_conv(
    ctx: OpContext, x_index: int, w_index: int, b_index: int | None, padding: str, strides: Sequence[int]
) -> None:
    """The shared part of TRANSPOSE_CONV and Convolution2DTransposeBias.

    TFLite computes the padding as for a forward conv from the output to the input:
    `total = max((computed - 1) * stride + kernel - out, 0)` where `computed` is the forward conv's output
    size of `out` (SAME: ceil(out / stride), VALID: (out - kernel + stride) // stride), and crops `total // 2`
    from the top / left of the full `(in - 1) * stride + kernel` result; the rest of the bottom / right is
    cropped, or padded with output_padding when `out` is larger than what is left.
    """
    x = ctx.input(x_index)
    float_in = _check_kinds(ctx, x)
    _, h, wd, _ = _rank4(ctx, ctx.input_shape(x_index), "input")
    o, kh, kw, _ = _rank4(ctx, ctx.input_tensor(w_index).shape, "weights")
    out_t = ctx.output_type(0)
    _, oh, ow, oc = _rank4(ctx, ctx.output_shape(0), "output")
    if oc != o:
        raise ctx.error(f"output has {oc} channels but the weights produce {o}")
    pads: list[int] = [0, 0, 0, 0]
    opad: list[int] = [0, 0]
    for d, (size, out, k, s) in enumerate(zip((h, wd), (oh, ow), (kh, kw), strides, strict=True)):
        computed = -(-out // s) if padding == "SAME" else (out - k + s) // s
        begin = max((computed - 1) * s + k - out, 0) // 2
        end = (size - 1) * s + k - begin - out
        if end < 0:
            opad[d], end = -end, 0
            if opad[d] >= s:
                raise ctx.error(
                    f"output size {out} is larger than the transposed conv can produce ({out - opad[d]} + < stride {s})"
                )
        pads[d], pads[d + 2] = begin, end
    act = ctx.fused_activation()
    w = weight_value(ctx, w_index, (3, 0, 1, 2), float_in)
    b = bias_value(ctx, b_index, o, x, w)
    y = ctx.nchw_op(x, lambda xt, t: ConvTranspose2dOp(xt, w, b, t, strides, pads, (1, 1), opad, 1, act), out_t)
    ctx.set_output(0, y)


@converter("TRANSPOSE_CONV")
def convert_transpose_conv(ctx: OpContext) -> None:
    """TRANSPOSE_CONV: inputs (output_shape, weights OHWI, input, bias?)."""
    ctx.expect_inputs(3, 4)
    shape = ctx.maybe_const(0)
    if shape is not None and [int(v) for v in shape.reshape(-1)] != list(ctx.output_shape(0)):
        raise ctx.error(
            f"output_shape input {shape.reshape(-1).tolist()} differs from the output tensor's {list(ctx.output_shape(0))}"
        )
    strides = [positive_option(ctx, "stride_h"), positive_option(ctx, "stride_w")]
    _transpose_conv(ctx, 2, 1, 3, ctx.padding(), strides)


# MediaPipe's custom options are a raw TfLiteTransposeConvParams: int32 padding (TfLitePadding: 1 SAME,
# 2 VALID), int32 stride_width, int32 stride_height, little-endian.
_TFLITE_PADDING = {1: "SAME", 2: "VALID"}


@converter("Convolution2DTransposeBias")
def convert_conv2d_transpose_bias(ctx: OpContext) -> None:
    """MediaPipe Convolution2DTransposeBias: inputs (input, weights OHWI, bias), options as a raw C struct."""
    ctx.expect_inputs(3)
    if len(ctx.custom_options) < 12:
        raise ctx.error(f"custom options hold {len(ctx.custom_options)} bytes, expected 12 (padding, stride_w, stride_h)")
    padding, stride_w, stride_h = struct.unpack_from("<iii", ctx.custom_options, 0)
    if padding not in _TFLITE_PADDING:
        raise ctx.error(f"unknown padding {padding} in the custom options", hint="1 (SAME) or 2 (VALID)")
    if stride_w <= 0 or stride_h <= 0:
        raise ctx.error(f"strides must be positive, got {stride_h}x{stride_w}")
    _transpose_conv(ctx, 0, 1, 2, _TFLITE_PADDING[padding], [stride_h, stride_w])


@converter("FULLY_CONNECTED")
def convert_fully_connected(ctx: OpContext) -> None:
    """FULLY_CONNECTED: x [..., K] flattened to [N, K], weights [O, K], bias [O] (optional), then reshaped
    to the output shape (keep_num_dims keeps the leading dimensions)."""
    ctx.expect_inputs(2, 3)
    if int(ctx.option("weights_format", 0)) != 0:
        raise ctx.error("shuffled weights (weights_format SHUFFLED4x16INT8) are not supported", hint="re-export the model")
    x = ctx.input(0)
    float_in = _check_kinds(ctx, x)
    wshape = ctx.input_tensor(1).shape
    if len(wshape) != 2:
        raise ctx.error(f"weights must have rank 2 [O, K], got {list(wshape)}")
    o, k = wshape
    xshape = ctx.input_shape(0)
    count = int(np.prod(xshape)) if xshape else 1
    if k == 0 or count % k:
        raise ctx.error(f"input {list(xshape)} ({count} elements) is not a multiple of the weights' {k} input features")
    n = count // k
    act = ctx.fused_activation()
    w = weight_value(ctx, 1, (0, 1), float_in) if ctx.maybe_const(1) is not None else ctx.input(1)
    b = bias_value(ctx, 2, o, x, w)
    xt = x.type
    assert isinstance(xt, TensorType)
    x2 = x if tuple(xshape) == (n, k) else ctx.emit(ReshapeOp(x, TensorType(xt.element_type, [n, k])))
    out_t = ctx.output_type(0)
    y = ctx.emit(FullyConnectedOp(x2, w, b, TensorType(out_t.element_type, [n, o]), act))
    keep = bool(ctx.option("keep_num_dims", False)) and len(xshape) > 0 and xshape[-1] == k
    oshape = [*xshape[:-1], o] if keep else [n, o]
    if not ctx.graph.resized:
        oshape = list(ctx.output_shape(0))
    if int(np.prod(oshape)) != n * o:
        raise ctx.error(f"output {oshape} should hold {n} x {o} = {n * o} elements")
    if oshape != [n, o]:
        y = ctx.emit(ReshapeOp(y, TensorType(out_t.element_type, oshape)))
    ctx.set_output(0, y)


__all__ = ["conv_pads", "dequantized", "permuted", "same_padding"]
