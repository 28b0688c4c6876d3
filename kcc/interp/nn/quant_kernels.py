"""Integer-exact kernels of quantized `nn` ops (registered with `kcc.interp.quantized.exact_kernel`).

They reproduce TFLite's reference integer kernels bit for bit (see `kcc.interp.kernels.fixed_point`):

- conv2d (normal and depthwise through groups) and fully_connected: int32 accumulation of
  `(w - w_zp) * (x - x_zp)` (padding contributes nothing: it holds the input zero point), plus the int32
  bias, scaled by the fixed-point multiplier of `s_x * s_w / s_y` (one per output channel for per-channel
  weights), plus `y_zp`, clamped to the fused activation's quantized range.
- add: both inputs shifted left by 20 bits, each scaled by its fixed-point `s_i / (2 max(s_a, s_b))`, summed
  and scaled by `2 max(s_a, s_b) / (2^20 s_y)`.
- mul: `(a - a_zp) * (b - b_zp)` scaled by `s_a * s_b / s_y`.

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
from kcc.dialects.nn.base import ints, quant_params
from kcc.dialects.nn.conv import Conv2dOp, FullyConnectedOp
from kcc.dialects.nn.elementwise import AddOp, MulOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, is_quantized, numpy_dtype, storage_range
from kcc.interp.activation import apply_activation
from kcc.interp.kernels.conv import conv2d_nchw
from kcc.interp.kernels.fixed_point import (
    multiply_by_quantized_multiplier,
    quantize_activation_bound,
    quantize_multipliers,
)
from kcc.interp.quant import dequantize, quantize, round_half_away
from kcc.interp.quantized import exact_kernel

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
