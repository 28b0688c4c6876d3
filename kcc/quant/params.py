"""Quantization parameters from a calibrated range.

`uint8_params(lo, hi)`: asymmetric uint8, `real = scale * (q - zero_point)`, q in [0, 255].
* the range is widened to include 0 (so that 0.0 — padding, ReLU floors — is exactly representable);
* a degenerate range (hi == lo after widening, i.e. the all-zero tensor) gets scale 1.0, zero point 0;
* non-finite bounds are a KccError;
* scale = (hi - lo) / 255 and zero_point = round_half_to_even(-lo / scale), clamped to [0, 255]
  (Python `round`; the clamp only matters for rounding at the ends of the range).

`int8_symmetric(absmax)`: signed int8 with zero point 0, `scale = absmax / 127` (1.0 for absmax == 0).
`uint8_quantize` / `uint8_dequantize` apply the parameters to numpy arrays (round half to even, saturate).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kcc.errors import KccError

UINT8_LEVELS = 255


def uint8_params(lo: float, hi: float) -> tuple[float, int]:
    """(scale, zero_point) of the asymmetric uint8 quantization covering [lo, hi] (widened to include 0)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise KccError(f"range [{lo}, {hi}] is not finite", hint="check the calibration dataset for NaN/Inf values")
    if lo > hi:
        raise KccError(f"range [{lo}, {hi}] has lo > hi")
    lo = min(float(lo), 0.0)
    hi = max(float(hi), 0.0)
    if hi - lo <= 0.0:
        return 1.0, 0
    scale = (hi - lo) / UINT8_LEVELS
    zero_point = round(-lo / scale)
    return scale, max(0, min(UINT8_LEVELS, zero_point))


def int8_symmetric(absmax: float) -> tuple[float, int]:
    """(scale, 0) of signed int8 with range [-absmax, absmax] mapped to [-127, 127]."""
    absmax = abs(float(absmax))
    if not math.isfinite(absmax):
        raise KccError(f"range +-{absmax} is not finite")
    if absmax == 0.0:
        return 1.0, 0
    return absmax / 127.0, 0


def uint8_quantize(x: NDArray[np.floating], scale: float, zero_point: int) -> NDArray[np.uint8]:
    q = np.rint(np.asarray(x, dtype=np.float64) / scale) + zero_point
    return np.clip(q, 0, UINT8_LEVELS).astype(np.uint8)


def uint8_dequantize(q: NDArray[np.integer], scale: float, zero_point: int) -> NDArray[np.float32]:
    return ((q.astype(np.float64) - zero_point) * scale).astype(np.float32)
