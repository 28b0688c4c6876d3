"""Quantize / dequantize / requantize numpy arrays by an `nn` quantized element type.

Scales are applied as float32 numbers, as ONNX (float scale tensors) and TFLite (float scale fields) do:
`quantize` divides in float32 then rounds, `dequantize` multiplies `q - zero_point` by the float32 scale
(exact in double, then rounded to float32), `requantize` uses TFLite's fixed-point multiplier of the
ratio of the float32 scales.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, SSAValue

from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype, storage_range


def _params(t: Attribute, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(float32 scales, int64 zero points), shaped to broadcast against a rank-`rank` array."""
    et = t.element_type if isinstance(t, TensorType) else t
    if isinstance(et, QuantType):
        return np.asarray(et.scale_value, dtype=np.float32), np.asarray(et.zp_value, dtype=np.int64)
    if isinstance(et, PerChannelQuantType):
        shape = [1] * rank
        shape[et.axis.data] = -1
        return et.scale_values.astype(np.float32).reshape(shape), et.zp_values.reshape(shape)
    raise TypeError(f"not a quantized type: {et}")


def type_of(v: SSAValue | Attribute) -> Attribute:
    return v.type if isinstance(v, SSAValue) else v


def dequantize(q: np.ndarray, t: SSAValue | Attribute) -> np.ndarray:
    """Storage integers -> float32 reals: scale * (q - zero_point)."""
    scale, zp = _params(type_of(t), q.ndim)
    return ((q.astype(np.int64) - zp) * scale.astype(np.float64)).astype(np.float32)


def round_half_even(x: np.ndarray) -> np.ndarray:
    return np.rint(x)


def round_half_away(x: np.ndarray) -> np.ndarray:
    """std::round: to nearest, ties away from zero (exact: `x - trunc(x)` has no rounding error)."""
    x = np.asarray(x)
    t = np.trunc(x)
    return t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0).astype(x.dtype)


def quantize(x: np.ndarray, t: SSAValue | Attribute, rounding: str = "half_even") -> np.ndarray:
    """Float reals -> storage integers, saturating. rounding: 'half_even' (ONNX) or 'half_away' (TFLite)."""
    tt = type_of(t)
    scale, zp = _params(tt, np.ndim(x))
    et = tt.element_type if isinstance(tt, TensorType) else tt
    assert isinstance(et, QuantType | PerChannelQuantType)
    lo, hi = storage_range(et.storage)
    r = round_half_even if rounding == "half_even" else round_half_away
    xf = np.asarray(x)
    if xf.dtype != np.float64:  # float32 data divides in float32, as ONNX QuantizeLinear and TFLite QUANTIZE do
        xf = xf.astype(np.float32)
    q = r(xf / scale.astype(xf.dtype)).astype(np.float64) + zp
    return np.clip(q, lo, hi).astype(numpy_dtype(et))


def requantize(q: np.ndarray, t_in: SSAValue | Attribute, t_out: SSAValue | Attribute) -> np.ndarray:
    """Storage integers of `t_in` -> of `t_out`, as TFLite's QUANTIZE of a quantized tensor (Requantize).

    `zp_out + MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out)`, saturated; the multiplier is the
    fixed-point form of the double ratio of the float32 scales (one per channel for per-channel types).
    """
    from kcc.interp.kernels.fixed_point import multiply_by_quantized_multiplier, quantize_multipliers

    s_in, zp_in = _params(type_of(t_in), q.ndim)
    s_out, zp_out = _params(type_of(t_out), q.ndim)
    ratio = s_in.astype(np.float64) / s_out.astype(np.float64)
    mult, shift = quantize_multipliers(ratio)
    acc = multiply_by_quantized_multiplier(q.astype(np.int64) - zp_in, mult, shift) + zp_out
    tt = type_of(t_out)
    et = tt.element_type if isinstance(tt, TensorType) else tt
    assert isinstance(et, QuantType | PerChannelQuantType)
    lo, hi = storage_range(et.storage)
    return np.clip(acc, lo, hi).astype(numpy_dtype(et))
