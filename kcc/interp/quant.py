"""Quantize / dequantize numpy arrays by an `nn` quantized element type."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, SSAValue

from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype, storage_range


def _params(t: Attribute, rank: int) -> tuple[np.ndarray, np.ndarray]:
    et = t.element_type if isinstance(t, TensorType) else t
    if isinstance(et, QuantType):
        return np.float64(et.scale_value), np.int64(et.zp_value)  # type: ignore[return-value]
    if isinstance(et, PerChannelQuantType):
        shape = [1] * rank
        shape[et.axis.data] = -1
        return et.scale_values.reshape(shape), et.zp_values.reshape(shape)
    raise TypeError(f"not a quantized type: {et}")


def type_of(v: SSAValue | Attribute) -> Attribute:
    return v.type if isinstance(v, SSAValue) else v


def dequantize(q: np.ndarray, t: SSAValue | Attribute) -> np.ndarray:
    """Storage integers -> float32 reals: scale * (q - zero_point)."""
    scale, zp = _params(type_of(t), q.ndim)
    return ((q.astype(np.int64) - zp) * scale).astype(np.float32)


def round_half_even(x: np.ndarray) -> np.ndarray:
    return np.rint(x)


def round_half_away(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize(x: np.ndarray, t: SSAValue | Attribute, rounding: str = "half_even") -> np.ndarray:
    """Float reals -> storage integers, saturating. rounding: 'half_even' (ONNX) or 'half_away' (TFLite)."""
    tt = type_of(t)
    scale, zp = _params(tt, np.ndim(x))
    et = tt.element_type if isinstance(tt, TensorType) else tt
    assert isinstance(et, QuantType | PerChannelQuantType)
    lo, hi = storage_range(et.storage)
    r = round_half_even if rounding == "half_even" else round_half_away
    q = r(np.asarray(x, dtype=np.float64) / scale) + zp
    return np.clip(q, lo, hi).astype(numpy_dtype(et))
