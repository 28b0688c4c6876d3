"""Integer-exact kernels of quantized `nn` ops (registered with `kcc.interp.quantized.exact_kernel`).

They reproduce TFLite's reference integer kernels bit for bit (see `kcc.interp.kernels.fixed_point`):

- conv2d (normal and depthwise through groups) and fully_connected: int32 accumulation of
  `(w - w_zp) * (x - x_zp)` (padding contributes nothing: it holds the input zero point), plus the int32
  bias, scaled by the fixed-point multiplier of `s_x * s_w / s_y` (one per output channel for per-channel
  weights), plus `y_zp`, clamped to the fused activation's quantized range.
- add: both inputs shifted left by 20 bits, each scaled by its fixed-point `s_i / (2 max(s_a, s_b))`, summed
  and scaled by `2 max(s_a, s_b) / (2^20 s_y)`.
- mul: `(a - a_zp) * (b - b_zp)` scaled by `s_a * s_b / s_y`.
- conv_transpose2d: conv's arithmetic on the transposed-conv int32 accumulators.
- sub (add with the second multiplier negated), div (fixed-point reciprocal), squared_difference,
  leaky_relu / prelu (two multipliers), hard_swish (16-bit fixed point), abs, sqrt (float32, truncated),
  avg_pool2d (rounded integer mean), reduce_mean (multiplier with 1/count folded in), softmax (gemmlowp
  exp and reciprocal), concat (float32 requantization of inputs with other quantizations) and bilinear
  resize (float32 weights for uint8, 1/1024 fixed point for int8): see each kernel and
  `kcc.interp.kernels.tflite_int`.

Scales are the float32 numbers TFLite stores. The effective multiplier is computed as TFLite does it: in
double from the float32 scales, except for uint8 conv / depthwise conv and per-tensor fully connected,
whose legacy path multiplies `s_x * s_w` in float32 first (`GetQuantizedConvolutionMultipler`).
Cases outside TFLite's integer kernels (per-channel activations, 32-bit activations, activations other
than none / relu / clamp, mixed storage types) run through float like any other quantized op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.builtin import Signedness
from xdsl.ir import Operation, SSAValue

from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import ints, quant_params, shape_of
from kcc.dialects.nn.conv import Conv2dOp, ConvTranspose2dOp, FullyConnectedOp
from kcc.dialects.nn.elementwise import (
    AbsOp,
    AddOp,
    DivOp,
    HardSwishOp,
    LeakyReluOp,
    MulOp,
    PReluOp,
    SoftmaxOp,
    SqrtOp,
    SquaredDifferenceOp,
    SubOp,
)
from kcc.dialects.nn.movement import ConcatOp, ResizeOp
from kcc.dialects.nn.pool import AvgPool2dOp, ReduceMeanOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, is_quantized, numpy_dtype, storage_range
from kcc.interp.activation import apply_activation
from kcc.interp.kernels import elementwise as k_elementwise
from kcc.interp.kernels import tflite_int as tfl
from kcc.interp.kernels.conv import conv2d_nchw, conv_transpose2d_nchw
from kcc.interp.kernels.fixed_point import (
    multiply_by_quantized_multiplier,
    quantize_activation_bound,
    quantize_multiplier,
    quantize_multipliers,
    wrap_int32,
)
from kcc.interp.kernels.pool import avg_pool2d_nchw
from kcc.interp.kernels.resize import resize_nchw
from kcc.interp.quant import dequantize, quantize, round_half_away
from kcc.interp.quantized import exact_kernel

F32 = np.float32
FloatFn = Callable[..., np.ndarray]


def _via_float(op: Operation, args: Sequence[np.ndarray], f: FloatFn) -> tuple[np.ndarray, ...]:
    """The generic quantized path: dequantize, float semantics, quantize (half to even)."""
    deq = [dequantize(a, v) if is_quantized(v.type) else a for a, v in zip(args, op.operands, strict=True)]
    return (quantize(f(*deq), op.results[0]),)


def _tensor_quant(v: SSAValue, widths: tuple[int, ...] = (8,)) -> QuantType | None:
    """`v`'s per-tensor quantization if it is one of TFLite's integer activation types."""
    q = quant_params(v)
    if isinstance(q, QuantType) and q.storage.width.data in widths:
        return q
    return None


def _f32(x: float | np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def activation_range(act: ActivationAttr | None, out: QuantType) -> tuple[int, int] | None:
    """TFLite's CalculateActivationRangeQuantized for a fused activation (None: not a clamp)."""
    lo, hi = storage_range(out.storage)
    kind = "none" if act is None else act.kind.data
    s, zp = out.scale_value, out.zp_value
    if kind == "none":
        return lo, hi
    if kind == "relu":
        return max(lo, quantize_activation_bound(0.0, s, zp)), hi
    if kind == "clamp":
        a, b = act.values if act is not None else (0.0, 0.0)
        return max(lo, quantize_activation_bound(a, s, zp)), min(hi, quantize_activation_bound(b, s, zp))
    return None


def _weight_params(w: SSAValue, channels: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(float32 scale per output channel, zero point per output channel) of a weight quantized along axis 0."""
    q = quant_params(w)
    if isinstance(q, QuantType):
        return np.full(channels, q.scale_value, dtype=np.float32), np.full(channels, q.zp_value, dtype=np.int64)
    if isinstance(q, PerChannelQuantType) and q.axis.data == 0:
        return q.scale_values.astype(np.float32), q.zp_values
    return None


def _bias_acc(b: np.ndarray, bias: SSAValue, acc_scale: np.ndarray) -> np.ndarray:
    """The bias in accumulator units: its integers when its scale is the accumulator's (TFLite requires
    that, to 1e-6 relative), else its real value rounded (half away) to the accumulator scale."""
    q = quant_params(bias)
    assert q is not None
    if isinstance(q, QuantType):
        scales, zps = np.full(b.shape, q.scale_value), np.full(b.shape, q.zp_value)
    else:
        scales, zps = q.scale_values, q.zp_values
    acc = acc_scale.astype(np.float64)
    if np.all(np.abs(scales - acc) <= 1e-6 * np.minimum(scales, acc)):
        return b.astype(np.int64) - zps
    real = (b.astype(np.int64) - zps) * scales
    return round_half_away(real / acc).astype(np.int64)


def _rescale(
    acc: np.ndarray,
    x_scale: float,
    w_scales: np.ndarray,
    out: QuantType,
    float_product: bool,
    channel_axis: int,
    act_range: tuple[int, int],
) -> np.ndarray:
    """int accumulators [.., O, ..] -> output storage: per-channel fixed-point multiplier, zero point, clamp."""
    if float_product:  # legacy uint8: double(float(s_x * s_w)) / double(s_y)
        real = (_f32(x_scale) * w_scales).astype(np.float64) / float(_f32(out.scale_value))
    else:  # double(s_x) * double(s_w) / double(s_y)
        real = float(_f32(x_scale)) * w_scales.astype(np.float64) / float(_f32(out.scale_value))
    mult, shift = quantize_multipliers(real)
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    y = multiply_by_quantized_multiplier(acc, mult.reshape(shape), shift.reshape(shape)) + out.zp_value
    return np.clip(y, *act_range).astype(numpy_dtype(out))


def _linear_setup(
    x: SSAValue, w: SSAValue, bias: SSAValue, y: SSAValue, act: ActivationAttr | None, channels: int
) -> tuple[QuantType, tuple[np.ndarray, np.ndarray], QuantType, tuple[int, int]] | None:
    xq, yq = _tensor_quant(x), _tensor_quant(y)
    wp = _weight_params(w, channels)
    bq = quant_params(bias)
    if xq is None or yq is None or wp is None or bq is None or xq.storage != yq.storage:
        return None
    rng = activation_range(act, yq)
    if rng is None:
        return None
    return xq, wp, yq, rng


@exact_kernel(Conv2dOp)
def conv2d_exact(op: Conv2dOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite CONV_2D / DEPTHWISE_CONV_2D integer kernels (per-channel int8, per-tensor uint8)."""
    x, w, b = args
    strides, pads, dil, groups = ints(op.strides), ints(op.pads), ints(op.dilations), op.group_count
    setup = _linear_setup(op.input, op.weight, op.bias, op.output, op.act, w.shape[0])
    if setup is None:

        def f(xf: np.ndarray, wf: np.ndarray, bf: np.ndarray) -> np.ndarray:
            return apply_activation(conv2d_nchw(xf, wf, bf, strides, pads, dil, groups), op.act)

        return _via_float(op, args, f)
    xq, (w_scales, w_zps), yq, rng = setup
    xi = x.astype(np.int64) - xq.zp_value
    wi = w.astype(np.int64) - w_zps.reshape(-1, 1, 1, 1)
    acc = conv2d_nchw(xi, wi, None, strides, pads, dil, groups, pad_value=0, acc_dtype=np.int64)
    acc_scale = _f32(xq.scale_value).astype(np.float64) * w_scales.astype(np.float64)
    acc = acc + _bias_acc(b, op.bias, acc_scale).reshape(1, -1, 1, 1)
    unsigned = xq.storage.signedness.data == Signedness.UNSIGNED
    return (_rescale(acc, xq.scale_value, w_scales, yq, unsigned, 1, rng),)


def _binary_setup(op: Operation) -> tuple[QuantType, QuantType, QuantType] | None:
    a, b, y = (_tensor_quant(v) for v in (*op.operands, op.results[0]))
    if a is None or b is None or y is None or not (a.storage == b.storage == y.storage):
        return None
    return a, b, y


@exact_kernel(AddOp)
def add_exact(op: AddOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite ADD for int8 / uint8: inputs shifted left 20 bits and rescaled to twice the larger scale."""
    setup = _binary_setup(op)
    if setup is None:
        return _via_float(op, args, lambda p, q: p.astype(np.float64) + q)
    aq, bq, yq = setup
    left_shift = 20
    sa, sb, sy = (float(_f32(q.scale_value)) for q in (aq, bq, yq))
    twice_max = 2.0 * max(sa, sb)
    (ma, mb, my), (ea, eb, ey) = quantize_multipliers(
        np.array([sa / twice_max, sb / twice_max, twice_max / ((1 << left_shift) * sy)])
    )
    a = (args[0].astype(np.int64) - aq.zp_value) << left_shift
    b = (args[1].astype(np.int64) - bq.zp_value) << left_shift
    raw = multiply_by_quantized_multiplier(a, ma, ea) + multiply_by_quantized_multiplier(b, mb, eb)
    y = multiply_by_quantized_multiplier(raw, my, ey) + yq.zp_value
    return (np.clip(y, *storage_range(yq.storage)).astype(numpy_dtype(yq)),)


@exact_kernel(FullyConnectedOp)
def fully_connected_exact(op: FullyConnectedOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite FULLY_CONNECTED integer kernel: x [N, K], weight [O, K], int32 bias [O]."""
    x, w, b = args
    setup = _linear_setup(op.input, op.weight, op.bias, op.output, op.act, w.shape[0])
    if setup is None:

        def f(xf: np.ndarray, wf: np.ndarray, bf: np.ndarray) -> np.ndarray:
            return apply_activation(xf.astype(np.float64) @ wf.astype(np.float64).T + bf, op.act)

        return _via_float(op, args, f)
    xq, (w_scales, w_zps), yq, rng = setup
    acc = (x.astype(np.int64) - xq.zp_value) @ (w.astype(np.int64) - w_zps.reshape(-1, 1)).T
    acc_scale = _f32(xq.scale_value).astype(np.float64) * w_scales.astype(np.float64)
    acc = acc + _bias_acc(b, op.bias, acc_scale).reshape(1, -1)
    per_channel = isinstance(quant_params(op.weight), PerChannelQuantType)
    return (_rescale(acc, xq.scale_value, w_scales, yq, not per_channel, 1, rng),)


@exact_kernel(MulOp)
def mul_exact(op: MulOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite MUL for int8 / uint8: `(a - a_zp) * (b - b_zp)` times the multiplier of `s_a * s_b / s_y`."""
    setup = _binary_setup(op)
    if setup is None:
        return _via_float(op, args, lambda p, q: p.astype(np.float64) * q)
    aq, bq, yq = setup
    sa, sb, sy = (float(_f32(q.scale_value)) for q in (aq, bq, yq))
    (m,), (e,) = quantize_multipliers(np.array([sa * sb / sy]))
    prod = (args[0].astype(np.int64) - aq.zp_value) * (args[1].astype(np.int64) - bq.zp_value)
    y = multiply_by_quantized_multiplier(prod, m, e) + yq.zp_value
    return (np.clip(y, *storage_range(yq.storage)).astype(numpy_dtype(yq)),)


# ----------------------------------------------------------------------------- more TFLite reference kernels


def _f32_scale(q: QuantType) -> float:
    return float(_f32(q.scale_value))


def _clip_to(y: np.ndarray, q: QuantType, rng: tuple[int, int] | None = None) -> np.ndarray:
    lo, hi = rng if rng is not None else storage_range(q.storage)
    return np.clip(y, lo, hi).astype(numpy_dtype(q))


def _same_quant(a: QuantType, b: QuantType) -> bool:
    return a.storage == b.storage and _f32_scale(a) == _f32_scale(b) and a.zp_value == b.zp_value


@exact_kernel(AvgPool2dOp)
def avg_pool2d_exact(op: AvgPool2dOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite AVERAGE_POOL_2D: integer window sum over the pixels inside the input, divided by their count
    rounding half away from zero (same quantization in and out; count_include_pad false)."""
    xq, yq = _tensor_quant(op.input, (8, 16)), _tensor_quant(op.output, (8, 16))
    kernel, strides, pads = ints(op.kernel), ints(op.strides), ints(op.pads)
    if xq is None or yq is None or not _same_quant(xq, yq) or op.include_pad:

        def f(xf: np.ndarray) -> np.ndarray:
            return avg_pool2d_nchw(xf, kernel, strides, pads, op.include_pad, op.ceil_pad_values)

        return _via_float(op, args, f)
    return (_clip_to(tfl.average_pool2d_nchw(args[0], kernel, strides, pads), yq),)


@exact_kernel(ReduceMeanOp)
def reduce_mean_exact(op: ReduceMeanOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite MEAN of 8-bit storage (reference QuantizedMeanOrSum): integer sum of `x - zp_x`, times the
    fixed-point `s_x / (count s_y)` (see `tflite_int.mean_integer`), plus `zp_y`."""
    x = args[0]
    xq, yq = _tensor_quant(op.input), _tensor_quant(op.output)
    axes = tuple(sorted({a % x.ndim for a in op.axis_values()}))
    if xq is None or yq is None or xq.storage != yq.storage:
        return _via_float(op, args, lambda xf: np.mean(xf.astype(np.float64), axis=axes, keepdims=op.keep))
    mult, shift = quantize_multiplier(_f32_scale(xq) / _f32_scale(yq))
    y = tfl.mean_integer(x, axes, op.keep, xq.zp_value, yq.zp_value, mult, shift)
    return (_clip_to(y, yq),)


@exact_kernel(SoftmaxOp)
def softmax_exact(op: SoftmaxOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite SOFTMAX of 8-bit storage (reference kernel): gemmlowp fixed-point exp and reciprocal; the output
    must be TFLite's fixed 1/256 scale with the zero point at the storage minimum."""
    xq, yq = _tensor_quant(op.input), _tensor_quant(op.output)
    axis, beta = op.axis_value, op.beta_value
    if xq is None or yq is None or xq.storage != yq.storage or beta <= 0:
        return _via_float(op, args, lambda xf: k_elementwise.softmax(xf, axis, beta))
    lo, _ = storage_range(yq.storage)
    if abs(_f32_scale(yq) - 1 / 256) > 1e-6 * (1 / 256) or yq.zp_value != lo:
        return _via_float(op, args, lambda xf: k_elementwise.softmax(xf, axis, beta))
    mult, left_shift, diff_min = tfl.softmax_params(beta, _f32_scale(xq))
    x = np.moveaxis(args[0], axis, -1)
    y = tfl.softmax_last_axis(x, mult, left_shift, diff_min, 8, lo)
    return (np.moveaxis(y, -1, axis).astype(numpy_dtype(yq)),)


def _add_sub(op: Operation, args: tuple[np.ndarray, ...], sign: int) -> tuple[np.ndarray, ...] | None:
    """TFLite's 8-bit ADD / SUB arithmetic (`sign` -1: the second input's multiplier negated); None if the
    operand types are outside it."""
    setup = _binary_setup(op)
    if setup is None:
        return None
    aq, bq, yq = setup
    left_shift = 20
    sa, sb, sy = (_f32_scale(q) for q in (aq, bq, yq))
    twice_max = 2.0 * max(sa, sb)
    (ma, mb, my), (ea, eb, ey) = quantize_multipliers(
        np.array([sa / twice_max, sb / twice_max, twice_max / ((1 << left_shift) * sy)])
    )
    a = (args[0].astype(np.int64) - aq.zp_value) << left_shift
    b = (args[1].astype(np.int64) - bq.zp_value) << left_shift
    raw = multiply_by_quantized_multiplier(a, ma, ea) + multiply_by_quantized_multiplier(b, sign * mb, eb)
    y = multiply_by_quantized_multiplier(wrap_int32(raw), my, ey) + yq.zp_value
    return (_clip_to(y, yq),)


@exact_kernel(SubOp)
def sub_exact(op: SubOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite SUB for int8 / uint8: ADD's arithmetic with the second input's multiplier negated."""
    out = _add_sub(op, args, -1)
    return out if out is not None else _via_float(op, args, lambda p, q: p.astype(np.float64) - q)


@exact_kernel(ConcatOp)
def concat_exact(op: ConcatOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite CONCATENATION with rescaling (reference ConcatenationWithScaling): inputs quantized like the
    output are copied, the others requantized in float32, `round(q * (s_i / s_y) + (-zp_i * (s_i / s_y))) + zp_y`."""
    yq = _tensor_quant(op.output)
    qs = [_tensor_quant(v) for v in op.operands]
    axis = op.axis_value
    if yq is None or any(q is None or q.storage != yq.storage for q in qs):
        return _via_float(op, args, lambda *xs: np.concatenate(xs, axis=axis))
    sy = _f32_scale(yq)
    inverse = F32(1) / F32(sy)
    parts: list[np.ndarray] = []
    for x, q in zip(args, qs, strict=True):
        assert q is not None
        if _same_quant(q, yq):
            parts.append(x.astype(np.int64))
            continue
        scale = F32(_f32_scale(q)) * inverse
        bias = F32(-q.zp_value) * scale
        value = round_half_away(x.astype(F32) * scale + bias).astype(np.int64) + yq.zp_value
        parts.append(np.clip(value, *storage_range(yq.storage)))
    return (np.concatenate(parts, axis=axis).astype(numpy_dtype(yq)),)


@exact_kernel(ResizeOp)
def resize_exact(op: ResizeOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite RESIZE_BILINEAR of 8-bit storage with one quantization in and out: uint8 with float32 weights
    (reference ResizeBilinear), int8 with 1/1024 fixed-point weights (ResizeBilinearInteger). Coordinate
    modes asymmetric, align_corners and half_pixel (TFLite's three flag combinations). Everything else, and
    every ONNX-only resize (`op.is_onnx_only`: scales, bicubic, antialias, exclude_outside, crop-and-resize),
    runs through float with all of the op's properties, as the interpreter's `nn.resize` does."""
    xq, yq = _tensor_quant(op.input), _tensor_quant(op.output)
    out_hw = shape_of(op.output, "result")[2:]
    mode, coord, nearest = op.mode.data, op.coordinate_transformation_mode.data, op.nearest_rounding

    def f(xf: np.ndarray) -> np.ndarray:
        return resize_nchw(
            xf,
            out_hw,
            mode,
            coord,
            nearest,
            op.scale_values,
            cubic_coeff_a=op.cubic_coeff_a_value,
            exclude_outside=op.exclude_outside is not None,
            antialias=op.antialias is not None,
            roi=op.roi_values,
            extrapolation_value=op.extrapolation_value_number,
        )

    if op.is_onnx_only:
        return _via_float(op, args, f)
    tfl_coord = coord in ("asymmetric", "align_corners", "half_pixel")
    if mode != "bilinear" or not tfl_coord or xq is None or yq is None or not _same_quant(xq, yq):
        return _via_float(op, args, f)
    align, half = coord == "align_corners", coord == "half_pixel"
    if xq.storage.signedness.data == Signedness.UNSIGNED:
        y = tfl.resize_bilinear_float_nchw(args[0], out_hw, align, half)
    else:
        y = tfl.resize_bilinear_integer_nchw(args[0], out_hw, align, half)
    return (_clip_to(y, yq),)


def _unary_setup(op: Operation) -> tuple[QuantType, QuantType] | None:
    xq, yq = _tensor_quant(op.operands[0]), _tensor_quant(op.results[0])
    if xq is None or yq is None or xq.storage != yq.storage:
        return None
    return xq, yq


@exact_kernel(LeakyReluOp)
def leaky_relu_exact(op: LeakyReluOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite LEAKY_RELU: `x - zp` times the multiplier of float32 `s_x / s_y` (x >= 0) or `s_x alpha / s_y`."""
    setup = _unary_setup(op)
    alpha = op.alpha_value
    if setup is None or alpha < 0:
        return _via_float(op, args, lambda xf: k_elementwise.leaky_relu(xf, alpha))
    xq, yq = setup
    sx, sy = F32(_f32_scale(xq)), F32(_f32_scale(yq))
    m_alpha, e_alpha = quantize_multiplier(float(sx * F32(alpha) / sy))
    m_id, e_id = quantize_multiplier(float(sx / sy))
    v = args[0].astype(np.int64) - xq.zp_value
    y = np.where(v >= 0, multiply_by_quantized_multiplier(v, m_id, e_id), multiply_by_quantized_multiplier(v, m_alpha, e_alpha))
    return (_clip_to(y + yq.zp_value, yq),)


@exact_kernel(PReluOp)
def prelu_exact(op: PReluOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite PRELU: `x - zp_x` times the multiplier of float32 `s_x / s_y` (x >= 0), else
    `(x - zp_x)(alpha - zp_alpha)` times that of float32 `s_x s_alpha / s_y`."""
    xq, aq, yq = (_tensor_quant(v) for v in (*op.operands, op.results[0]))
    if xq is None or aq is None or yq is None or not (xq.storage == aq.storage == yq.storage):
        return _via_float(op, args, k_elementwise.prelu)
    sx, sa, sy = (F32(_f32_scale(q)) for q in (xq, aq, yq))
    m1, e1 = quantize_multiplier(float(sx / sy))
    m2, e2 = quantize_multiplier(float(sx * sa / sy))
    v = args[0].astype(np.int64) - xq.zp_value
    a = args[1].astype(np.int64) - aq.zp_value
    v, a = np.broadcast_arrays(v, a)
    y = np.where(v >= 0, multiply_by_quantized_multiplier(v, m1, e1), multiply_by_quantized_multiplier(v * a, m2, e2))
    return (_clip_to(y + yq.zp_value, yq),)


@exact_kernel(HardSwishOp)
def hard_swish_exact(op: HardSwishOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite HARD_SWISH of 8-bit storage (reference kernel, 16-bit fixed point)."""
    setup = _unary_setup(op)
    if setup is not None:
        xq, yq = setup
        hires_scale = F32(1.0 / 128.0) * F32(_f32_scale(xq))
        m_out, e_out = quantize_multiplier(float(hires_scale / F32(_f32_scale(yq))))
        m_relu, e_relu = quantize_multiplier(float(hires_scale / F32(3.0 / 32768.0)))
        if e_out <= 0:
            y = tfl.hard_swish(
                args[0],
                xq.zp_value,
                yq.zp_value,
                tfl.down_scale_int32_to_int16_multiplier(m_out),
                e_out,
                tfl.down_scale_int32_to_int16_multiplier(m_relu),
                e_relu,
            )
            return (_clip_to(y, yq),)
    return _via_float(op, args, k_elementwise.hard_swish)


@exact_kernel(DivOp)
def div_exact(op: DivOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite DIV for int8 / uint8: fixed-point reciprocal of the divisor, multiplier of float32
    `s_a / (s_b s_y)`. A zero divisor (undefined in TFLite) saturates like the float path."""
    setup = _binary_setup(op)
    if setup is None:
        return _via_float(op, args, lambda p, q: p.astype(np.float64) / q)
    aq, bq, yq = setup
    sa, sb, sy = (F32(_f32_scale(q)) for q in (aq, bq, yq))
    m, e = quantize_multiplier(float(sa / (sb * sy)))
    a = args[0].astype(np.int64) - aq.zp_value
    b = args[1].astype(np.int64) - bq.zp_value
    a, b = np.broadcast_arrays(a, b)
    safe_b = np.where(b == 0, 1, b)
    y = tfl.divide(a, safe_b, yq.zp_value, m, e)
    lo, hi = storage_range(yq.storage)
    y = np.where(b == 0, np.where(a > 0, hi, np.where(a < 0, lo, yq.zp_value)), y)
    return (_clip_to(y, yq),)


@exact_kernel(SquaredDifferenceOp)
def squared_difference_exact(op: SquaredDifferenceOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite SQUARED_DIFFERENCE for int8 (uint8 alike): inputs shifted left 7 bits and scaled to twice the
    larger scale, the difference squared, scaled by `(2 max)^2 / (2^14 s_y)`."""
    setup = _binary_setup(op)
    if setup is None:
        return _via_float(op, args, lambda p, q: np.square(p.astype(np.float64) - q))
    aq, bq, yq = setup
    left_shift = 7
    sa, sb, sy = (_f32_scale(q) for q in (aq, bq, yq))
    twice_max = 2.0 * max(sa, sb)
    (ma, mb), (ea, eb) = quantize_multipliers(np.array([sa / twice_max, sb / twice_max]))
    my, ey = quantize_multiplier(twice_max * twice_max / float(F32(1 << (2 * left_shift)) * F32(sy)))
    a = multiply_by_quantized_multiplier((args[0].astype(np.int64) - aq.zp_value) << left_shift, ma, ea)
    b = multiply_by_quantized_multiplier((args[1].astype(np.int64) - bq.zp_value) << left_shift, mb, eb)
    diff = a - b
    y = multiply_by_quantized_multiplier(wrap_int32(diff * diff), my, ey) + yq.zp_value
    return (_clip_to(y, yq),)


@exact_kernel(AbsOp)
def abs_exact(op: AbsOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite ABS of 8-bit storage: `|x - zp_x|`, times the multiplier of float32 `s_x / s_y` when the scales
    differ, plus `zp_y`."""
    setup = _unary_setup(op)
    if setup is None:
        return _via_float(op, args, np.abs)
    xq, yq = setup
    v = np.abs(args[0].astype(np.int64) - xq.zp_value)
    sx, sy = F32(_f32_scale(xq)), F32(_f32_scale(yq))
    if sx != sy:
        m, e = quantize_multiplier(float(sx / sy))
        v = multiply_by_quantized_multiplier(v, m, e)
    return (_clip_to(v + yq.zp_value, yq),)


@exact_kernel(SqrtOp)
def sqrt_exact(op: SqrtOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite SQRT of 8-bit storage: float32 `sqrt(s_x (x - zp_x)) / s_y` truncated, plus `zp_y` (litert's
    reference kernel rounds down: measured on every storage value of 8 random quantizations)."""
    setup = _unary_setup(op)
    if setup is None:
        return _via_float(op, args, np.sqrt)
    xq, yq = setup
    v = (args[0].astype(np.int64) - xq.zp_value).astype(F32)
    with np.errstate(invalid="ignore"):
        y = np.sqrt(F32(_f32_scale(xq)) * v) / F32(_f32_scale(yq))
    lo, _ = storage_range(yq.storage)
    q = np.where(np.isnan(y), lo - yq.zp_value, np.trunc(np.nan_to_num(y, posinf=2.0**40)))
    return (_clip_to(np.clip(q, -(2**40), 2**40).astype(np.int64) + yq.zp_value, yq),)


@exact_kernel(ConvTranspose2dOp)
def conv_transpose2d_exact(op: ConvTranspose2dOp, args: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """TFLite TRANSPOSE_CONV integer kernels: int32 accumulation of `(x - x_zp) (w - w_zp)`, int32 bias,
    the conv's fixed-point requantization (per output channel for per-channel int8 weights)."""
    x, w, b = args
    strides, pads, dil, opad = ints(op.strides), ints(op.pads), ints(op.dilations), ints(op.output_padding)
    groups = op.group_count
    channels = w.shape[1] * groups
    xq, yq = _tensor_quant(op.input), _tensor_quant(op.output)
    wq, bq = quant_params(op.weight), quant_params(op.bias)
    w_params: tuple[np.ndarray, np.ndarray] | None = None
    if isinstance(wq, QuantType):
        w_params = np.full(channels, wq.scale_value, dtype=np.float32), np.full(channels, wq.zp_value, dtype=np.int64)
    elif isinstance(wq, PerChannelQuantType) and wq.axis.data == 1 and groups == 1:
        w_params = wq.scale_values.astype(np.float32), wq.zp_values
    rng = activation_range(op.act, yq) if yq is not None else None
    if xq is None or yq is None or w_params is None or bq is None or xq.storage != yq.storage or rng is None:

        def f(xf: np.ndarray, wf: np.ndarray, bf: np.ndarray) -> np.ndarray:
            y = conv_transpose2d_nchw(xf, wf, bf, strides, pads, dil, opad, groups)
            return apply_activation(y, op.act)

        return _via_float(op, args, f)
    w_scales, w_zps = w_params
    xi = x.astype(np.int64) - xq.zp_value
    wi = w.astype(np.int64) - w_zps.reshape(groups, -1)[0].reshape(1, -1, 1, 1)
    acc = conv_transpose2d_nchw(xi, wi, None, strides, pads, dil, opad, groups, acc_dtype=np.int64)
    acc_scale = _f32(xq.scale_value).astype(np.float64) * w_scales.astype(np.float64)
    acc = acc + _bias_acc(b, op.bias, acc_scale).reshape(1, -1, 1, 1)
    unsigned = xq.storage.signedness.data == Signedness.UNSIGNED
    return (_rescale(acc, xq.scale_value, w_scales, yq, unsigned, 1, rng),)
